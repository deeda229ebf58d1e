"""A worker that is stopping hands a "run job X" message straight back to the queue (another
worker runs the job now, not after the dispatcher's minute-long requeue of unclaimed jobs)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from benchstudio.audit.service import AuditRecorder
from benchstudio.config import Settings
from benchstudio.jobs.limits import FixedLimits, settings_defaults
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.storage.engine import Database, DatabaseConfig, open_database


@pytest.fixture
async def worker(
    sqlite_settings: Settings, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[JobRuntime, list[str], list[str]]]:
    settings = sqlite_settings.model_copy(update={"broker_url": redis_url})
    database: Database = open_database(DatabaseConfig(settings.database_url))
    runtime = JobRuntime(
        settings,
        database,
        CollectingPublisher(),
        limits=FixedLimits(settings_defaults(settings)),
        auditor=AuditRecorder(),
        execute=True,
        dispatch=False,
    )
    kicked: list[str] = []
    ran: list[str] = []

    async def kick(job_id: str) -> None:
        kicked.append(job_id)

    async def run(job_id: str) -> None:
        ran.append(job_id)

    monkeypatch.setattr(runtime.queue, "kick", kick)
    monkeypatch.setattr(runtime.runner, "run", run)
    yield runtime, kicked, ran
    await database.dispose()


async def test_a_message_reaching_a_stopping_worker_goes_back_to_the_queue(
    worker: tuple[JobRuntime, list[str], list[str]],
) -> None:
    runtime, kicked, ran = worker
    await runtime.receive("job-a")
    assert (ran, kicked) == (["job-a"], [])

    await runtime.stop()
    await runtime.receive("job-b")
    assert (ran, kicked) == (["job-a"], ["job-b"])
