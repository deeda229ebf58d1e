"""The job system writes its audit rows through an injected `JobAuditor`, in the unit of work
that changes the job: the row commits with the change, and a failed audit write undoes it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.__main__ import _server_wiring
from benchstudio.app import create_app
from benchstudio.audit.models import AuditEvent
from benchstudio.audit.service import AuditRecorder
from benchstudio.config import Settings
from benchstudio.jobs import repository
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE
from benchstudio.jobs.domain import UserLimits
from benchstudio.jobs.limits import FixedLimits
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.runner import JobRunner
from benchstudio.jobs.runtime import JobRuntime, default_registry
from benchstudio.jobs.service import JobService
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit

pytest_plugins = ["jobs_fixtures"]


class AuditLogDown(AuditRecorder):
    """Adds the row to the caller's session like the real log, then fails."""

    def record(
        self,
        session: AsyncSession,
        action: str,
        *,
        actor_id: str | None,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        super().record(session, action, actor_id=actor_id, target=target, detail=detail)
        raise RuntimeError("the audit write failed")


def _service(db: Database, auditor: AuditRecorder) -> JobService:
    limits = FixedLimits(UserLimits(jobs_per_hour=None))
    return JobService(db, CollectingPublisher(), limits, default_registry(), auditor=auditor)


def _runner(db: Database, settings: Settings, auditor: AuditRecorder) -> JobRunner:
    registry = default_registry()
    return JobRunner(db, CollectingPublisher(), registry, "w-test", settings, auditor=auditor)


async def _audit_rows(
    db: Database, action: str
) -> list[tuple[str | None, str | None, dict[str, Any]]]:
    async with read_unit(db) as session:
        query = select(AuditEvent).where(AuditEvent.action == action)
        return [(e.actor_id, e.target, dict(e.detail)) for e in (await session.scalars(query))]


async def _status_and_attempt(db: Database, job_id: str) -> tuple[str, int]:
    async with read_unit(db) as session:
        job = await repository.get_job(session, job_id)
        assert job is not None
        return job.status, job.attempt


async def test_cancelling_a_job_writes_its_audit_row_with_the_cancel(
    database: Database, alice: str
) -> None:
    service = _service(database, AuditRecorder())
    job = await service.submit(alice, DEMO_JOB_TYPE, {"units": 1})
    await service.cancel(alice, job.id)
    detail = {"job_type": DEMO_JOB_TYPE, "owner_id": alice, "by_admin": False}
    assert await _audit_rows(database, "job.cancel") == [(alice, job.id, detail)]


async def test_a_failed_audit_write_undoes_the_cancel_in_the_same_unit(
    database: Database, alice: str
) -> None:
    service = _service(database, AuditLogDown())
    job = await service.submit(alice, DEMO_JOB_TYPE, {"units": 1})
    with pytest.raises(RuntimeError, match="audit write failed"):
        await service.cancel(alice, job.id)
    # The row was added to the cancel's session: it went with the rollback, and so did the cancel.
    assert await _audit_rows(database, "job.cancel") == []
    assert await _status_and_attempt(database, job.id) == ("queued", 0)
    events = await service.events_after(alice, job.id, 0)
    assert [e.type for e in events] == ["job_created"]


async def test_starting_a_job_writes_job_start_with_the_claim(
    database: Database, settings: Settings, alice: str
) -> None:
    job = await _service(database, AuditRecorder()).submit(
        alice, DEMO_JOB_TYPE, {"units": 1, "unit_ms": 1}
    )
    await _runner(database, settings, AuditRecorder()).run(job.id)
    assert await _status_and_attempt(database, job.id) == ("done", 1)
    detail = {"job_type": DEMO_JOB_TYPE, "attempt": 1}
    assert await _audit_rows(database, "job.start") == [(alice, job.id, detail)]


async def test_a_failed_audit_write_undoes_the_claim_in_the_same_unit(
    database: Database, settings: Settings, alice: str
) -> None:
    service = _service(database, AuditRecorder())
    job = await service.submit(alice, DEMO_JOB_TYPE, {"units": 1, "unit_ms": 1})
    with pytest.raises(RuntimeError, match="audit write failed"):
        await _runner(database, settings, AuditLogDown()).run(job.id)
    assert await _audit_rows(database, "job.start") == []
    assert await _status_and_attempt(database, job.id) == ("queued", 0)
    events = await service.events_after(alice, job.id, 0)
    assert [e.type for e in events] == ["job_created"]


def test_the_composition_root_hands_the_job_system_the_audit_log(
    sqlite_settings: Settings,
) -> None:
    """Server and `benchstudio worker` both get the real audit log, not a stand-in."""
    assert isinstance(_server_wiring().job_auditor, AuditRecorder)
    with TestClient(create_app(sqlite_settings)) as client:
        runtime = client.app.state.jobs  # type: ignore[attr-defined]
        assert isinstance(runtime, JobRuntime)
        assert isinstance(runtime.service.auditor, AuditRecorder)
        assert isinstance(runtime.runner.auditor, AuditRecorder)
