"""Live judging inside a `tool_eval` job: an observer the eval job feeds each stored case.

The judge has its own semaphore (sized by `service.live.judge_concurrency`), runs under the
eval job's cancel, and charges its requests to the eval job's ledger through the job's own
units. `on_case` only schedules: the eval's loop never waits for the judge. `finish` waits for
the scheduled cases and stores each target's report; `aclose` (cancel, error) stops them.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from benchstudio.catalog.service import CatalogContext
from benchstudio.credentials.service import Vault
from benchstudio.evals.runs.service.lifecycle import RunPlan
from benchstudio.jobs.context import JobContext
from benchstudio.judge.service.judge_models import open_judge_model
from benchstudio.judge.service.judging import ReportPlan, judge_item
from benchstudio.judge.service.live import (
    judge_concurrency,
    live_item,
    live_options,
    open_live_reports,
)
from benchstudio.judge.service.report_jobs import end_quietly, end_report
from benchstudio.judge.service.verdict_call import JudgeModel
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.live.records import LiveCaseResult

log = logging.getLogger(__name__)


@dataclass(eq=False)
class LiveJudge:
    ctx: JobContext
    plan: RunPlan
    judge: JudgeModel
    reports: dict[str, tuple[ReportPlan, set[str]]]
    semaphore: asyncio.Semaphore
    stack: AsyncExitStack
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    closed: bool = False

    @property
    def service(self) -> ServiceContext:
        return ServiceContext.for_owner(self.ctx.database, self.ctx.owner_id)

    def on_case(self, result_id: str, result: LiveCaseResult) -> None:
        entry = self.reports.get(result.target)
        if entry is None or self.closed or result.case_id in entry[1]:
            return
        entry[1].add(result.case_id)
        entry[0].total += 1
        task = asyncio.create_task(self._judge(entry[0], result))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _judge(self, report: ReportPlan, result: LiveCaseResult) -> None:
        async with self.semaphore:
            if self.ctx.cancelled or report.stop_reason is not None:
                return
            try:
                item = live_item(self.plan, result)
                await judge_item(self.ctx, self.judge, report, item)
            except asyncio.CancelledError:
                raise
            except Exception:  # a storage fault: the eval goes on, the report says failed
                log.exception("live judging of a case failed", extra={"case": result.case_id})

    async def finish(self) -> None:
        """Wait for every scheduled case, then store each report's figures."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks))
        try:
            for report, _ in self.reports.values():
                status = "stopped" if report.stop_reason else "done"
                await end_report(self.service, report, status)
        finally:
            self.closed = True
            await self.stack.aclose()

    async def aclose(self) -> None:
        """Cancel or error: stop the judge's cases now; the reports keep what was stored."""
        if self.closed:
            return
        self.closed = True
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*list(self.tasks), return_exceptions=True)
        status = "cancelled" if self.ctx.cancelled else "failed"
        for report, _ in self.reports.values():
            await end_quietly(self.service, report, status, None)
        await self.stack.aclose()


async def live_judge_factory(ctx: JobContext, plan: RunPlan) -> LiveJudge | None:
    """The eval job's live judge, when its run asked for one (`settings.judge.live`)."""
    options = live_options(plan)
    if options is None:
        return None
    settings = ctx.settings
    catalog = CatalogContext.from_settings(
        ctx.database, Vault(settings.vault_key_list()), settings, owner_id=ctx.owner_id
    )
    stack = AsyncExitStack()
    try:
        judge = await stack.enter_async_context(
            open_judge_model(catalog, options.judge_model_ref_id)
        )
        concurrency = await judge_concurrency(catalog, plan, options.judge_model_ref_id)
        service = ServiceContext.for_owner(ctx.database, ctx.owner_id)
        reports = await open_live_reports(service, plan, options, judge.display_name, ctx.job_id)
    except BaseException:
        await stack.aclose()
        raise
    return LiveJudge(ctx, plan, judge, reports, asyncio.Semaphore(concurrency), stack)
