"""The `judge_compare` job: judge two results case by case in both orders, store each pair.

Each finished pair is stored with its event in one unit, its cost charged to the ledger in the
same transaction. Cancel stops new pairs; a budget stops the job ("stopped") once spent. A
resumed job skips the pairs already stored. The summary is computed from the stored pairs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from benchstudio.catalog.service import CatalogContext
from benchstudio.core.redaction import redact
from benchstudio.credentials.service import Vault
from benchstudio.jobs.context import JobCancelledError, JobContext
from benchstudio.jobs.registry import JobType
from benchstudio.judge.service import comparative
from benchstudio.judge.service.judge_models import open_judge_model
from benchstudio.judge.service.pair_judging import comparison_summary, judge_pairs, pair_inputs
from benchstudio.storage.service_context import ServiceContext

PAIR_EVENT = "judge_pair"
JOB_TIMEOUT_S = 6 * 3600.0


async def run_judge_compare(ctx: JobContext) -> Mapping[str, Any]:
    service = ServiceContext.for_owner(ctx.database, ctx.owner_id)
    start = await comparative.start_job_report(service, ctx.job_id)
    try:
        stop_reason = await _judge(ctx, service, start)
        ctx.raise_if_cancelled()
    except (JobCancelledError, asyncio.CancelledError):
        await _finish(service, start.report_id, "cancelled", None)
        raise
    except Exception as error:
        message = getattr(error, "message", None) or redact(f"{type(error).__name__}: {error}")
        await _finish(service, start.report_id, "failed", message[:500])
        raise
    summary = await _finish(
        service, start.report_id, "stopped" if stop_reason else "done", stop_reason
    )
    return {"report_id": start.report_id, "summary": summary, "stop_reason": stop_reason}


async def _finish(
    service: ServiceContext, report_id: str, status: str, error: str | None
) -> dict[str, Any]:
    summary = comparison_summary(await comparative.stored_pairs(service, report_id))
    if error and status == "stopped":
        summary["stop_reason"] = error
    await comparative.finish_job_report(service, report_id, status, summary, error)
    return summary


async def _judge(
    ctx: JobContext, service: ServiceContext, start: comparative.ReportStart
) -> str | None:
    first = await comparative.load_result(service, start.eval_run_id)
    second = first
    if start.other_eval_run_id != start.eval_run_id:
        second = await comparative.load_result(service, start.other_eval_run_id)
    pairs = pair_inputs(first, start.target, second, start.other_target, skip=start.done_case_ids)
    body, _ = await comparative.resolve_prompt_body(
        service, start.prompt_entry_id, start.prompt_version
    )
    catalog = CatalogContext.from_settings(
        ctx.database, Vault(ctx.settings.vault_key_list()), ctx.settings, owner_id=ctx.owner_id
    )
    total, done = len(pairs) + len(start.done_case_ids), len(start.done_case_ids)
    spent = 0.0
    stop_reason: str | None = None

    async def stored(record: dict[str, Any]) -> None:
        nonlocal done, spent, stop_reason
        cost = record["cost_usd"] or 0.0
        done += 1
        spent += cost
        await ctx.record_unit(
            comparative.pair_writer(ctx.owner_id, start.report_id, record),
            [(PAIR_EVENT, {"report_id": start.report_id, **record})],
            percent=100 * done / total if total else 100.0,
            detail=f"{done} of {total} cases",
            charge_usd=cost,
        )
        for cap, what in ((start.budget_usd, "budget"), (ctx.budget.max_cost_usd, "spend cap")):
            if cap is not None and spent >= cap and stop_reason is None:
                stop_reason = f"{what}: ${spent:.4f} spent of ${cap:.4f}"

    async with open_judge_model(catalog, start.judge_model_ref_id) as judge:
        await judge_pairs(
            judge,
            body,
            pairs,
            stored,
            stop=lambda: ctx.cancelled or stop_reason is not None,
        )
    return stop_reason


JUDGE_COMPARE_JOB = JobType(
    comparative.JUDGE_COMPARE_JOB_TYPE,
    run_judge_compare,
    timeout_s=JOB_TIMEOUT_S,
    estimate=comparative.judge_estimate,
)
