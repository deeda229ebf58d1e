"""Every way a job ends runs its type's `on_ended` hook in the unit that writes the final state,
and a fault a resume gets past ends the job interrupted (resumable), not failed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from benchstudio.audit.service import AuditRecorder
from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import ConflictError
from benchstudio.jobs.context import JobContext, ResumableError
from benchstudio.jobs.demo_jobs import DEMO_JOB, DEMO_JOB_TYPE, UNIT_EVENT
from benchstudio.jobs.domain import JobEnding, JobEventMessage
from benchstudio.jobs.limits import FixedLimits, settings_defaults
from benchstudio.jobs.models import Job
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.registry import HandlerRegistry, JobType, no_cost
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.storage.engine import Database
from benchstudio.storage.service_context import ServiceContext
from benchstudio.storage.unit_of_work import write_unit

pytest_plugins = ["jobs_fixtures"]
HOOKED = "test.hooked"


async def _handler(context: JobContext) -> Mapping[str, Any] | None:
    mode = context.params["mode"]
    if mode == "fail":
        raise ValueError("bad configuration")
    if mode == "resumable":
        raise ResumableError("The measuring process stopped unexpectedly (exit code -9).")
    if mode == "database":
        raise OperationalError("INSERT …", {}, Exception("attempt to write a readonly database"))
    if mode == "sleep":
        await asyncio.sleep(3600)
    return {"ok": True}


@dataclass
class Recorder:
    """What each hook call saw: the ending, and the job's status read in the hook's session."""

    endings: dict[str, tuple[JobEnding, str]] = field(default_factory=dict)
    repairs: int = 0

    async def on_ended(self, ctx: ServiceContext, ending: JobEnding) -> None:
        assert ctx.session is not None and ctx.owner_id == ending.owner_id
        seen = (await ctx.session.execute(select(Job.status).where(Job.id == ending.job_id))).one()
        self.endings[ending.job_id] = (ending, seen[0])

    async def repair(self, ctx: ServiceContext) -> int:
        self.repairs += 1
        return 0


class StoppedRedis(CollectingPublisher):
    """Publishing fails, as with the Redis event bus stopped."""

    async def publish(self, events: Sequence[JobEventMessage]) -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def _runtime(
    settings: Settings,
    database: Database,
    recorder: Recorder,
    publisher: CollectingPublisher | None = None,
) -> JobRuntime:
    fast = settings.model_copy(
        update={
            "jobs_heartbeat_s": 0.1,
            "jobs_lease_s": 10.0,  # a loaded machine never lets a live lease lapse
            "jobs_dispatch_interval_s": 0.05,
            "jobs_cancel_grace_s": 0.3,
            "default_jobs_per_hour": 100_000,
            "default_concurrent_jobs": 2,
        }
    )
    registry = HandlerRegistry()
    registry.register(
        JobType(
            HOOKED,
            _handler,
            estimate=no_cost,
            on_ended=recorder.on_ended,
            repair=recorder.repair,
        )
    )
    return JobRuntime(
        fast,
        database,
        publisher or CollectingPublisher(),
        limits=FixedLimits(settings_defaults(fast)),
        auditor=AuditRecorder(),
        registry=registry,
        execute=True,
        dispatch=True,
    )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def runtime(
    settings: Settings, database: Database, recorder: Recorder
) -> AsyncIterator[JobRuntime]:
    jobs = _runtime(settings, database, recorder)
    await jobs.start()
    yield jobs
    await jobs.stop()


async def _ended(recorder: Recorder, job_id: str, eventually: Any) -> tuple[JobEnding, str]:
    async def called() -> bool:
        return job_id in recorder.endings

    await eventually(called)
    return recorder.endings[job_id]


@pytest.mark.parametrize(
    ("mode", "status", "reason"),
    [
        ("ok", "done", None),
        ("fail", "failed", "bad configuration"),
        ("resumable", "interrupted", "exit code -9"),
        ("database", "interrupted", "resume it"),
    ],
)
async def test_a_job_ending_in_its_runner_calls_the_hook_in_the_same_unit(
    runtime: JobRuntime,
    recorder: Recorder,
    alice: str,
    eventually: Any,
    mode: str,
    status: str,
    reason: str | None,
) -> None:
    job = await runtime.service.submit(alice, HOOKED, {"mode": mode})
    ending, seen = await _ended(recorder, job.id, eventually)
    assert ending.status == status and seen == status  # the final state, in the hook's unit
    assert ending.params == {"mode": mode}

    async def committed() -> bool:  # the hook ran inside the unit; its commit follows
        return (await runtime.service.get(alice, job.id)).status == status

    await eventually(committed)
    stored = await runtime.service.get(alice, job.id)
    if reason is None:
        assert ending.error is None
    else:
        assert ending.error is not None and reason in ending.error and stored.error == ending.error


async def test_a_job_interrupted_by_a_fault_can_be_resumed(
    runtime: JobRuntime, recorder: Recorder, alice: str, eventually: Any
) -> None:
    job = await runtime.service.submit(alice, HOOKED, {"mode": "resumable"})
    await _ended(recorder, job.id, eventually)
    del recorder.endings[job.id]

    async def committed() -> bool:
        return (await runtime.service.get(alice, job.id)).status == "interrupted"

    await eventually(committed)
    resumed = await runtime.service.resume(alice, job.id)
    assert resumed.status == "queued"
    ending, _ = await _ended(recorder, job.id, eventually)
    assert ending.status == "interrupted"
    assert (await runtime.service.get(alice, job.id)).attempt == 2


async def test_timed_out_and_cancelled_jobs_call_the_hook(
    runtime: JobRuntime, recorder: Recorder, alice: str, eventually: Any
) -> None:
    timed = await runtime.service.submit(alice, HOOKED, {"mode": "sleep"}, timeout_s=0.3)
    ending, _ = await _ended(recorder, timed.id, eventually)
    assert ending.status == "failed" and "time limit" in (ending.error or "")

    running = await runtime.service.submit(alice, HOOKED, {"mode": "sleep"})
    blocker = await runtime.service.submit(alice, HOOKED, {"mode": "sleep"})

    async def both_running() -> bool:
        statuses = [(await runtime.service.get(alice, j.id)).status for j in (running, blocker)]
        return statuses == ["running", "running"]

    await eventually(both_running)
    queued = await runtime.service.submit(alice, HOOKED, {"mode": "sleep"})  # over the limit
    await runtime.service.cancel(alice, queued.id)
    ending, seen = await _ended(recorder, queued.id, eventually)
    assert (ending.status, seen) == ("cancelled", "cancelled")
    await runtime.service.cancel(alice, running.id)
    ending, seen = await _ended(recorder, running.id, eventually)
    assert (ending.status, seen) == ("cancelled", "cancelled")
    await runtime.service.cancel(alice, blocker.id)
    await _ended(recorder, blocker.id, eventually)


async def _plant_running(database: Database, owner: str, lease_s: float) -> str:
    now = utcnow()
    async with write_unit(database) as session:
        job = Job(
            owner_id=owner,
            type=HOOKED,
            params={"mode": "ok"},
            status="running",
            attempt=1,
            lease_owner="dead-worker",
            lease_expires_at=now + timedelta(seconds=lease_s),
            created_at=now,
            updated_at=now,
        )
        session.add(job)
        await session.flush()
        return job.id


async def test_an_expired_lease_calls_the_hook(
    runtime: JobRuntime, database: Database, recorder: Recorder, alice: str, eventually: Any
) -> None:
    job_id = await _plant_running(database, alice, lease_s=-1)
    ending, seen = await _ended(recorder, job_id, eventually)
    assert (ending.status, seen) == ("interrupted", "interrupted")


async def test_jobs_left_running_at_start_call_the_hook_and_every_start_repairs(
    settings: Settings, database: Database, recorder: Recorder, alice: str, eventually: Any
) -> None:
    job_id = await _plant_running(database, alice, lease_s=3600)
    jobs = _runtime(settings, database, recorder)
    await jobs.start()
    try:
        ending, seen = await _ended(recorder, job_id, eventually)
        assert (ending.status, seen) == ("interrupted", "interrupted")
        assert recorder.repairs == 1
    finally:
        await jobs.stop()


async def test_events_that_cannot_be_published_do_not_fail_the_job(
    settings: Settings, database: Database, recorder: Recorder, alice: str, eventually: Any
) -> None:
    jobs = _runtime(settings, database, recorder, StoppedRedis())
    jobs.registry.register(DEMO_JOB)
    await jobs.start()
    try:
        job = await jobs.service.submit(alice, DEMO_JOB_TYPE, {"units": 4, "unit_ms": 1})

        async def ended() -> bool:
            return (await jobs.service.get(alice, job.id)).status not in ("queued", "running")

        await eventually(ended)
        assert (await jobs.service.get(alice, job.id)).status == "done"
        stored = await jobs.service.events_after(alice, job.id, 0)  # sockets refetch these
        assert [e.data["index"] for e in stored if e.type == UNIT_EVENT] == [0, 1, 2, 3]
    finally:
        await jobs.stop()


async def test_resuming_a_failed_job_says_why_it_cannot_be(
    runtime: JobRuntime, recorder: Recorder, alice: str, eventually: Any
) -> None:
    job = await runtime.service.submit(alice, HOOKED, {"mode": "fail"})
    await _ended(recorder, job.id, eventually)

    async def committed() -> bool:
        return (await runtime.service.get(alice, job.id)).status == "failed"

    await eventually(committed)
    with pytest.raises(ConflictError, match="a resume cannot fix that: ValueError: bad config"):
        await runtime.service.resume(alice, job.id)
