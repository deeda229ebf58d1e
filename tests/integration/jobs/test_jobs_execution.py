"""Running jobs in the embedded runtime: units stored then published, cancel, failure,
timeout, lease expiry → interrupted, resume."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Any

import pytest
from job_runtimes import running_runtime

from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.jobs import repository
from benchstudio.jobs.context import JobContext
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE, UNIT_EVENT
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.registry import JobType, no_cost
from benchstudio.jobs.runtime import JobRuntime, default_registry
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit, write_unit

pytest_plugins = ["jobs_fixtures"]


async def _sleep_forever(context: JobContext) -> Mapping[str, Any] | None:
    await asyncio.sleep(3600)
    return None


@pytest.fixture
async def runtime(settings: Settings, database: Database) -> AsyncIterator[JobRuntime]:
    fast = settings.model_copy(
        update={
            "jobs_heartbeat_s": 0.1,
            # Long enough that a loaded machine (a writer waiting on SQLite's lock) never lets
            # a live job's lease lapse; the expired-lease tests plant leases already expired.
            "jobs_lease_s": 10.0,
            "jobs_dispatch_interval_s": 0.05,
            "jobs_cancel_grace_s": 0.5,
            "default_jobs_per_hour": 100_000,
            "default_concurrent_jobs": 2,
        }
    )
    registry = default_registry()
    registry.register(JobType("test.sleeper", _sleep_forever, timeout_s=0.3, estimate=no_cost))
    async with running_runtime(fast, database, registry) as jobs:
        yield jobs


def _published(jobs: JobRuntime) -> CollectingPublisher:
    assert isinstance(jobs.publisher, CollectingPublisher)
    return jobs.publisher


async def _status(jobs: JobRuntime, owner: str, job_id: str) -> str:
    return (await jobs.service.get(owner, job_id)).status


async def test_a_job_runs_its_units_in_order_and_every_event_is_stored_first(
    runtime: JobRuntime, alice: str, eventually: Any
) -> None:
    job = await runtime.service.submit(alice, DEMO_JOB_TYPE, {"units": 5, "unit_ms": 1})

    async def completion_published() -> bool:
        # Events are published after their commit: a "done" status read alone can see the
        # job finished before the runner has published job_completed.
        published = _published(runtime).events
        return any(e.job_id == job.id and e.type == "job_completed" for e in published)

    await eventually(completion_published)
    stored = await runtime.service.events_after(alice, job.id, 0)
    assert [e.seq for e in stored] == list(range(1, len(stored) + 1))
    assert stored[0].type == "job_created" and stored[1].type == "job_started"
    assert stored[-1].type == "job_completed"
    assert [e.data["index"] for e in stored if e.type == UNIT_EVENT] == [0, 1, 2, 3, 4]
    published = [e for e in _published(runtime).events if e.job_id == job.id]
    assert [(e.seq, e.type) for e in published] == [(e.seq, e.type) for e in stored]
    finished = await runtime.service.get(alice, job.id)
    assert finished.progress_percent == 100 and finished.result == {"units": 5}


async def test_cancel_keeps_the_units_already_stored(
    runtime: JobRuntime, alice: str, eventually: Any
) -> None:
    job = await runtime.service.submit(alice, DEMO_JOB_TYPE, {"units": 500, "unit_ms": 10})

    async def some_units() -> bool:
        events = await runtime.service.events_after(alice, job.id, 0)
        return sum(e.type == UNIT_EVENT for e in events) >= 3

    await eventually(some_units)
    await runtime.service.cancel(alice, job.id)

    async def cancelled() -> bool:
        return await _status(runtime, alice, job.id) == "cancelled"

    await eventually(cancelled)
    events = await runtime.service.events_after(alice, job.id, 0)
    units = [e.data["index"] for e in events if e.type == UNIT_EVENT]
    assert 3 <= len(units) < 500 and units == list(range(len(units)))
    assert events[-1].type == "job_cancelled"
    assert "job_cancel_requested" in [e.type for e in events]


async def test_a_failing_handler_fails_the_job_and_keeps_earlier_units(
    runtime: JobRuntime, alice: str, eventually: Any
) -> None:
    job = await runtime.service.submit(
        alice, DEMO_JOB_TYPE, {"units": 5, "unit_ms": 1, "fail_at": 2}
    )

    async def failed() -> bool:
        return await _status(runtime, alice, job.id) == "failed"

    await eventually(failed)
    finished = await runtime.service.get(alice, job.id)
    assert finished.error is not None and "failed on purpose" in finished.error
    events = await runtime.service.events_after(alice, job.id, 0)
    assert [e.data["index"] for e in events if e.type == UNIT_EVENT] == [0, 1]


async def test_a_job_past_its_type_timeout_fails(
    runtime: JobRuntime, alice: str, eventually: Any
) -> None:
    job = await runtime.service.submit(alice, "test.sleeper", {})

    async def failed() -> bool:
        return await _status(runtime, alice, job.id) == "failed"

    await eventually(failed)
    assert "time limit" in ((await runtime.service.get(alice, job.id)).error or "")


async def _plant_dead_running_job(database: Database, owner: str, units: int) -> str:
    """A job that a now-dead process was running: lease in the past, some units stored."""
    from benchstudio.jobs.models import Job
    from benchstudio.jobs.repository import NewEvent

    now = utcnow()
    async with write_unit(database) as session:
        job = Job(
            owner_id=owner,
            type=DEMO_JOB_TYPE,
            params={"units": 6, "unit_ms": 1},
            status="running",
            attempt=1,
            lease_owner="dead-worker",
            lease_expires_at=now - timedelta(seconds=1),
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        await session.flush()
        events = [NewEvent(UNIT_EVENT, {"index": i, "value": i * i}) for i in range(units)]
        await repository.append_events(session, job.id, owner, events, now)
        return job.id


async def test_an_expired_lease_interrupts_the_job_and_resume_finishes_the_rest(
    runtime: JobRuntime, database: Database, alice: str, eventually: Any
) -> None:
    job_id = await _plant_dead_running_job(database, alice, units=3)

    async def interrupted() -> bool:
        return await _status(runtime, alice, job_id) == "interrupted"

    await eventually(interrupted)
    await runtime.service.resume(alice, job_id)

    async def done() -> bool:
        return await _status(runtime, alice, job_id) == "done"

    await eventually(done)
    events = await runtime.service.events_after(alice, job_id, 0)
    assert [e.data["index"] for e in events if e.type == UNIT_EVENT] == [0, 1, 2, 3, 4, 5]
    assert (await runtime.service.get(alice, job_id)).attempt == 2


async def test_the_lease_is_renewed_while_a_job_runs(
    runtime: JobRuntime, database: Database, alice: str, eventually: Any
) -> None:
    job = await runtime.service.submit(alice, DEMO_JOB_TYPE, {"units": 400, "unit_ms": 10})

    async def running() -> bool:
        return await _status(runtime, alice, job.id) == "running"

    await eventually(running)
    async with read_unit(database) as session:
        first = (await repository.get_job(session, job.id)).lease_expires_at  # type: ignore[union-attr]

    async def renewed() -> bool:
        async with read_unit(database) as session:
            row = await repository.get_job(session, job.id)
            assert row is not None
            return (
                row.lease_expires_at is not None
                and first is not None
                and (row.lease_expires_at > first)
            )

    await eventually(renewed)
    await runtime.service.cancel(alice, job.id)
