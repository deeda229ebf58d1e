"""Jobs as people see them: a title and a link from the job's domain, and a queued job says
which limit it waits on (issue 17 bug 13)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from benchstudio.audit.service import AuditRecorder
from benchstudio.core.clock import utcnow
from benchstudio.jobs import repository
from benchstudio.jobs.demo_jobs import DEMO_JOB, DEMO_JOB_TYPE
from benchstudio.jobs.dispatcher import Dispatcher, DispatcherTiming
from benchstudio.jobs.domain import JobLabel, UserLimits
from benchstudio.jobs.limits import FixedLimits
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.registry import HandlerRegistry
from benchstudio.jobs.service import JobService
from benchstudio.storage.engine import Database
from benchstudio.storage.service_context import ServiceContext
from benchstudio.storage.unit_of_work import write_unit

pytest_plugins = ["jobs_fixtures"]


async def _describe(
    ctx: ServiceContext, jobs: Sequence[tuple[str, Mapping[str, Any]]]
) -> dict[str, JobLabel]:
    return {
        job_id: JobLabel(f"Run {params['name']}", f"/demo/{params['name']}")
        for job_id, params in jobs
        if "name" in params
    }


def _registry(describe: bool) -> HandlerRegistry:
    registry = HandlerRegistry()
    hook = _describe if describe else None
    registry.register(
        dataclasses.replace(DEMO_JOB, describe=hook, params_model=None, public_submit=False)
    )
    return registry


async def _kick(job_id: str) -> None:
    return None


async def test_jobs_carry_their_runs_title_and_link(database: Database, alice: str) -> None:
    service = JobService(
        database,
        CollectingPublisher(),
        FixedLimits(UserLimits(jobs_per_hour=None)),
        _registry(describe=True),
        auditor=AuditRecorder(),
    )
    named = await service.submit(alice, DEMO_JOB_TYPE, {"name": "nightly"})
    plain = await service.submit(alice, DEMO_JOB_TYPE, {})
    shown = {j.id: j for j in await service.present([named, plain])}
    assert shown[named.id].title == "Run nightly" and shown[named.id].link == "/demo/nightly"
    assert shown[plain.id].title == "Demo job" and shown[plain.id].link is None
    assert named.id[:8] not in shown[named.id].title


async def test_a_queued_job_names_the_limit_it_waits_on(
    database: Database, alice: str, bob: str
) -> None:
    limits = FixedLimits(
        UserLimits(concurrent_jobs=2, jobs_per_hour=None),
        {bob: UserLimits(concurrent_jobs=5, jobs_per_hour=None)},
    )
    service = JobService(
        database,
        CollectingPublisher(),
        limits,
        _registry(describe=False),
        auditor=AuditRecorder(),
        max_running=3,
    )
    dispatcher = Dispatcher(
        database, CollectingPublisher(), limits, _kick, timing=DispatcherTiming(max_running=3)
    )
    alice_jobs = [await service.submit(alice, DEMO_JOB_TYPE, {}) for _ in range(3)]
    await dispatcher.tick()
    mine = await service.present([await service.get(alice, j.id) for j in alice_jobs])
    assert [j.queue_reason_code for j in mine] == [None, None, "user_limit"]
    assert mine[2].status == "queued"
    assert mine[2].queue_reason and "you have 2 of 2 jobs running" in mine[2].queue_reason

    # Bob may run 5, but the server runs at most 3 at once.
    bob_jobs = [await service.submit(bob, DEMO_JOB_TYPE, {}) for _ in range(3)]
    await dispatcher.tick()
    theirs = await service.present([await service.get(bob, j.id) for j in bob_jobs])
    assert [j.queue_reason_code for j in theirs] == [None, "server_limit", "server_limit"]
    assert theirs[1].queue_reason and "3 of 3 jobs at once" in theirs[1].queue_reason

    # Once nothing holds it back, it only waits for a worker.
    now = utcnow()
    async with write_unit(database) as session:
        for job in alice_jobs[:2]:
            assert await repository.claim(session, job.id, "w", now, now + timedelta(seconds=30))
            assert await repository.finish(session, job.id, "w", "done", now)  # type: ignore[arg-type]
    again = await service.present([await service.get(alice, alice_jobs[2].id)])
    assert again[0].queue_reason_code == "worker"
