"""Per-user limits cannot be raced or reset (issue 15 item 6), at the job service, on SQLite and
PostgreSQL.

- Parallel submits: counting the owner's jobs this hour and the month's spend (the ledger,
  reservations of unfinished jobs included) happen with the insert under the owner's lock
  (PostgreSQL: an advisory lock; SQLite: the one writer), so neither limit can be exceeded by
  submitting at once.
- The ledger has no foreign key to runs or jobs: deleting them does not lower the month's spend;
  a finished job counts what it charged, an unfinished one max(reserved, charged).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from benchstudio.accounts.models import User
from benchstudio.audit.service import AuditRecorder
from benchstudio.config import Settings
from benchstudio.core.errors import AppError, RateLimitedError
from benchstudio.jobs import ledger, repository
from benchstudio.jobs.context import JobContext
from benchstudio.jobs.domain import JobEstimate, UserLimits
from benchstudio.jobs.limits import FixedLimits
from benchstudio.jobs.models import Job
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.registry import HandlerRegistry, JobType
from benchstudio.jobs.service import JobService
from benchstudio.storage.engine import Database, DatabaseConfig, open_database
from benchstudio.storage.unit_of_work import read_unit, write_unit

PRICED = "test.priced"


async def _never_runs(context: JobContext) -> Mapping[str, Any] | None:
    raise AssertionError("no job runs in these tests")


def _priced_estimate(params: Mapping[str, Any]) -> JobEstimate:
    cost = params.get("cost")
    return JobEstimate(requests=1, cost_usd=None if cost is None else float(cost))


def _service(db: Database, limits: UserLimits) -> JobService:
    registry = HandlerRegistry()
    registry.register(JobType(PRICED, _never_runs, estimate=_priced_estimate))
    return JobService(
        db, CollectingPublisher(), FixedLimits(limits), registry, auditor=AuditRecorder()
    )


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    yield db
    await db.dispose()


@pytest.fixture
async def owner(database: Database) -> str:
    async with write_unit(database) as session:
        user = User(email="racer@example.com", password_hash="not-a-real-hash", role="user")
        session.add(user)
        await session.flush()
        return user.id


async def _jobs_of(db: Database, owner_id: str) -> int:
    async with read_unit(db) as session:
        query = select(func.count()).select_from(Job).where(Job.owner_id == owner_id)
        return int((await session.execute(query)).scalar_one())


async def test_parallel_submits_never_exceed_jobs_per_hour(database: Database, owner: str) -> None:
    service = _service(database, UserLimits(jobs_per_hour=60, max_runs_per_benchmark=None))
    outcomes = await asyncio.gather(
        *(service.submit(owner, PRICED, {"cost": 0}) for _ in range(150)),
        return_exceptions=True,
    )
    accepted = [o for o in outcomes if isinstance(o, Job)]
    refused = [o for o in outcomes if isinstance(o, RateLimitedError)]
    assert len(accepted) == 60 and len(refused) == 90, outcomes
    assert await _jobs_of(database, owner) == 60


async def test_two_parallel_submits_over_the_cap_together_one_is_refused(
    database: Database, owner: str
) -> None:
    service = _service(database, UserLimits(jobs_per_hour=None, monthly_spend_cap_usd=1.0))
    for _ in range(5):  # several rounds: the race must never be won
        outcomes = await asyncio.gather(
            service.submit(owner, PRICED, {"cost": 0.6}),
            service.submit(owner, PRICED, {"cost": 0.6}),
            return_exceptions=True,
        )
        refused = [o for o in outcomes if isinstance(o, AppError)]
        assert len(refused) == 1, outcomes
        assert refused[0].code == "spend_cap_reached" and refused[0].status_code == 403
        # The accepted job holds its reservation until it ends: cancelled, it charged nothing.
        accepted = next(o for o in outcomes if isinstance(o, Job))
        assert await service.month_spend(owner) == pytest.approx(0.6)
        await service.cancel(owner, accepted.id)
        assert await service.month_spend(owner) == 0.0


async def test_an_unpriced_job_under_a_cap_is_refused_with_price_needed(
    database: Database, owner: str
) -> None:
    service = _service(database, UserLimits(monthly_spend_cap_usd=1.0))
    with pytest.raises(AppError) as refused:
        await service.submit(owner, PRICED, {"cost": None})
    assert refused.value.code == "price_needed" and refused.value.status_code == 422
    assert await _jobs_of(database, owner) == 0
    # Without a cap the same job is accepted (nothing to bound).
    await _service(database, UserLimits()).submit(owner, PRICED, {"cost": None})


async def test_a_job_over_the_request_limit_is_refused_before_anything_is_stored(
    database: Database, owner: str
) -> None:
    service = _service(database, UserLimits(max_runs_per_benchmark=0))
    with pytest.raises(AppError) as refused:
        await service.submit(owner, PRICED, {"cost": 0})
    assert refused.value.code == "too_many_runs"
    assert await _jobs_of(database, owner) == 0


async def test_deleting_jobs_keeps_the_months_spend(database: Database, owner: str) -> None:
    service = _service(database, UserLimits(monthly_spend_cap_usd=1.0))
    job = await service.submit(owner, PRICED, {"cost": 0.5})
    async with write_unit(database) as session:  # what the job's units charged as they ran
        await ledger.charge(session, job.id, 0.7)
    assert await service.month_spend(owner) == pytest.approx(0.7)  # max(reserved, charged)
    async with write_unit(database) as session:
        await ledger.settle(session, [job.id], job.created_at)
        await session.execute(delete(Job).where(Job.owner_id == owner))
    assert await _jobs_of(database, owner) == 0
    assert await service.month_spend(owner) == pytest.approx(0.7)
    with pytest.raises(AppError) as refused:  # 0.7 + 0.4 > 1.0, deleted or not
        await service.submit(owner, PRICED, {"cost": 0.4})
    assert refused.value.code == "spend_cap_reached"


async def test_a_crashed_job_is_settled_at_what_it_charged_and_a_resume_reserves_again(
    database: Database, owner: str
) -> None:
    service = _service(database, UserLimits(monthly_spend_cap_usd=1.0))
    job = await service.submit(owner, PRICED, {"cost": 0.5})
    now = job.created_at
    async with write_unit(database) as session:
        assert await repository.claim(session, job.id, "worker-1", now, now) is not None
        await ledger.charge(session, job.id, 0.1)
    async with write_unit(database) as session:  # its lease ran out: the process died
        expired = await repository.interrupt_expired(session, now + timedelta(seconds=1))
    assert [job_id for job_id, _ in expired] == [job.id]
    assert await service.month_spend(owner) == pytest.approx(0.1)
    await service.resume(owner, job.id)
    assert await service.month_spend(owner) == pytest.approx(0.5)
