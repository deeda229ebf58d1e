"""Judge report rows: create (versioned per result and kind), look up, list, mark state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.clock import utcnow
from benchstudio.judge.models import JudgeReport

ACTIVE_STATUSES = ("queued", "running")


async def create_report(
    session: AsyncSession,
    *,
    owner_id: str,
    kind: str,
    eval_run_id: str,
    target: str,
    mode: str,
    judge_model_ref_id: str | None,
    judge_model_name: str,
    prompt_entry_id: str,
    prompt_version: int,
    scope: str = "all",
    category: str | None = None,
    other_eval_run_id: str | None = None,
    other_target: str | None = None,
    show_automated: bool = False,
    verdict_policy: str = "automated_final",
    budget_usd: float | None = None,
    experiment_id: str | None = None,
) -> JudgeReport:
    """A new queued report; its version is one past the latest for (run, target, kind), so a
    re-judge never overwrites an earlier report."""
    latest = await session.execute(
        select(func.max(JudgeReport.version)).where(
            JudgeReport.eval_run_id == eval_run_id,
            JudgeReport.target == target,
            JudgeReport.kind == kind,
        )
    )
    report = JudgeReport(
        owner_id=owner_id,
        kind=kind,
        eval_run_id=eval_run_id,
        target=target,
        other_eval_run_id=other_eval_run_id,
        other_target=other_target,
        version=int(latest.scalar_one() or 0) + 1,
        mode=mode,
        scope=scope,
        category=category,
        status="queued",
        judge_model_ref_id=judge_model_ref_id,
        judge_model_name=judge_model_name,
        prompt_entry_id=prompt_entry_id,
        prompt_version=prompt_version,
        show_automated=show_automated,
        verdict_policy=verdict_policy,
        budget_usd=budget_usd,
        experiment_id=experiment_id,
        created_at=utcnow(),
    )
    session.add(report)
    await session.flush()
    return report


async def get_owned_report(
    session: AsyncSession, owner_id: str, report_id: str
) -> JudgeReport | None:
    query = select(JudgeReport).where(JudgeReport.id == report_id, JudgeReport.owner_id == owner_id)
    return (await session.execute(query)).scalar_one_or_none()


async def report_of_job(session: AsyncSession, owner_id: str, job_id: str) -> JudgeReport | None:
    """The report a `judge_cases` job fills (its job id is set when both are written)."""
    query = select(JudgeReport).where(
        JudgeReport.owner_id == owner_id, JudgeReport.job_id == job_id
    )
    return (await session.execute(query.limit(1))).scalar_one_or_none()


async def list_reports(
    session: AsyncSession,
    owner_id: str,
    *,
    eval_run_id: str | None = None,
    kind: str | None = None,
    experiment_id: str | None = None,
) -> list[JudgeReport]:
    """The owner's reports, newest first; a run's include comparative ones naming it second."""
    query = select(JudgeReport).where(JudgeReport.owner_id == owner_id)
    if eval_run_id is not None:
        query = query.where(
            (JudgeReport.eval_run_id == eval_run_id)
            | (JudgeReport.other_eval_run_id == eval_run_id)
        )
    if kind is not None:
        query = query.where(JudgeReport.kind == kind)
    if experiment_id is not None:
        query = query.where(JudgeReport.experiment_id == experiment_id)
    query = query.order_by(JudgeReport.created_at.desc(), JudgeReport.id.desc())
    return list((await session.execute(query)).scalars())


async def list_done_case_reports(session: AsyncSession, owner_id: str) -> list[JudgeReport]:
    """Every finished per-case report of the owner (agreement aggregates over them)."""
    query = select(JudgeReport).where(
        JudgeReport.owner_id == owner_id,
        JudgeReport.kind == "cases",
        JudgeReport.status.in_(("done", "stopped", "cancelled")),
    )
    return list((await session.execute(query.order_by(JudgeReport.created_at))).scalars())


async def reports_of_run(
    session: AsyncSession, owner_id: str, eval_run_id: str, kind: str = "cases"
) -> list[JudgeReport]:
    query = select(JudgeReport).where(
        JudgeReport.owner_id == owner_id,
        JudgeReport.eval_run_id == eval_run_id,
        JudgeReport.kind == kind,
    )
    return list((await session.execute(query.order_by(JudgeReport.created_at))).scalars())


async def active_reports(session: AsyncSession, limit: int = 10_000) -> list[JudgeReport]:
    """Reports still marked queued or running, any owner (the start-up repair)."""
    query = select(JudgeReport).where(JudgeReport.status.in_(ACTIVE_STATUSES)).limit(limit)
    return list((await session.execute(query)).scalars())


async def delete_report(session: AsyncSession, owner_id: str, report_id: str) -> bool:
    result = await session.execute(
        delete(JudgeReport).where(JudgeReport.id == report_id, JudgeReport.owner_id == owner_id)
    )
    return bool(getattr(result, "rowcount", 0))


def mark_running(report: JudgeReport, job_id: str) -> None:
    report.status = "running"
    report.job_id = job_id
    report.finished_at = None
    report.error = None


def finish_report(
    report: JudgeReport,
    status: str,
    summary: dict[str, Any] | None,
    cost_usd: float | None,
    error: str | None = None,
) -> None:
    report.status = status
    report.summary = summary
    report.cost_usd = cost_usd
    report.error = error
    report.finished_at = utcnow()


async def reports_of_experiments(
    session: AsyncSession, owner_id: str, experiment_ids: list[str]
) -> list[JudgeReport]:
    """The owner's reports filed under any of these experiments (one query), oldest first."""
    query = (
        select(JudgeReport)
        .where(JudgeReport.owner_id == owner_id, JudgeReport.experiment_id.in_(experiment_ids))
        .order_by(JudgeReport.created_at, JudgeReport.id)
    )
    return list((await session.execute(query)).scalars())


async def unfile_experiment(session: AsyncSession, owner_id: str, experiment_id: str) -> None:
    await session.execute(
        update(JudgeReport)
        .where(JudgeReport.owner_id == owner_id, JudgeReport.experiment_id == experiment_id)
        .values(experiment_id=None)
    )
