"""Submit limits, queueing over the concurrency limit, and round-robin fairness."""

from __future__ import annotations

from datetime import timedelta

import pytest

from benchstudio.audit.service import AuditRecorder
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import RateLimitedError
from benchstudio.jobs import repository
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE
from benchstudio.jobs.dispatcher import Dispatcher, DispatcherTiming
from benchstudio.jobs.domain import JobStatus, UserLimits
from benchstudio.jobs.limits import FixedLimits
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.runtime import default_registry
from benchstudio.jobs.service import JobService
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit, write_unit

pytest_plugins = ["jobs_fixtures"]


class Kicks:
    def __init__(self) -> None:
        self.job_ids: list[str] = []

    async def __call__(self, job_id: str) -> None:
        self.job_ids.append(job_id)


def _service(db: Database, limits: UserLimits) -> JobService:
    return JobService(
        db, CollectingPublisher(), FixedLimits(limits), default_registry(), auditor=AuditRecorder()
    )


def _dispatcher(db: Database, limits: UserLimits, kicks: Kicks, cap: int | None) -> Dispatcher:
    timing = DispatcherTiming(max_running=cap)
    return Dispatcher(db, CollectingPublisher(), FixedLimits(limits), kicks, timing=timing)


async def _statuses(db: Database, ids: list[str]) -> list[str]:
    async with read_unit(db) as session:
        return [(await repository.get_job(session, i)).status for i in ids]  # type: ignore[union-attr]


async def _finish(db: Database, job_id: str) -> None:
    now = utcnow()
    async with write_unit(db) as session:
        assert await repository.claim(session, job_id, "w1", now, now + timedelta(seconds=30))
        assert await repository.finish(session, job_id, "w1", JobStatus.DONE, now)


async def test_jobs_over_the_concurrency_limit_wait_in_the_queue(
    database: Database, alice: str
) -> None:
    limits = UserLimits(concurrent_jobs=2, jobs_per_hour=None)
    service, kicks = _service(database, limits), Kicks()
    dispatcher = _dispatcher(database, limits, kicks, cap=None)
    ids = [(await service.submit(alice, DEMO_JOB_TYPE, {"units": 1})).id for _ in range(4)]
    await dispatcher.tick()
    assert kicks.job_ids == ids[:2]
    await dispatcher.tick()
    assert kicks.job_ids == ids[:2], "nothing more may start while two are active"
    assert await _statuses(database, ids) == ["queued"] * 4
    await _finish(database, ids[0])
    await dispatcher.tick()
    assert kicks.job_ids == ids[:3], "a finished job frees exactly one slot, FIFO"


async def test_over_the_hourly_limit_is_rate_limited(database: Database, alice: str) -> None:
    service = _service(database, UserLimits(jobs_per_hour=3))
    for _ in range(3):
        await service.submit(alice, DEMO_JOB_TYPE, {})
    with pytest.raises(RateLimitedError) as caught:
        await service.submit(alice, DEMO_JOB_TYPE, {})
    assert caught.value.status_code == 429
    assert 0 < caught.value.retry_after_s <= 3600


async def test_one_users_backlog_never_delays_another_users_next_job(
    database: Database, alice: str, bob: str
) -> None:
    limits = UserLimits(concurrent_jobs=10, jobs_per_hour=None)
    service, kicks = _service(database, limits), Kicks()
    dispatcher = _dispatcher(database, limits, kicks, cap=2)
    alice_ids = [(await service.submit(alice, DEMO_JOB_TYPE, {})).id for _ in range(6)]
    bob_id = (await service.submit(bob, DEMO_JOB_TYPE, {})).id
    await dispatcher.tick()
    assert kicks.job_ids == [alice_ids[0], bob_id]
    for job_id in kicks.job_ids:
        await _finish(database, job_id)
    bob_second = (await service.submit(bob, DEMO_JOB_TYPE, {})).id
    await dispatcher.tick()
    assert set(kicks.job_ids[2:]) == {alice_ids[1], bob_second}


async def test_a_dispatch_nobody_claims_goes_back_to_the_queue(
    database: Database, alice: str
) -> None:
    limits = UserLimits(concurrent_jobs=1, jobs_per_hour=None)
    service, kicks = _service(database, limits), Kicks()
    timing = DispatcherTiming(unclaimed_requeue_s=0.0)
    dispatcher = Dispatcher(
        database, CollectingPublisher(), FixedLimits(limits), kicks, timing=timing
    )
    job = await service.submit(alice, DEMO_JOB_TYPE, {})
    await dispatcher.tick()
    await dispatcher.tick()  # the first message was lost: the job is handed out again
    assert kicks.job_ids == [job.id, job.id]


async def test_cancelling_a_queued_job_is_immediate_and_audited(
    database: Database, alice: str
) -> None:
    service = _service(database, UserLimits(jobs_per_hour=None))
    job = await service.submit(alice, DEMO_JOB_TYPE, {})
    cancelled = await service.cancel(alice, job.id)
    assert cancelled.status == "cancelled"
    events = await service.events_after(alice, job.id, 0)
    assert [e.type for e in events] == ["job_created", "job_cancelled"]
    assert [e.seq for e in events] == [1, 2]
