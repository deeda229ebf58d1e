"""Comparative judging use cases: submit a comparison, store pairs, read them back.

Two (run, target) results compare only on the same suite version (one run or two): anything
else is refused with 422 `suite_version_mismatch`, naming both versions. The report (kind
`comparative`) and its `judge_compare` job are written in one unit of work, so a refused
submit leaves nothing behind. The subject is result A: wins are A's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.schemas import ModelOut
from benchstudio.core.errors import AppError, NotFoundError
from benchstudio.evals.runs.service import export as eval_export
from benchstudio.evals.runs.service import history as eval_history
from benchstudio.jobs.context import UnitWriter
from benchstudio.jobs.domain import JobEnding, JobEstimate
from benchstudio.judge.domain.eval_export import ExportedRun, read_export
from benchstudio.judge.models import JudgePairVerdict
from benchstudio.judge.repository import pairs as pairs_repo
from benchstudio.judge.repository import reports as reports_repo
from benchstudio.judge.schemas import (
    JudgeCompareIn,
    JudgeSubmitted,
    PairJudgementOut,
    ResultRef,
)
from benchstudio.judge.service.context import JudgeContext
from benchstudio.judge.service.experiment_filing import experiment_of
from benchstudio.judge.service.judge_models import model_price
from benchstudio.judge.service.prompt_source import record_prompt_use, resolve_judge_prompt
from benchstudio.providers.pricing import ModelPrice
from benchstudio.storage.service_context import ServiceContext

JUDGE_COMPARE_JOB_TYPE = "judge_compare"
# Requests per pair: both orders, and a repair each at worst (the estimate's upper bound).
REQUESTS_PER_PAIR = 4
# What one order's prompt and answer take, for the cost estimate before the transcripts are read.
TOKENS_PER_ORDER = (3000, 300)


@dataclass(frozen=True, slots=True)
class ReportStart:
    report_id: str
    eval_run_id: str
    target: str
    other_eval_run_id: str
    other_target: str
    judge_model_ref_id: str
    prompt_entry_id: str
    prompt_version: int
    budget_usd: float | None
    done_case_ids: set[str]


def refuse(message: str, code: str) -> AppError:
    return AppError(message, code=code, status_code=422)


async def load_result(ctx: ServiceContext, run_id: str) -> ExportedRun:
    """A run as its JSON export (suite snapshot and every result), the owner's only."""
    text = "".join([piece async for piece in eval_export.export_json(ctx, run_id)])
    return read_export(json.loads(text))


async def resolve_prompt_body(
    ctx: ServiceContext, entry_id: str, version: int | None
) -> tuple[str, int]:
    """The judge prompt's body and version (the prompt library, via `prompt_source`)."""
    found = await resolve_judge_prompt(ctx, entry_id, version)
    return found.body, found.version


async def _check_refs(ctx: ServiceContext, a: ResultRef, b: ResultRef) -> tuple[int, str]:
    """Both results exist and ran the same suite version; (cases to pair, their suite)."""
    run_a = await eval_history.get_run(ctx, a.eval_run_id)
    run_b = await eval_history.get_run(ctx, b.eval_run_id)
    for run, ref in ((run_a, a), (run_b, b)):
        if ref.target not in run.models:
            raise NotFoundError(f"The run {run.id} has no target {ref.target!r}.")
    if (a.eval_run_id, a.target) == (b.eval_run_id, b.target):
        raise refuse("A result cannot be compared with itself.", "same_result")
    first = f"{run_a.suite_name} v{run_a.suite_version}"
    second = f"{run_b.suite_name} v{run_b.suite_version}"
    if (run_a.suite_id, run_a.suite_version) != (run_b.suite_id, run_b.suite_version):
        raise refuse(
            f"The results ran different suite versions ({first} and {second}); a comparison "
            "needs the same cases and expectations.",
            "suite_version_mismatch",
        )
    # Cases per target (a run's counts cover all its targets): the pairs at most.
    cases = min(run.finished_cases // max(1, len(run.models)) for run in (run_a, run_b))
    return max(1, cases), first


async def submit_comparison(ctx: JudgeContext, data: JudgeCompareIn) -> JudgeSubmitted:
    owner_id = ctx.require_owner()
    pairs, _ = await _check_refs(ctx, data.a, data.b)
    model, price = await judge_price(ctx, data.judge_model_ref_id)
    _, version = await resolve_prompt_body(ctx, data.prompt_entry_id, data.prompt_version)
    experiment_id = await experiment_of(ctx, data.experiment_id, data.a.eval_run_id)
    report_id = ""

    async def write(session: AsyncSession, job_id: str) -> None:
        nonlocal report_id
        report = await reports_repo.create_report(
            session,
            owner_id=owner_id,
            experiment_id=experiment_id,
            kind="comparative",
            eval_run_id=data.a.eval_run_id,
            target=data.a.target,
            other_eval_run_id=data.b.eval_run_id,
            other_target=data.b.target,
            mode="compare",
            judge_model_ref_id=data.judge_model_ref_id,
            judge_model_name=model.display_name,
            prompt_entry_id=data.prompt_entry_id,
            prompt_version=version,
            budget_usd=data.budget_usd,
        )
        report.job_id = job_id
        report_id = report.id

    params = estimate_params(pairs * REQUESTS_PER_PAIR, pairs * 2, model.display_name, price)
    job = await ctx.jobs.submit(owner_id, JUDGE_COMPARE_JOB_TYPE, params, write=write)
    label = f"Comparison ({data.a.target} vs {data.b.target})"
    await record_use(ctx, data.prompt_entry_id, version, report_id, label)
    return JudgeSubmitted(report_id=report_id, job_id=job.id)


async def record_use(
    ctx: ServiceContext, entry_id: str, version: int, report_id: str, label: str
) -> None:
    """Best effort: the prompt's used-by list names the report (a convenience, never fatal)."""
    try:
        prompt = await resolve_judge_prompt(ctx, entry_id, version)
        await record_prompt_use(ctx, prompt, report_id, label)
    except Exception:
        return


async def judge_price(ctx: JudgeContext, model_ref_id: str) -> tuple[ModelOut, ModelPrice | None]:
    """The judge's catalog model (the owner's; 404 otherwise) and its price (None: unpriced)."""
    catalog = ctx.catalog.for_tenant(ctx.require_owner())
    model = await catalog_service.get_model(catalog, model_ref_id)
    provider = await catalog_service.get_provider(catalog, model.provider_id)
    return model, model_price(model, provider)


def estimate_params(
    requests: int, calls: int, model_name: str, price: ModelPrice | None
) -> dict[str, Any]:
    """The job's params the estimate reads: requests at worst, and a cost from typical tokens."""
    cost = None
    if price is not None:
        tokens_in, tokens_out = TOKENS_PER_ORDER
        per_call = tokens_in * price.input + tokens_out * price.output
        cost = float(calls * per_call / 1_000_000)
    return {
        "planned_requests": requests,
        "cost_usd": cost,
        "unpriced_models": [] if cost is not None else [model_name],
    }


def judge_estimate(params: Mapping[str, Any]) -> JobEstimate:
    """The estimate of `judge_compare` and `judge_report` jobs (their params above)."""
    unpriced = tuple(str(m) for m in params.get("unpriced_models") or ())
    cost = params.get("cost_usd")
    return JobEstimate(
        requests=int(params.get("planned_requests") or 0),
        cost_usd=None if unpriced or cost is None else float(cost),
        unpriced=unpriced,
        noun="judge requests",
    )


async def store_pairs(
    ctx: ServiceContext, report_id: str, records: Sequence[dict[str, Any]]
) -> None:
    """Stored pairs of a report (one unit)."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        pairs_repo.add_pairs(
            session,
            (JudgePairVerdict(report_id=report_id, owner_id=owner_id, **r) for r in records),
        )


async def stored_pairs(ctx: ServiceContext, report_id: str) -> list[dict[str, Any]]:
    rows = await list_pairs(ctx, report_id)
    return [row.model_dump() for row in rows]


async def list_pairs(ctx: ServiceContext, report_id: str) -> list[PairJudgementOut]:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        report = await reports_repo.get_owned_report(session, owner_id, report_id)
        if report is None:
            raise NotFoundError("No such judge report.")
        rows = await pairs_repo.list_pairs(session, owner_id, report_id)
        return [PairJudgementOut.model_validate(row) for row in rows]


def pair_writer(owner_id: str, report_id: str, record: dict[str, Any]) -> UnitWriter:
    """The job's unit for one finished pair."""

    async def write(session: AsyncSession) -> None:
        pairs_repo.add_pairs(
            session, [JudgePairVerdict(report_id=report_id, owner_id=owner_id, **record)]
        )

    return write


async def start_job_report(ctx: ServiceContext, job_id: str) -> ReportStart:
    """Mark the job's report running; what it judges, and the pairs already stored (resume)."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        report = await reports_repo.report_of_job(session, owner_id, job_id)
        if report is None:
            raise NotFoundError("The job's judge report is gone.")
        reports_repo.mark_running(report, job_id)
        done = await pairs_repo.judged_case_ids(session, report.id)
        return ReportStart(
            report_id=report.id,
            eval_run_id=report.eval_run_id,
            target=report.target,
            other_eval_run_id=report.other_eval_run_id or report.eval_run_id,
            other_target=report.other_target or report.target,
            judge_model_ref_id=report.judge_model_ref_id or "",
            prompt_entry_id=report.prompt_entry_id,
            prompt_version=report.prompt_version,
            budget_usd=report.budget_usd,
            done_case_ids=done,
        )


async def finish_job_report(
    ctx: ServiceContext,
    report_id: str,
    status: str,
    summary: dict[str, Any] | None,
    error: str | None = None,
) -> None:
    async with ctx.unit() as session:
        report = await reports_repo.get_owned_report(session, ctx.require_owner(), report_id)
        if report is None:
            return
        cost = summary.get("cost_usd") if summary else None
        reports_repo.finish_report(report, status, summary, cost, error)


async def report_follows_job(ctx: ServiceContext, ending: JobEnding) -> None:
    """`on_ended` of `judge_compare` and `judge_report`: a report still active (its job died
    or was cancelled before the handler could say) takes its job's final state."""
    async with ctx.unit() as session:
        report = await reports_repo.report_of_job(session, ctx.require_owner(), ending.job_id)
        if report is None or report.status not in reports_repo.ACTIVE_STATUSES:
            return
        status = ending.status.value
        final = status if status in ("done", "failed", "cancelled") else "failed"
        reports_repo.finish_report(report, final, report.summary, report.cost_usd, ending.error)
