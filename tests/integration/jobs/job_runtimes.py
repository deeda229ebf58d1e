"""An in-process job runtime for tests (a plain module, not a pytest plugin, so test modules
can import it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from benchstudio.audit.service import AuditRecorder
from benchstudio.config import Settings
from benchstudio.jobs.limits import FixedLimits, settings_defaults
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.registry import HandlerRegistry
from benchstudio.jobs.runtime import JobRuntime, default_registry
from benchstudio.storage.engine import Database


@asynccontextmanager
async def running_runtime(
    settings: Settings, database: Database, registry: HandlerRegistry | None = None
) -> AsyncIterator[JobRuntime]:
    """An in-process runtime that executes and dispatches, publishing into a list."""
    jobs = JobRuntime(
        settings,
        database,
        CollectingPublisher(),
        limits=FixedLimits(settings_defaults(settings)),
        auditor=AuditRecorder(),
        registry=registry or default_registry(),
        execute=True,
        dispatch=True,
    )
    await jobs.start()
    try:
        yield jobs
    finally:
        await jobs.stop()
