"""The spend ledger's queries (`JobSpend`): reserve at submit, charge while running, settle at
the end. The caller owns the transaction; the submit holds the owner's lock around
`month_spend` and `reserve`, so two parallel submits cannot both fit under the cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.jobs.domain import JobBudget, month_key
from benchstudio.jobs.models import JobSpend

# A used-up cost budget still has to be a positive bound: the run stops after one request.
MIN_BUDGET_USD = 1e-9


async def month_spend(
    session: AsyncSession, owner_id: str, at: datetime, *, except_job: str | None = None
) -> float:
    """Spent or held this month: settled jobs' charges, unfinished jobs' max(reserved, charged)."""
    held = case(
        (JobSpend.settled.is_(True), JobSpend.charged_usd),
        (JobSpend.reserved_usd > JobSpend.charged_usd, JobSpend.reserved_usd),
        else_=JobSpend.charged_usd,
    )
    query = select(func.coalesce(func.sum(held), 0.0)).where(
        JobSpend.owner_id == owner_id, JobSpend.month == month_key(at)
    )
    if except_job is not None:
        query = query.where(JobSpend.job_id != except_job)
    return float((await session.execute(query)).scalar_one())


async def reserve(
    session: AsyncSession,
    job_id: str,
    owner_id: str,
    at: datetime,
    reserved_usd: float,
    budget: JobBudget,
) -> None:
    session.add(
        JobSpend(
            job_id=job_id,
            owner_id=owner_id,
            month=month_key(at),
            reserved_usd=reserved_usd,
            charged_usd=0.0,
            max_requests=budget.max_requests,
            max_cost_usd=budget.max_cost_usd,
            settled=False,
            created_at=at,
        )
    )


async def budget_of(session: AsyncSession, job_id: str) -> JobBudget:
    row = await session.get(JobSpend, job_id)
    if row is None:  # a job queued before the ledger existed
        return JobBudget()
    cost = row.max_cost_usd
    if cost is not None:  # a resumed job has spent part of it already (kept above zero)
        cost = max(cost - row.charged_usd, MIN_BUDGET_USD)
    return JobBudget(row.max_requests, cost)


async def charge(session: AsyncSession, job_id: str, amount_usd: float) -> None:
    """Add what a finished unit cost (persisted with the unit, so a crash loses none of it)."""
    if amount_usd:
        await session.execute(
            update(JobSpend)
            .where(JobSpend.job_id == job_id)
            .values(charged_usd=JobSpend.charged_usd + amount_usd)
        )


async def settle(session: AsyncSession, job_ids: Sequence[str], at: datetime) -> None:
    """The jobs ended (done, failed, cancelled, interrupted): only their charges count now."""
    if job_ids:
        await session.execute(
            update(JobSpend)
            .where(JobSpend.job_id.in_(list(job_ids)))
            .values(settled=True, settled_at=at)
        )


async def reopen(session: AsyncSession, job_id: str) -> None:
    """A resumed job holds its reservation again (max(reserved, charged) counts)."""
    await session.execute(
        update(JobSpend).where(JobSpend.job_id == job_id).values(settled=False, settled_at=None)
    )


async def spend_of(session: AsyncSession, job_ids: Sequence[str]) -> float:
    """Spent or held by these jobs (as `month_spend` counts them): a schedule's budget."""
    if not job_ids:
        return 0.0
    held = case(
        (JobSpend.settled.is_(True), JobSpend.charged_usd),
        (JobSpend.reserved_usd > JobSpend.charged_usd, JobSpend.reserved_usd),
        else_=JobSpend.charged_usd,
    )
    query = select(func.coalesce(func.sum(held), 0.0)).where(JobSpend.job_id.in_(list(job_ids)))
    return float((await session.execute(query)).scalar_one())
