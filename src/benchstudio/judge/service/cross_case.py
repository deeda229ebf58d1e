"""Cross-case report: the measured grade, then the model's findings (map-reduce), checked.

The grade needs a mean judge score, so a report needs the result's cases judged first: the
server takes the latest finished per-case report of the result and refuses with 422
`judge_cases_first` when there is none (the offline CLI judges the cases itself). The pass rate
is the one under the run's verdict policy, as that per-case report states it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.errors import AppError, NotFoundError
from benchstudio.evals.runs.service import history as eval_history
from benchstudio.judge.domain.cross_case import JudgedCase
from benchstudio.judge.domain.eval_export import ExportedRun
from benchstudio.judge.domain.grade import grade_for
from benchstudio.judge.domain.transcript import case_from_live
from benchstudio.judge.repository import case_verdicts as verdicts_repo
from benchstudio.judge.repository import reports as reports_repo
from benchstudio.judge.schemas import JudgeCrossCaseIn, JudgeSubmitted
from benchstudio.judge.service import reports as judge_reports
from benchstudio.judge.service.comparative import (
    estimate_params,
    judge_price,
    record_use,
    resolve_prompt_body,
)
from benchstudio.judge.service.context import JudgeContext
from benchstudio.judge.service.experiment_filing import experiment_of
from benchstudio.judge.service.report_writer import ReportRun
from benchstudio.storage.service_context import ServiceContext

JUDGE_REPORT_JOB_TYPE = "judge_report"
FINISHED = ("done", "stopped")


def judged_cases(
    run: ExportedRun, target: str, verdicts: Mapping[str, Mapping[str, Any]]
) -> list[JudgedCase]:
    """What the report reads per case: the automated outcome, the calls made and expected (as
    the judge's blind rendering decodes them) and the judge's verdict, if any. `verdicts` maps
    case id to a stored verdict (`score`, `verdict`, `reasoning`)."""
    by_id = {case.id: case for case in run.suite.cases}
    cases: list[JudgedCase] = []
    for result in run.result(target)[1]:
        case = by_id.get(result.case_id)
        if case is None:
            continue
        shown = case_from_live(result, case, run.suite.tools_for(case), hide=[target])
        found = verdicts.get(result.case_id) or {}
        cases.append(
            JudgedCase(
                case_id=result.case_id,
                category=result.verdict.category,
                automated_pass=result.passed,
                tools_expected=tuple(str(c.get("name", "")) for c in shown.expected_calls),
                tools_called=tuple(call.name for turn in shown.turns for call in turn.calls),
                error=shown.error,
                judge_verdict=found.get("verdict"),
                judge_score=found.get("score"),
                judge_reasoning=found.get("reasoning"),
            )
        )
    return cases


def measured_figures(
    pass_rate: float, mean_score: float, cases: Sequence[JudgedCase]
) -> dict[str, Any]:
    """The figures the grade comes from, and the per-category pass rates the model reads."""
    by_category: dict[str, list[bool]] = {}
    for case in cases:
        by_category.setdefault(case.category, []).append(case.automated_pass)
    rates = ", ".join(f"{name} {sum(v)}/{len(v)}" for name, v in sorted(by_category.items()))
    return {
        "grade": grade_for(pass_rate, mean_score),
        "pass rate": f"{100 * pass_rate:.1f}%",
        "mean judge score": f"{mean_score:.2f} of 5",
        "cases": len(cases),
        "passed by category": rates or "none",
    }


def report_summary(run: ReportRun, pass_rate: float, mean_score: float) -> dict[str, Any]:
    """The stored summary (`CrossCaseSummaryOut`'s fields, plus the call counts)."""
    findings = run.findings
    return {
        "grade": grade_for(pass_rate, mean_score),
        "pass_rate": pass_rate,
        "mean_score": mean_score,
        "strengths": list(findings.strengths) if findings else [],
        "weaknesses": list(findings.weaknesses) if findings else [],
        "failure_patterns": [
            {**p.model_dump(), "tool": p.tool or None} for p in findings.failure_patterns
        ]
        if findings
        else [],
        "recommendations": [r.model_dump() for r in findings.recommendations] if findings else [],
        "used_case_ids": run.used_case_ids,
        "dropped_citations": len(run.dropped),
        "dropped_case_ids": run.dropped,
        "oversized_case_ids": run.oversized_case_ids,
        "chunks": run.chunks,
        "calls": run.calls,
        "parse_failures": run.parse_failures,
        "cost_usd": run.cost_usd,
    }


async def latest_cases_report(
    ctx: ServiceContext, eval_run_id: str, target: str
) -> tuple[str, float, float]:
    """The latest finished per-case report of a result: (id, pass rate under the run's
    verdict policy, mean judge score), reviews applied; 422 `judge_cases_first` without one."""
    async with ctx.read() as session:
        reports = await reports_repo.reports_of_run(session, ctx.require_owner(), eval_run_id)
        done = [
            r.id
            for r in sorted(reports, key=lambda r: r.version, reverse=True)
            if r.target == target and r.status in FINISHED
        ]
    for report_id in done:
        figures = (await judge_reports.report_detail(ctx, report_id)).cases_summary
        if figures is None or figures.mean_score is None:
            continue
        policy = figures.policy
        # Policy 'both' shows both rates; the grade uses the automated one, always measured.
        rate = policy.final_pass_rate
        if rate is None:
            rate = policy.automated_pass_rate
        if rate is not None:
            return report_id, rate, figures.mean_score
    raise AppError(
        "Judge this result's cases first: the grade needs a mean judge score.",
        code="judge_cases_first",
        status_code=422,
    )


async def case_verdicts(ctx: ServiceContext, report_id: str) -> dict[str, dict[str, Any]]:
    async with ctx.read() as session:
        rows = await verdicts_repo.verdicts_of(session, ctx.require_owner(), [report_id])
        return {
            r.case_id: {"verdict": r.verdict, "score": r.score, "reasoning": r.reasoning}
            for r in rows
        }


async def submit_report(ctx: JudgeContext, data: JudgeCrossCaseIn) -> JudgeSubmitted:
    owner_id = ctx.require_owner()
    run = await eval_history.get_run(ctx, data.eval_run_id)  # the caller's, else 404
    if data.target not in run.models:
        raise NotFoundError(f"The run {run.id} has no target {data.target!r}.")
    cases_report_id, _, _ = await latest_cases_report(ctx, data.eval_run_id, data.target)
    model, price = await judge_price(ctx, data.judge_model_ref_id)
    _, version = await resolve_prompt_body(ctx, data.prompt_entry_id, data.prompt_version)
    cases = len(await case_verdicts(ctx, cases_report_id))
    experiment_id = await experiment_of(ctx, data.experiment_id, data.eval_run_id)
    report_id = ""

    async def write(session: AsyncSession, job_id: str) -> None:
        nonlocal report_id
        report = await reports_repo.create_report(
            session,
            owner_id=owner_id,
            experiment_id=experiment_id,
            kind="cross_case",
            eval_run_id=data.eval_run_id,
            target=data.target,
            mode="report",
            judge_model_ref_id=data.judge_model_ref_id,
            judge_model_name=model.display_name,
            prompt_entry_id=data.prompt_entry_id,
            prompt_version=version,
            budget_usd=data.budget_usd,
        )
        report.job_id = job_id
        report_id = report.id

    # About 20 case summaries per map call, plus the reduce calls.
    calls = max(1, cases // 20) * 2
    params = estimate_params(calls, calls, model.display_name, price)
    job = await ctx.jobs.submit(owner_id, JUDGE_REPORT_JOB_TYPE, params, write=write)
    label = f"Cross-case report ({data.target})"
    await record_use(ctx, data.prompt_entry_id, version, report_id, label)
    return JudgeSubmitted(report_id=report_id, job_id=job.id)
