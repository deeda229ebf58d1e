"""A finished eval run's case outcomes, for the schedules' regression alerts: how many cases
passed (the tool-eval score) and how many ended in an error, over all its targets."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from benchstudio.evals.models import EvalCaseResult
from benchstudio.storage.service_context import ServiceContext


@dataclass(frozen=True)
class CaseCounts:
    run_id: str
    cases: int
    passed: int
    errors: int


async def case_counts(ctx: ServiceContext, run_id: str) -> CaseCounts:
    """The owner's run's counts (all zero for a run that is not theirs)."""
    query = select(
        func.count(),
        func.count().filter(EvalCaseResult.passed.is_(True)),
        func.count().filter(EvalCaseResult.error_category.is_not(None)),
    ).where(EvalCaseResult.run_id == run_id, EvalCaseResult.owner_id == ctx.require_owner())
    async with ctx.read() as session:
        cases, passed, errors = (await session.execute(query)).one()
    return CaseCounts(run_id, int(cases), int(passed), int(errors))
