"""The dispatcher around outages: a hand-off that fails leaves the job queued for a later tick
(the outbox); after an outage ends it waits one lease before expired leases count (live
workers renew theirs), then resumes the jobs the outage stopped, once each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from benchstudio.config import Settings
from benchstudio.core import outages
from benchstudio.core.clock import utcnow
from benchstudio.jobs import repository
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE
from benchstudio.jobs.dispatcher import OUTAGE_RESUMED, Dispatcher, DispatcherTiming
from benchstudio.jobs.domain import JobStatus
from benchstudio.jobs.limits import FixedLimits, settings_defaults
from benchstudio.jobs.models import Job
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit, write_unit

pytest_plugins = ["jobs_fixtures"]
LEASE_S = 30.0


@pytest.fixture(autouse=True)
def fresh_outage_state() -> Iterator[None]:
    outages.reset()
    yield
    outages.reset()


def _outage_ended(seconds_ago: float) -> None:
    database = outages.dependency("database")
    database.failed("connection refused")
    database.succeeded()
    assert database.recovered_at is not None
    database.recovered_at -= seconds_ago


async def _running_with_expired_lease(database: Database, owner: str) -> str:
    now = utcnow()
    async with write_unit(database) as session:
        job = Job(
            owner_id=owner,
            type=DEMO_JOB_TYPE,
            params={"units": 3},
            status=JobStatus.QUEUED,
            timeout_s=60,
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        await session.flush()
        await repository.claim(session, job.id, "gone", now, now - timedelta(seconds=1))
        return job.id


async def _job(database: Database, job_id: str) -> Job:
    async with read_unit(database) as session:
        job = await repository.get_job(session, job_id)
        assert job is not None
        session.expunge_all()
        return job


def _dispatcher(database: Database, settings: Settings) -> tuple[Dispatcher, list[str]]:
    kicked: list[str] = []

    async def kick(job_id: str) -> None:
        kicked.append(job_id)

    dispatcher = Dispatcher(
        database,
        CollectingPublisher(),
        FixedLimits(settings_defaults(settings)),
        kick,
        timing=DispatcherTiming(lease_s=LEASE_S),
    )
    return dispatcher, kicked


async def test_expired_leases_wait_one_lease_after_an_outage(
    database: Database, alice: str, settings: Settings
) -> None:
    job_id = await _running_with_expired_lease(database, alice)
    dispatcher, _ = _dispatcher(database, settings)
    _outage_ended(seconds_ago=1)
    assert (await dispatcher.tick()).interrupted == []
    assert (await _job(database, job_id)).status == JobStatus.RUNNING


async def test_jobs_an_outage_stopped_are_resumed_once(
    database: Database, alice: str, settings: Settings
) -> None:
    job_id = await _running_with_expired_lease(database, alice)
    dispatcher, kicked = _dispatcher(database, settings)
    _outage_ended(seconds_ago=LEASE_S + 1)
    report = await dispatcher.tick()
    assert report.interrupted == [job_id]
    assert kicked == [job_id], "queued again and handed out"
    job = await _job(database, job_id)
    assert job.params[OUTAGE_RESUMED] is True
    assert job.params["units"] == 3

    # Stopped again by the same kind of trouble: it stays interrupted this time.
    async with write_unit(database) as session:
        now = utcnow()
        await repository.claim(session, job_id, "gone-again", now, now - timedelta(seconds=1))
    await dispatcher.tick()
    assert (await _job(database, job_id)).status == JobStatus.INTERRUPTED


async def test_without_an_outage_an_expired_lease_just_interrupts(
    database: Database, alice: str, settings: Settings
) -> None:
    job_id = await _running_with_expired_lease(database, alice)
    dispatcher, kicked = _dispatcher(database, settings)
    assert (await dispatcher.tick()).interrupted == [job_id]
    assert kicked == []
    assert (await _job(database, job_id)).status == JobStatus.INTERRUPTED


async def test_a_failed_hand_off_leaves_the_job_queued_for_a_later_tick(
    database: Database, alice: str, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    now = utcnow()
    async with write_unit(database) as session:
        job = Job(
            owner_id=alice,
            type=DEMO_JOB_TYPE,
            params={},
            status=JobStatus.QUEUED,
            timeout_s=60,
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        await session.flush()
        job_id = job.id
    redis_up = False
    kicked: list[str] = []

    async def kick(job_id: str) -> None:
        if not redis_up:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")
        kicked.append(job_id)

    dispatcher = Dispatcher(
        database, CollectingPublisher(), FixedLimits(settings_defaults(settings)), kick
    )
    assert (await dispatcher.tick()).dispatched == []
    queued = await _job(database, job_id)
    assert (queued.status, queued.dispatched_at) == (JobStatus.QUEUED, None), "the outbox row"
    assert not outages.dependency("redis").up
    assert [r for r in caplog.records if r.exc_info] == [], "an outage line, not a traceback"
    redis_up = True
    assert (await dispatcher.tick()).dispatched == [job_id]
    assert kicked == [job_id]
