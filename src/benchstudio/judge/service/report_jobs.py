"""The `judge_cases` job's work: fill its report case by case, then store the figures.

A resumed job skips the cases its report already holds; an auto-judge report also skips the
cases any other report of the result judged. Cancel stops new cases at once (those in flight
are stored) and the report ends `cancelled`; a budget stop ends it `stopped`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from benchstudio.catalog.service import CatalogContext
from benchstudio.core.errors import NotFoundError
from benchstudio.core.redaction import redact
from benchstudio.evals.runs.service import judging as eval_judging
from benchstudio.jobs import repository as job_repository
from benchstudio.jobs.context import JobCancelledError, JobContext
from benchstudio.jobs.domain import JobEnding
from benchstudio.judge.models import JudgeReport
from benchstudio.judge.repository import case_verdicts, reports
from benchstudio.judge.service.judge_models import open_judge_model
from benchstudio.judge.service.judging import (
    Recorder,
    ReportPlan,
    UnitWriter,
    items_of,
    judge_items,
)
from benchstudio.judge.service.prompt_source import resolve_judge_prompt
from benchstudio.judge.service.reports import cases_figures
from benchstudio.storage.service_context import ServiceContext

log = logging.getLogger(__name__)
POST_CONCURRENCY = 4


async def begin_report(
    ctx: ServiceContext, job_id: str, *, budget_cap: float | None = None
) -> tuple[ReportPlan, dict[str, Any]]:
    """Mark the job's report running and plan it; returns the plan and the report's fields."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        report = await reports.report_of_job(session, owner_id, job_id)
        if report is None:
            raise NotFoundError("The judge report was deleted.")
        reports.mark_running(report, job_id)
        report_id = report.id
        fields: dict[str, Any] = {
            "eval_run_id": report.eval_run_id,
            "target": report.target,
            "mode": report.mode,
            "scope": report.scope,
            "category": report.category,
            "judge_model_ref_id": report.judge_model_ref_id,
            "prompt_entry_id": report.prompt_entry_id,
            "prompt_version": report.prompt_version,
            "show_automated": report.show_automated,
        }
        budget = report.budget_usd
        held = {v.case_id for v in await case_verdicts.verdicts_of(session, owner_id, [report.id])}
    if budget_cap is not None:  # the owner's spend cap bounds the job too
        budget = budget_cap if budget is None else min(budget, budget_cap)
    prompt = await resolve_judge_prompt(ctx, fields["prompt_entry_id"], fields["prompt_version"])
    plan = ReportPlan(report_id, owner_id, prompt.body, fields["show_automated"], budget)
    fields["held"] = held
    return plan, fields


async def end_report(
    ctx: ServiceContext, plan: ReportPlan, status: str, error: str | None = None
) -> dict[str, Any] | None:
    """Store the final status and the report's figures (recomputed from its rows)."""
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        report = await reports.get_owned_report(session, owner_id, plan.report_id)
        rows = await case_verdicts.verdicts_of(session, owner_id, [plan.report_id])
        session.expunge_all()
    if report is None:
        return None
    report.cost_usd = plan.cost_usd
    report.summary = {"stop_reason": plan.stop_reason}
    summary = await cases_figures(ctx, report, rows)
    async with ctx.unit() as session:
        stored = await reports.get_owned_report(session, owner_id, plan.report_id)
        if stored is not None:
            reports.finish_report(stored, status, summary, plan.cost_usd, error)
    return summary


async def end_quietly(
    ctx: ServiceContext, plan: ReportPlan, status: str, error: str | None
) -> None:
    """Best effort (the job's own state is the source of truth, see `report_follows_job`)."""
    try:
        await end_report(ctx, plan, status, error)
    except Exception:
        log.exception("could not store a judge report's final state")


def job_recorder(ctx: JobContext, plan: ReportPlan) -> Recorder:
    async def record(
        write: UnitWriter, events: list[tuple[str, Mapping[str, Any]]], charge: float
    ) -> None:
        percent = 100 * plan.done / plan.total if plan.total else 100.0
        detail = f"{plan.done} of {plan.total} cases judged"
        await ctx.record_unit(write, events, percent=percent, detail=detail, charge_usd=charge)

    return record


async def run_cases_job(ctx: JobContext, catalog: CatalogContext) -> dict[str, Any]:
    service = ServiceContext.for_owner(ctx.database, ctx.owner_id)
    plan, fields = await begin_report(service, ctx.job_id, budget_cap=ctx.budget.max_cost_usd)
    try:
        skip = set(fields["held"])
        if fields["mode"] == "auto":
            async with service.read() as session:
                skip |= await case_verdicts.judged_case_ids(
                    session, ctx.owner_id, fields["eval_run_id"], fields["target"]
                )
        result = await eval_judging.result_for_judge(
            service, fields["eval_run_id"], fields["target"]
        )
        items = items_of(result, scope=fields["scope"], category=fields["category"])
        items = [item for item in items if item.case.case_id not in skip]
        plan.total = len(items)
        async with open_judge_model(catalog, fields["judge_model_ref_id"]) as judge:
            await judge_items(
                judge,
                plan,
                items,
                job_recorder(ctx, plan),
                concurrency=POST_CONCURRENCY,
                cancelled=lambda: ctx.cancelled,
            )
        ctx.raise_if_cancelled()
    except (JobCancelledError, asyncio.CancelledError):
        await end_quietly(service, plan, "cancelled", None)
        raise
    except Exception as error:
        message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        await end_quietly(service, plan, "failed", redact(str(message))[:500])
        raise
    status = "stopped" if plan.stop_reason else "done"
    summary = await end_report(service, plan, status)
    return {"report_id": plan.report_id, "judged": plan.done, "summary": summary}


def _follow(report: JudgeReport, status: str, error: str | None) -> None:
    final = status if status in ("done", "failed", "cancelled") else "failed"
    if status == "interrupted":
        error = error or "The job was interrupted; resume it to go on."
    reports.finish_report(report, final, report.summary, report.cost_usd, error)


async def report_follows_job(ctx: ServiceContext, ending: JobEnding) -> None:
    """`on_ended` of `judge_cases`: a report still active takes its job's final state."""
    async with ctx.unit() as session:
        report = await reports.report_of_job(session, ctx.require_owner(), ending.job_id)
        if report is None or report.status not in reports.ACTIVE_STATUSES:
            return
        _follow(report, ending.status.value, ending.error)


async def repair_reports(ctx: ServiceContext) -> int:
    """At start-up: reports still active whose job (a judge job, or the eval job of a live
    report) has ended take its final state; those whose job is gone fail. Returns how many."""
    repaired = 0
    async with ctx.unit() as session:
        active = await reports.active_reports(session)
        job_ids = [report.job_id for report in active if report.job_id]
        present = await job_repository.statuses_of(session, job_ids)
        endings = await job_repository.endings_of(session, job_ids, lock=True)
        for report in active:
            ending = endings.get(report.job_id or "")
            if ending is not None:
                _follow(report, ending.status.value, ending.error)
            elif report.job_id not in present:
                _follow(report, "failed", "The report's job is gone.")
            else:
                continue
            repaired += 1
    return repaired
