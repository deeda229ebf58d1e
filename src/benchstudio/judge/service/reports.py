"""Reading judge reports: list, detail (figures recomputed from the rows), per-case verdicts,
reviews, delete, and a run's verdict policy."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.errors import ConflictError, NotFoundError
from benchstudio.evals.runs.service import history as eval_history
from benchstudio.evals.runs.service import judging as eval_judging
from benchstudio.judge.domain.case_summary import Policy, VerdictRow, cases_summary
from benchstudio.judge.models import JudgeCaseVerdict, JudgeReport
from benchstudio.judge.repository import case_verdicts, reports
from benchstudio.judge.schemas import (
    CaseJudgementOut,
    CasesSummaryOut,
    ComparativeSummaryOut,
    CrossCaseSummaryOut,
    JudgeReportDetail,
    JudgeReportOut,
    PolicyOut,
)
from benchstudio.storage.service_context import ServiceContext

ACTIVE = ("queued", "running")


def verdict_row(row: JudgeCaseVerdict) -> VerdictRow:
    return VerdictRow(
        case_id=row.case_id,
        category=row.category,
        score=row.score,
        verdict=cast(Any, row.verdict),
        automated_pass=row.automated_pass,
        review=row.review,
        parse_error=row.parse_error,
        skipped_reason=row.skipped_reason,
    )


async def _owned_report(session: AsyncSession, owner_id: str, report_id: str) -> JudgeReport:
    report = await reports.get_owned_report(session, owner_id, report_id)
    if report is None:
        raise NotFoundError("No such judge report.")
    return report


async def list_reports(
    ctx: ServiceContext, eval_run_id: str | None, kind: str | None, experiment_id: str | None = None
) -> list[JudgeReportOut]:
    async with ctx.read() as session:
        rows = await reports.list_reports(
            session,
            ctx.require_owner(),
            eval_run_id=eval_run_id,
            kind=kind,
            experiment_id=experiment_id,
        )
        return [JudgeReportOut.model_validate(r) for r in rows]


async def automated_passes(ctx: ServiceContext, eval_run_id: str, target: str) -> dict[str, bool]:
    """Every case of the result → its automated pass (the policy's denominator)."""
    _, verdicts = await eval_history.verdicts_of(ctx, eval_run_id)
    return {v.case_id: v.passed for v in verdicts.get(target, [])}


async def cases_figures(
    ctx: ServiceContext,
    report: JudgeReport,
    rows: list[JudgeCaseVerdict],
    policy: str | None = None,
) -> dict[str, Any]:
    automated = await automated_passes(ctx, report.eval_run_id, report.target)
    summary = report.summary or {}
    return cases_summary(
        [verdict_row(r) for r in rows],
        automated,
        cast(Policy, policy or report.verdict_policy),
        cost_usd=report.cost_usd,
        stop_reason=summary.get("stop_reason"),
    )


async def report_detail(ctx: ServiceContext, report_id: str) -> JudgeReportDetail:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        report = await _owned_report(session, owner_id, report_id)
        rows = await case_verdicts.verdicts_of(session, owner_id, [report.id])
        session.expunge_all()  # read after the unit ends (its commit would expire them)
    detail = JudgeReportDetail.model_validate(JudgeReportOut.model_validate(report).model_dump())
    summary = report.summary or {}
    if report.kind == "cases":
        figures = await cases_figures(ctx, report, rows)
        detail.cases_summary = CasesSummaryOut.model_validate(figures)
    elif report.kind == "comparative" and "win_rate" in summary:
        detail.comparative = ComparativeSummaryOut.model_validate(summary)
    elif report.kind == "cross_case" and "grade" in summary:
        detail.cross_case = CrossCaseSummaryOut.model_validate(summary)
    return detail


def _keep(row: JudgeCaseVerdict, only: str | None) -> bool:
    if only == "disagreements":
        return (
            row.verdict is not None
            and row.automated_pass is not None
            and (row.verdict == "pass") != row.automated_pass
        )
    if only == "failed":
        return row.verdict in ("fail", "marginal")
    if only == "parse_failures":
        return row.parse_error is not None and row.verdict is None
    return True


async def report_cases(
    ctx: ServiceContext, report_id: str, only: str | None
) -> list[CaseJudgementOut]:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        report = await _owned_report(session, owner_id, report_id)
        rows = await case_verdicts.verdicts_of(session, owner_id, [report.id])
        session.expunge_all()
    links = await eval_judging.result_ids(ctx, report.eval_run_id, report.target)
    out = []
    for row in rows:
        if _keep(row, only):
            item = CaseJudgementOut.model_validate(row)
            item.eval_result_id = links.get(row.case_id)
            out.append(item)
    return out


async def set_review(
    ctx: ServiceContext, report_id: str, case_id: str, review: str | None
) -> CaseJudgementOut:
    """Mark a disagreement judge-right or automated-right (null clears it)."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        await _owned_report(session, owner_id, report_id)
        row = await case_verdicts.get_verdict(session, owner_id, report_id, case_id)
        if row is None:
            raise NotFoundError("The report has no verdict for that case.")
        if review is not None and not _keep(row, "disagreements"):
            raise ConflictError(
                "Only a case where the judge and the automated verdict disagree can be reviewed.",
                code="not_a_disagreement",
            )
        row.review = review
        return CaseJudgementOut.model_validate(row)


async def delete_report(ctx: ServiceContext, report_id: str) -> None:
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        report = await _owned_report(session, owner_id, report_id)
        if report.status in ACTIVE:
            raise ConflictError(
                "The report is still being judged: cancel its job first.", code="report_active"
            )
        await reports.delete_report(session, owner_id, report_id)


async def run_policy(ctx: ServiceContext, eval_run_id: str) -> PolicyOut:
    """The run's verdict policy and the pass rate under it (from its latest per-case report)."""
    owner_id = ctx.require_owner()
    policy = await eval_judging.judge_policy(ctx, eval_run_id)
    async with ctx.read() as session:
        runs = await reports.reports_of_run(session, owner_id, eval_run_id)
        latest = runs[-1] if runs else None
        rows = await case_verdicts.verdicts_of(session, owner_id, [latest.id] if latest else [])
        session.expunge_all()
    if latest is None:
        return PolicyOut(
            verdict_policy=cast(Policy, policy),
            automated_pass_rate=None,
            judge_pass_rate=None,
            final_pass_rate=None,
        )
    figures = await cases_figures(ctx, latest, rows, policy)
    return PolicyOut.model_validate(figures["policy"])


async def set_run_policy(ctx: ServiceContext, eval_run_id: str, policy: str) -> PolicyOut:
    """Store the run's policy (its settings) and apply it to the run's per-case reports."""
    await eval_judging.set_judge_policy(ctx, eval_run_id, policy)
    async with ctx.unit() as session:
        for report in await reports.reports_of_run(session, ctx.require_owner(), eval_run_id):
            report.verdict_policy = policy
    return await run_policy(ctx, eval_run_id)
