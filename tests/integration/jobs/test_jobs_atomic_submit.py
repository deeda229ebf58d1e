"""Atomic submit: the caller's rows, the job row and the hourly count in one unit of work;
the hand-off to the dispatcher only after the commit; a job committed but never handed off
(the process died, or publishing failed) still runs, exactly once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.accounts.models import User
from benchstudio.audit import service as audit
from benchstudio.audit.models import AuditEvent
from benchstudio.audit.service import AuditRecorder
from benchstudio.config import Settings
from benchstudio.core.errors import RateLimitedError
from benchstudio.jobs import repository
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE, UNIT_EVENT
from benchstudio.jobs.domain import JobEventMessage, UserLimits
from benchstudio.jobs.limits import FixedLimits
from benchstudio.jobs.models import Job
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.runtime import JobRuntime, default_registry
from benchstudio.jobs.service import JobService
from benchstudio.storage.engine import Database, DatabaseConfig, open_database
from benchstudio.storage.migrate import upgrade_to_head
from benchstudio.storage.unit_of_work import read_unit, write_unit
from platform_settings import make_settings

pytest_plugins = ["jobs_fixtures"]
SUBMIT_THEN_DIE = Path(__file__).with_name("submit_then_die.py")
RUN_ROW_ACTION = "test.run_row"


class FailingPublisher:
    async def publish(self, events: Sequence[JobEventMessage]) -> None:
        raise ConnectionError("the event hub is down")


def _service(db: Database, per_hour: int | None = 100, publisher: Any = None) -> JobService:
    return JobService(
        db,
        publisher or CollectingPublisher(),
        FixedLimits(UserLimits(jobs_per_hour=per_hour)),
        default_registry(),
        auditor=AuditRecorder(),
    )


@asynccontextmanager
async def _restarted_runtime(settings: Settings, db: Database) -> AsyncIterator[JobRuntime]:
    fast = settings.model_copy(
        update={"jobs_dispatch_interval_s": 0.05, "jobs_heartbeat_s": 0.1, "jobs_lease_s": 5.0}
    )
    limits = FixedLimits(UserLimits(jobs_per_hour=None, concurrent_jobs=4))
    runtime = JobRuntime(
        fast,
        db,
        CollectingPublisher(),
        limits=limits,
        auditor=AuditRecorder(),
        execute=True,
        dispatch=True,
    )
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _run_counts(db: Database, owner: str, job_id: str) -> tuple[str, int, int]:
    """Status, how many times the job started, how many units it stored."""
    async with read_unit(db) as session:
        job = await repository.get_job(session, job_id)
        assert job is not None
        status = job.status  # read before the read unit's rollback expires it
        events = await repository.events_after(session, job_id, owner, 0)
    starts = sum(e.type == "job_started" for e in events)
    return status, starts, sum(e.type == UNIT_EVENT for e in events)


async def _audit_targets(db: Database, action: str) -> list[str | None]:
    async with read_unit(db) as session:
        rows = await session.execute(select(AuditEvent.target).where(AuditEvent.action == action))
        return list(rows.scalars())


async def _job_count(db: Database, owner: str) -> int:
    async with read_unit(db) as session:
        query = select(func.count()).select_from(Job).where(Job.owner_id == owner)
        return int((await session.execute(query)).scalar_one())


async def test_the_callers_rows_and_the_job_row_commit_together(
    database: Database, alice: str
) -> None:
    async def write_run(session: AsyncSession, job_id: str) -> None:
        audit.record(session, RUN_ROW_ACTION, actor_id=alice, target=job_id)

    job = await _service(database).submit(alice, DEMO_JOB_TYPE, {"units": 1}, write=write_run)
    assert await _audit_targets(database, RUN_ROW_ACTION) == [job.id]


async def test_a_failing_write_leaves_neither_the_job_nor_the_callers_rows(
    database: Database, alice: str
) -> None:
    async def write_then_fail(session: AsyncSession, job_id: str) -> None:
        audit.record(session, RUN_ROW_ACTION, actor_id=alice, target=job_id)
        await session.flush()
        raise ValueError("the run row is invalid")

    with pytest.raises(ValueError, match="invalid"):
        await _service(database).submit(alice, DEMO_JOB_TYPE, {}, write=write_then_fail)
    assert await _job_count(database, alice) == 0
    assert await _audit_targets(database, RUN_ROW_ACTION) == []


async def test_a_submit_over_the_hourly_limit_writes_nothing(
    database: Database, alice: str
) -> None:
    service = _service(database, per_hour=1)
    await service.submit(alice, DEMO_JOB_TYPE, {})
    written: list[str] = []

    async def write_run(session: AsyncSession, job_id: str) -> None:
        written.append(job_id)

    with pytest.raises(RateLimitedError):
        await service.submit(alice, DEMO_JOB_TYPE, {}, write=write_run)
    assert written == [] and await _job_count(database, alice) == 1


async def test_concurrent_submits_never_exceed_the_hourly_limit(
    database: Database, alice: str
) -> None:
    service = _service(database, per_hour=3)
    outcomes = await asyncio.gather(
        *(service.submit(alice, DEMO_JOB_TYPE, {}) for _ in range(8)), return_exceptions=True
    )
    refused = [o for o in outcomes if isinstance(o, RateLimitedError)]
    assert len(refused) == 5, outcomes
    assert await _job_count(database, alice) == 3


async def test_a_failed_hand_off_is_not_the_callers_error_and_the_job_runs_once(
    settings: Settings, database: Database, alice: str, eventually: Any
) -> None:
    job = await _service(database, publisher=FailingPublisher()).submit(
        alice, DEMO_JOB_TYPE, {"units": 3, "unit_ms": 1}
    )
    async with _restarted_runtime(settings, database):

        async def done() -> bool:
            return (await _run_counts(database, alice, job.id))[0] == "done"

        await eventually(done)
    assert await _run_counts(database, alice, job.id) == ("done", 1, 3)


async def _submit_then_die(settings: Settings, owner: str) -> str:
    """A process that submits and is SIGKILLed after the commit; returns the job's id."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SUBMIT_THEN_DIE),
        settings.database_url,
        settings.database_schema or "",
        owner,
        stderr=subprocess.PIPE,
    )
    _, stderr = await child.communicate()
    assert child.returncode == -signal.SIGKILL, stderr.decode()
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        (job_id,) = await _audit_targets(db, RUN_ROW_ACTION)
    finally:
        await db.dispose()
    assert job_id is not None, "the run row was committed with its job"
    return job_id


@pytest.mark.timeout(300)
async def test_a_process_killed_between_commit_and_hand_off_runs_the_job_once_after_restart(
    settings: Settings, database: Database, alice: str, eventually: Any
) -> None:
    job_id = await _submit_then_die(settings, alice)
    assert await _run_counts(database, alice, job_id) == ("queued", 0, 0)
    async with _restarted_runtime(settings, database):

        async def done() -> bool:
            return (await _run_counts(database, alice, job_id))[0] == "done"

        await eventually(done)
        await asyncio.sleep(0.3)  # a few more dispatcher ticks: nothing may run it again
    assert await _run_counts(database, alice, job_id) == ("done", 1, 3)


@pytest.fixture
def redis_settings(postgres_database: DatabaseConfig, redis_url: str, tmp_path: Path) -> Settings:
    upgrade_to_head(postgres_database)
    Redis.from_url(redis_url).flushdb()
    return make_settings(postgres_database, tmp_path, broker_url=redis_url)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(300)
async def test_on_redis_a_job_committed_but_never_handed_off_runs_once_after_restart(
    redis_settings: Settings, eventually: Any
) -> None:
    settings = redis_settings
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        async with write_unit(db) as session:
            user = User(email="redis-crash@example.com", password_hash="not-a-hash", role="user")
            session.add(user)
            await session.flush()
            owner = user.id
        job_id = await _submit_then_die(settings, owner)
        # The restarted process dispatches through taskiq on Redis and receives the message.
        async with _restarted_runtime(settings, db):

            async def done() -> bool:
                return (await _run_counts(db, owner, job_id))[0] == "done"

            await eventually(done)
            await asyncio.sleep(0.3)
        assert await _run_counts(db, owner, job_id) == ("done", 1, 3)
    finally:
        await db.dispose()
