"""A runner that no longer holds its job's lease stops the job, and with it the requests of its
measuring child: the lease was taken over, or it could not be renewed before it lapsed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import psutil
import pytest
from job_runtimes import running_runtime
from sqlalchemy import update

from benchstudio.benchruns.tasks.child_processes import MeasuringChild
from benchstudio.benchruns.tasks.measuring import ChildJob
from benchstudio.config import Settings
from benchstudio.core.net import EgressMode, EgressPolicy
from benchstudio.credentials.service import ProviderAccess
from benchstudio.jobs import repository
from benchstudio.jobs.context import JobContext
from benchstudio.jobs.models import Job
from benchstudio.jobs.registry import JobType, no_cost
from benchstudio.jobs.runtime import JobRuntime, default_registry
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import write_unit

pytest_plugins = ["jobs_fixtures"]

HEARTBEAT_S = 0.1
LEASE_S = 1.5
children: dict[str, MeasuringChild] = {}
cancelled: set[str] = set()


async def _measure_forever(context: JobContext) -> Mapping[str, Any] | None:
    """The benchmark handler's shape: a measuring child, followed until it ends, reaped."""
    url = str(context.params["simulator_url"])
    target = TargetConfig(name="t", base_url=f"{url}/v1", model="m")
    config = BenchConfig(targets=[target], warmup=0, concurrency=2, num_requests=100_000)
    access = ProviderAccess("openai", f"{url}/v1", policy=EgressPolicy(EgressMode.DEV))
    child = MeasuringChild(ChildJob(config.model_dump_json(), {"t": access}), "lease-test")
    children[context.job_id] = child
    try:
        await child.open()
        while not (await child.collect(0.25)).ended:
            pass
        return None
    finally:
        await child.reap()


async def _wait_forever(context: JobContext) -> Mapping[str, Any] | None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        cancelled.add(context.job_id)
        raise
    return None


def _sent(sim: SimulatorServer) -> int:
    return len(sim.log) + sim.log.evicted  # every request the simulator ever read


@pytest.fixture
async def runtime(settings: Settings, database: Database) -> AsyncIterator[JobRuntime]:
    fast = settings.model_copy(
        update={
            "jobs_heartbeat_s": HEARTBEAT_S,
            "jobs_lease_s": LEASE_S,
            "jobs_dispatch_interval_s": 0.05,
            "default_jobs_per_hour": 100_000,
        }
    )
    registry = default_registry()
    registry.register(JobType("test.measure", _measure_forever, timeout_s=120, estimate=no_cost))
    registry.register(JobType("test.wait", _wait_forever, timeout_s=120, estimate=no_cost))
    async with running_runtime(fast, database, registry) as jobs:
        yield jobs


async def test_a_lease_taken_over_stops_the_measuring_child(
    runtime: JobRuntime, database: Database, alice: str, eventually: Any
) -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=20, itl_ms=5, output_tokens=4))
    async with SimulatorServer(config) as sim:
        job = await runtime.service.submit(alice, "test.measure", {"simulator_url": sim.base_url})

        async def sending() -> bool:
            return job.id in children and _sent(sim) > 0

        await eventually(sending)
        process = psutil.Process(children[job.id].process.pid)
        async with write_unit(database) as session:  # another worker took the job over
            await session.execute(
                update(Job).where(Job.id == job.id).values(lease_owner="another-worker")
            )

        async def child_gone() -> bool:
            try:
                return process.status() == psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return True

        await eventually(child_gone)
        sent = _sent(sim)
        await asyncio.sleep(0.5)
        assert _sent(sim) == sent
        assert job.id not in runtime.runner.running_ids


async def test_a_lease_that_cannot_be_renewed_stops_the_job_before_it_lapses(
    runtime: JobRuntime, alice: str, eventually: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = await runtime.service.submit(alice, "test.wait", {})

    async def running() -> bool:
        return job.id in runtime.runner.running_ids

    await eventually(running)

    async def unreachable(*_: Any, **__: Any) -> bool | None:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(repository, "renew_lease", unreachable)

    async def stopped() -> bool:
        return job.id in cancelled and job.id not in runtime.runner.running_ids

    # Bounded by the lease: past it another worker may run the job, so this one must not.
    await eventually(stopped)
