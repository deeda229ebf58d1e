"""Comparative pair rows: one per case of a comparative report (both orders and the outcome)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.judge.models import JudgePairVerdict, JudgeReport


def add_pairs(session: AsyncSession, rows: Iterable[JudgePairVerdict]) -> None:
    session.add_all(list(rows))


async def list_pairs(
    session: AsyncSession, owner_id: str, report_id: str
) -> list[JudgePairVerdict]:
    """A report's pairs in the order they were judged (the owner's report only)."""
    query = (
        select(JudgePairVerdict)
        .join(JudgeReport, JudgeReport.id == JudgePairVerdict.report_id)
        .where(JudgePairVerdict.report_id == report_id, JudgeReport.owner_id == owner_id)
        .order_by(JudgePairVerdict.created_at, JudgePairVerdict.id)
    )
    return list((await session.execute(query)).scalars())


async def judged_case_ids(session: AsyncSession, report_id: str) -> set[str]:
    """Cases already stored for a report (a resumed job skips them)."""
    query = select(JudgePairVerdict.case_id).where(JudgePairVerdict.report_id == report_id)
    return set((await session.execute(query)).scalars())
