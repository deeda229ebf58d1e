"""Per-case verdict rows of judge reports."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.judge.models import JudgeCaseVerdict, JudgeReport

ONLY_FILTERS = ("disagreements", "failed", "parse_failures")


async def verdicts_of(
    session: AsyncSession, owner_id: str, report_ids: Sequence[str]
) -> list[JudgeCaseVerdict]:
    if not report_ids:
        return []
    query = select(JudgeCaseVerdict).where(
        JudgeCaseVerdict.owner_id == owner_id, JudgeCaseVerdict.report_id.in_(list(report_ids))
    )
    return list((await session.execute(query.order_by(JudgeCaseVerdict.created_at))).scalars())


async def get_verdict(
    session: AsyncSession, owner_id: str, report_id: str, case_id: str
) -> JudgeCaseVerdict | None:
    query = select(JudgeCaseVerdict).where(
        JudgeCaseVerdict.owner_id == owner_id,
        JudgeCaseVerdict.report_id == report_id,
        JudgeCaseVerdict.case_id == case_id,
    )
    return (await session.execute(query.limit(1))).scalar_one_or_none()


async def judged_case_ids(
    session: AsyncSession, owner_id: str, eval_run_id: str, target: str
) -> set[str]:
    """Cases of a result that some per-case report already holds a verdict row for (the
    auto-judge never judges one twice)."""
    query = (
        select(JudgeCaseVerdict.case_id)
        .join(JudgeReport, JudgeReport.id == JudgeCaseVerdict.report_id)
        .where(
            JudgeReport.owner_id == owner_id,
            JudgeReport.eval_run_id == eval_run_id,
            JudgeReport.target == target,
            JudgeReport.kind == "cases",
        )
    )
    return set((await session.execute(query)).scalars())
