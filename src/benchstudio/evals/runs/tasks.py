"""The `tool_eval` job: drive a run's targets through its suite snapshot, case by case.

A loop over the live runner's results: each finished case is stored with its event
(`eval_case_result`) in one unit (persist, then publish), with what its semantic-similarity
calls cost charged to the job's ledger. Cancel stops the runner at once and
keeps every stored case; a resumed job skips the cases already stored. Keys never leave the
adapters, which the catalog opens through the vault.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, cast

from benchstudio.catalog.service import CatalogContext
from benchstudio.core.redaction import redact
from benchstudio.credentials.service import Vault
from benchstudio.evals.runs.domain.rules import TOOL_EVAL_JOB_TYPE
from benchstudio.evals.runs.service.adapters import open_adapters
from benchstudio.evals.runs.service.case_hooks import (
    CaseObserver,
    open_observers,
    run_finish_hooks,
)
from benchstudio.evals.runs.service.lifecycle import RunPlan, finish_run, result_writer, start_run
from benchstudio.evals.runs.service.semantic import RunSemantic, open_semantic_prepass
from benchstudio.evals.runs.service.targets import runner_target
from benchstudio.jobs.context import JobCancelledError, JobContext, is_resumable
from benchstudio.jobs.domain import JobEstimate
from benchstudio.jobs.registry import JobType
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.live.records import LiveCaseResult
from benchstudio.toolcall.live.runner import LiveEvalRunner
from benchstudio.toolcall.profiles import get_profile

log = logging.getLogger(__name__)
CASE_EVENT = "eval_case_result"
PROGRESS_INTERVAL_S = 0.25
JOB_TIMEOUT_S = 6 * 3600.0


@dataclass(slots=True)
class _Progress:
    last: float = 0.0

    def due(self, done: bool) -> bool:
        now = time.monotonic()
        if done or now - self.last >= PROGRESS_INTERVAL_S:
            self.last = now
            return True
        return False


def _case_event(plan: RunPlan, result_id: str, result: LiveCaseResult) -> dict[str, Any]:
    verdict = result.verdict
    return {
        "run_id": plan.run_id,
        "result_id": result_id,
        "target": result.target,
        "case_id": result.case_id,
        "category": verdict.category,
        "pass": verdict.passed,
        "error_category": verdict.error_category.value if verdict.error_category else None,
        "latency_ms": verdict.latency_ms,
        "finished": len(plan.finished),
        "passed": plan.passed,
        "total": plan.total,
    }


async def _record(
    ctx: JobContext,
    plan: RunPlan,
    result: LiveCaseResult,
    progress: _Progress,
    observers: list[CaseObserver],
    semantic: RunSemantic | None,
) -> None:
    result_id, write = result_writer(plan, result)
    plan.finished.add((result.target, result.case_id))
    plan.passed += int(result.passed)
    done = len(plan.finished) >= plan.total
    percent = 100 * len(plan.finished) / plan.total if plan.total else 100.0
    await ctx.record_unit(
        write,
        [(CASE_EVENT, _case_event(plan, result_id, result))],
        percent=percent if progress.due(done) else None,
        detail=f"{len(plan.finished)} of {plan.total} cases",
        charge_usd=semantic.take_cost() if semantic is not None else 0.0,
    )
    for observer in observers:  # stored first: an observer (live judge) reads a kept case
        observer.on_case(result_id, result)


async def _cancel_when_asked(ctx: JobContext, runner: LiveEvalRunner) -> None:
    await ctx.cancel_event.wait()
    runner.cancel()


async def _run_cases(
    ctx: JobContext, catalog: CatalogContext, plan: RunPlan, observers: list[CaseObserver]
) -> str | None:
    """Run the remaining cases; the stop reason if the request budget ended the run early."""
    async with AsyncExitStack() as stack:
        adapters, base_urls = await open_adapters(catalog, stack, plan.targets)
        targets = [
            runner_target(t, plan.settings, base_urls[t["provider_id"]], t) for t in plan.targets
        ]
        by_label = {t["label"]: adapters[t["provider_id"]] for t in plan.targets}
        suite = plan.remaining_suite
        if not suite.cases:
            return None
        semantic = await stack.enter_async_context(open_semantic_prepass(catalog, plan.settings))
        runner = LiveEvalRunner(
            suite,
            targets,
            get_profile(plan.profile),
            lambda target: by_label[target.label],
            semantic=semantic.prepass if semantic is not None else None,
        )
        watcher = asyncio.create_task(_cancel_when_asked(ctx, runner))
        progress = _Progress()
        limit, sent = ctx.budget.max_requests, 0
        # An async generator: closed below, so stopping early cancels its workers at once.
        results = cast(AsyncGenerator[LiveCaseResult, None], runner.run())
        try:
            async for result in results:
                if (result.target, result.case_id) in plan.finished:
                    continue
                await _record(ctx, plan, result, progress, observers, semantic)
                ctx.raise_if_cancelled()
                # A multi-turn case sends a request per exchange: past the owner's per-run
                # limit no further case is scheduled (the finished ones are kept).
                sent += max(1, len(result.exchanges))
                if limit is not None and sent >= limit and len(plan.finished) < plan.total:
                    runner.cancel()
                    return f"request limit: {sent} requests sent, limit {limit}"
        finally:
            watcher.cancel()
            await results.aclose()
            await _charge_rest(ctx, semantic)
    return None


async def _charge_rest(ctx: JobContext, semantic: RunSemantic | None) -> None:
    """Similarities computed for cases that were not stored (cancel, limit) cost too."""
    rest = semantic.take_cost() if semantic is not None else 0.0
    if not rest:
        return
    try:
        await ctx.record_unit(None, [], charge_usd=rest)
    except Exception:  # best effort: never raised over the run's own ending
        log.exception("could not charge an eval run's last similarity calls")


async def _close_observers(observers: list[CaseObserver]) -> None:
    """Cancel or error: stop every observer's work; one failing does not stop the others."""
    for observer in observers:
        try:
            await observer.aclose()
        except Exception:
            log.exception("a case observer did not close cleanly")


def _service_context(ctx: JobContext) -> ServiceContext:
    """The run's use cases act for the job's owner, on the job's database."""
    return ServiceContext.for_owner(ctx.database, ctx.owner_id)


async def _finish_quietly(ctx: JobContext, plan: RunPlan, status: str, error: str | None) -> None:
    """Best effort: the job row is the source of truth if this write fails (the run then shows
    its job's final state), so the failure is logged, not raised over the job's own error."""
    try:
        await finish_run(_service_context(ctx), plan.run_id, status, error)
    except Exception:
        log.exception(
            "could not store an eval run's final state",
            extra={"run_id": plan.run_id, "status": status},
        )


async def run_tool_eval(ctx: JobContext) -> Mapping[str, Any]:
    settings = ctx.settings
    catalog = CatalogContext.from_settings(
        ctx.database, Vault(settings.vault_key_list()), settings, owner_id=ctx.owner_id
    )
    plan = await start_run(_service_context(ctx), str(ctx.params["run_id"]))
    observers: list[CaseObserver] = []
    try:
        observers = await open_observers(ctx, plan)
        stop_reason = await _run_cases(ctx, catalog, plan, observers)
        ctx.raise_if_cancelled()
        for observer in observers:
            await observer.finish()
    except (JobCancelledError, asyncio.CancelledError):
        await _close_observers(observers)
        await _finish_quietly(ctx, plan, "cancelled" if ctx.cancelled else "interrupted", None)
        raise
    except Exception as error:
        await _close_observers(observers)
        message = getattr(error, "message", None) or redact(f"{type(error).__name__}: {error}")
        # The database or Redis failing under the run is resumable; anything else is not.
        status = "interrupted" if is_resumable(error) else "failed"
        await _finish_quietly(ctx, plan, status, message[:500])
        raise
    status = "done" if stop_reason is None else "stopped"
    summary = await finish_run(_service_context(ctx), plan.run_id, status, stop_reason)
    await run_finish_hooks(ctx, plan.run_id)
    return {
        "run_id": plan.run_id,
        "finished_cases": len(plan.finished),
        "summary": summary,
        "stop_reason": stop_reason,
    }


def eval_estimate(params: Mapping[str, Any]) -> JobEstimate:
    """Each case run is at least one request; case results carry no cost, so only targets
    that cost nothing (the built-in simulator) bound it (the rest are named as unpriced)."""
    unpriced = tuple(str(m) for m in params.get("unpriced_models") or ())
    return JobEstimate(
        requests=int(params.get("planned_requests") or 0),
        cost_usd=None if unpriced else 0.0,
        unpriced=unpriced,
        noun="case runs",
    )


TOOL_EVAL_JOB = JobType(
    TOOL_EVAL_JOB_TYPE, run_tool_eval, timeout_s=JOB_TIMEOUT_S, estimate=eval_estimate
)
