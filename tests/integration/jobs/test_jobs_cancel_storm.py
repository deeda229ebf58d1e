"""Cancel storm: 30 jobs for one user over the concurrency limit, half cancelled at random
while queued or running. Every job ends in a final state, the limit holds at every observed
moment, and each job's stored events tell one consistent story."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from job_runtimes import running_runtime
from sqlalchemy import func, select

from benchstudio.config import Settings
from benchstudio.core.errors import ConflictError
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE, UNIT_EVENT
from benchstudio.jobs.models import Job, JobEvent
from benchstudio.jobs.runtime import JobRuntime, default_registry
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit

pytest_plugins = ["jobs_fixtures"]

JOBS = 30
CONCURRENT = 3
FINAL_EVENTS = {"job_completed", "job_failed", "job_cancelled", "job_interrupted"}


@pytest.fixture
async def runtime(settings: Settings, database: Database) -> AsyncIterator[JobRuntime]:
    fast = settings.model_copy(
        update={
            # Slower than other job tests: SQLite's busy wait is not fair, and more writers
            # than this starve one past the busy timeout on a loaded 2-core machine.
            "jobs_heartbeat_s": 0.5,
            "jobs_lease_s": 5.0,
            "jobs_dispatch_interval_s": 0.05,
            "jobs_cancel_grace_s": 0.5,
            "default_jobs_per_hour": 100_000,
            "default_concurrent_jobs": CONCURRENT,
        }
    )
    async with running_runtime(fast, database, default_registry()) as jobs:
        yield jobs


async def _running(database: Database, owner_id: str) -> int:
    async with read_unit(database) as session:
        query = select(func.count()).where(Job.owner_id == owner_id, Job.status == "running")
        return int((await session.execute(query)).scalar_one())


async def _watch_running(database: Database, owner_id: str, seen: list[int]) -> None:
    while True:
        seen.append(await _running(database, owner_id))
        await asyncio.sleep(0.005)


async def _cancel_later(runtime: JobRuntime, owner_id: str, job_id: str, delay_s: float) -> None:
    await asyncio.sleep(delay_s)
    # A job that ended first refuses the cancel (409): not an error here.
    with contextlib.suppress(ConflictError):
        await runtime.service.cancel(owner_id, job_id)


async def _events_by_job(database: Database, ids: list[str]) -> dict[str, list[JobEvent]]:
    async with read_unit(database) as session:
        rows = await session.execute(
            select(JobEvent).where(JobEvent.job_id.in_(ids)).order_by(JobEvent.job_id, JobEvent.seq)
        )
        events: dict[str, list[JobEvent]] = {job_id: [] for job_id in ids}
        for event in rows.scalars():
            events[event.job_id].append(event)
        session.expunge_all()
    return events


async def test_a_cancel_storm_leaves_every_job_final_and_the_limit_held(
    runtime: JobRuntime, database: Database, alice: str, eventually: Any
) -> None:
    rng = random.Random(20261206)
    ids = [
        (
            await runtime.service.submit(
                alice, DEMO_JOB_TYPE, {"units": rng.randint(3, 12), "unit_ms": rng.randint(5, 25)}
            )
        ).id
        for _ in range(JOBS)
    ]
    doomed = set(rng.sample(ids, JOBS // 2))
    seen: list[int] = []
    watcher = asyncio.create_task(_watch_running(database, alice, seen))
    # Spread over the storm: the first land on queued jobs, later ones on running ones.
    cancels = [_cancel_later(runtime, alice, i, rng.uniform(0, 1.5)) for i in sorted(doomed)]
    await asyncio.gather(*cancels)

    async def settled() -> bool:
        jobs = [await runtime.service.get(alice, job_id) for job_id in ids]
        return all(job.status not in {"queued", "running"} for job in jobs)

    try:
        await eventually(settled)
    finally:
        watcher.cancel()
    assert max(seen) <= CONCURRENT, f"running exceeded the limit: {max(seen)}"
    assert CONCURRENT in seen, "the storm never filled the user's slots: it tested nothing"

    jobs = {job_id: await runtime.service.get(alice, job_id) for job_id in ids}
    events = await _events_by_job(database, ids)
    outcomes = {"cancelled": 0, "done": 0}
    for job_id, job in jobs.items():
        expected = {"cancelled", "done"} if job_id in doomed else {"done"}
        assert job.status in expected, (job_id, job.status, job.error)
        outcomes[job.status] += 1
        stream = events[job_id]
        kinds = [e.type for e in stream]
        assert [e.seq for e in stream] == list(range(1, len(stream) + 1)), "no gap, no duplicate"
        assert sum(k in FINAL_EVENTS for k in kinds) == 1 and kinds[-1] in FINAL_EVENTS
        assert kinds[-1] == {"done": "job_completed", "cancelled": "job_cancelled"}[job.status]
        assert kinds.count("job_started") == job.attempt <= 1, "claimed at most once"
        units = [e.data["index"] for e in stream if e.type == UNIT_EVENT]
        assert units == list(range(len(units))), "each unit stored once, in order"
        if job.status == "done":
            assert len(units) == job.params["units"] and job.progress_percent == 100
        assert job.lease_owner is None and job.finished_at is not None
    assert outcomes["cancelled"] > 0 and outcomes["done"] >= JOBS - len(doomed)
    assert await _running(database, alice) == 0
