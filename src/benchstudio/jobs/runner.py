"""Runs claimed jobs: lease heartbeat, timeout, cooperative then forced cancel, final state."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError, StorageUnavailableError
from benchstudio.core.redaction import redact
from benchstudio.jobs import ledger, repository
from benchstudio.jobs.auditing import JobAuditor
from benchstudio.jobs.context import (
    JobCancelledError,
    JobContext,
    ResumableError,
    is_resumable,
    publish_committed,
)
from benchstudio.jobs.domain import (
    FINAL_EVENT_FOR,
    JobEnding,
    JobEventMessage,
    JobEventType,
    JobStatus,
)
from benchstudio.jobs.publishing import EventPublisher
from benchstudio.jobs.registry import HandlerRegistry, JobType
from benchstudio.jobs.repository import NewEvent
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import write_unit

log = logging.getLogger(__name__)
MAX_ERROR_CHARS = 500
RESUME_HINT = "Its stored results are kept; resume it to finish the rest."


@dataclass(frozen=True)
class RunnerTiming:
    lease_s: float = 30.0
    heartbeat_s: float = 5.0
    cancel_grace_s: float = 5.0


@dataclass
class _Running:
    context: JobContext
    task: asyncio.Task[Mapping[str, Any] | None]
    lost_lease: bool = False
    stopping: bool = False
    timed_out: bool = False
    force_task: asyncio.Task[None] | None = field(default=None, repr=False)


def describe_error(exc: BaseException) -> str:
    """A safe one-line error for the job row: app errors keep their message, others redacted."""
    if isinstance(exc, AppError):
        return exc.message
    text = redact(f"{type(exc).__name__}: {exc}")
    return text[:MAX_ERROR_CHARS]


def interrupted_reason(exc: BaseException) -> str:
    """A `ResumableError` says itself what was kept; an infrastructure fault gets the hint."""
    if isinstance(exc, ResumableError):
        return redact(str(exc))[:MAX_ERROR_CHARS]
    return f"{describe_error(exc)} {RESUME_HINT}"


def _storage_interrupted(exc: StorageUnavailableError) -> tuple[JobStatus, str, None]:
    """A unit that could not be stored is no fault of the job: it stops, resumable."""
    log.warning("job stopped: storage unavailable (%s)", exc.reason)
    return JobStatus.INTERRUPTED, f"storage: {exc.reason}", None


class JobRunner:
    def __init__(
        self,
        database: Database,
        publisher: EventPublisher,
        registry: HandlerRegistry,
        worker_id: str,
        settings: Settings,
        timing: RunnerTiming = RunnerTiming(),
        *,
        auditor: JobAuditor,
    ) -> None:
        self.settings = settings
        self.auditor = auditor
        self.database = database
        self.publisher = publisher
        self.registry = registry
        self.worker_id = worker_id
        self.timing = timing
        self._running: dict[str, _Running] = {}
        self._closing = False

    @property
    def running_ids(self) -> list[str]:
        return list(self._running)

    async def run(self, job_id: str) -> None:
        """Claim the job (if still queued) and run it to a final state."""
        if self._closing:
            return  # left queued; the dispatcher hands it out again
        context, spec = await self._claim(job_id)
        if context is None or spec is None:
            return
        task = asyncio.create_task(self._call_handler(context, spec), name=f"job-{job_id}")
        entry = _Running(context, task)
        self._running[job_id] = entry
        heartbeat = asyncio.create_task(self._heartbeat(entry))
        try:
            status, error, result = await self._outcome(entry)
            heartbeat.cancel()
            if not entry.lost_lease:
                await self._finish(context, status, error, result)
        finally:
            for helper in (heartbeat, entry.force_task, task):
                if helper is not None and not helper.done():
                    helper.cancel()
            self._running.pop(job_id, None)

    async def _claim(self, job_id: str) -> tuple[JobContext | None, JobType | None]:
        now = utcnow()
        lease_until = now + timedelta(seconds=self.timing.lease_s)
        async with write_unit(self.database) as session:
            job = await repository.claim(session, job_id, self.worker_id, now, lease_until)
            if job is None:
                return None, None
            started = NewEvent(
                JobEventType.STARTED, {"attempt": job.attempt, "worker": self.worker_id}
            )
            messages = await repository.append_events(session, job_id, job.owner_id, [started], now)
            self.auditor.record(
                session,
                "job.start",
                actor_id=job.owner_id,
                target=job_id,
                detail={"job_type": job.type, "attempt": job.attempt},
            )
            owner_id, job_type, params = job.owner_id, job.type, dict(job.params)
            attempt, timeout_s = job.attempt, job.timeout_s
            budget = await ledger.budget_of(session, job_id)
        await publish_committed(self.publisher, job_id, messages)
        spec = self.registry.get(job_type)
        if timeout_s:
            spec = dataclasses.replace(spec, timeout_s=timeout_s)
        context = JobContext(
            job_id,
            owner_id,
            job_type,
            params,
            attempt,
            self.database,
            self.publisher,
            self.settings,
            budget=budget,
        )
        return context, spec

    async def _call_handler(self, context: JobContext, spec: JobType) -> Mapping[str, Any] | None:
        async with asyncio.timeout(spec.timeout_s):
            return await spec.handler(context)

    async def _outcome(
        self, entry: _Running
    ) -> tuple[JobStatus, str | None, dict[str, Any] | None]:
        try:
            result = await entry.task
        except (JobCancelledError, asyncio.CancelledError):
            if entry.stopping:
                return JobStatus.INTERRUPTED, "The worker stopped while this job was running.", None
            return JobStatus.CANCELLED, "Cancelled.", None
        except TimeoutError:
            return JobStatus.FAILED, "The job ran past its time limit.", None
        except StorageUnavailableError as exc:
            return _storage_interrupted(exc)
        except Exception as exc:
            if entry.context.storage_fault is not None:
                return _storage_interrupted(entry.context.storage_fault)
            if is_resumable(exc):
                log.warning(
                    "job interrupted by a fault",
                    extra={"job_id": entry.context.job_id},
                    exc_info=True,
                )
                return JobStatus.INTERRUPTED, interrupted_reason(exc)[:MAX_ERROR_CHARS], None
            log.warning("job failed", extra={"job_id": entry.context.job_id}, exc_info=True)
            return JobStatus.FAILED, describe_error(exc), None
        return JobStatus.DONE, None, dict(result) if result is not None else None

    async def _finish(
        self,
        context: JobContext,
        status: JobStatus,
        error: str | None,
        result: dict[str, Any] | None,
    ) -> None:
        try:
            messages = await self._store_final(context, status, error, result, with_event=True)
        except StorageUnavailableError:
            # A full disk often still takes the in-place status update where a new event row
            # does not fit: the job must not stay `running` until space is freed. No stored
            # event, so none is published; readers see the status.
            messages = await self._store_final(context, status, error, result, with_event=False)
        await publish_committed(self.publisher, context.job_id, messages)

    async def _store_final(
        self,
        context: JobContext,
        status: JobStatus,
        error: str | None,
        result: dict[str, Any] | None,
        *,
        with_event: bool,
    ) -> list[JobEventMessage]:
        now = utcnow()
        data: dict[str, Any] = {"status": status.value, "error": error}
        if result is not None:
            data["result"] = result
        async with write_unit(self.database) as session:
            won = await repository.finish(
                session, context.job_id, self.worker_id, status, now, error=error, result=result
            )
            if not won:
                return []
            await ledger.settle(session, [context.job_id], now)
            ending = JobEnding(
                context.job_id, context.owner_id, context.job_type, context.params, status, error
            )
            await self.registry.job_ended(self.database, session, [ending])
            if not with_event:
                return []
            event = NewEvent(FINAL_EVENT_FOR[status], data)
            return await repository.append_events(
                session, context.job_id, context.owner_id, [event], now
            )

    async def _heartbeat(self, entry: _Running) -> None:
        job_id = entry.context.job_id
        held_until = utcnow() + timedelta(seconds=self.timing.lease_s)
        while not entry.task.done():
            await asyncio.sleep(self.timing.heartbeat_s)
            lease_until = utcnow() + timedelta(seconds=self.timing.lease_s)
            try:
                async with write_unit(self.database) as session:
                    cancel = await repository.renew_lease(
                        session, job_id, self.worker_id, lease_until
                    )
            except Exception:
                log.warning("heartbeat failed", extra={"job_id": job_id}, exc_info=True)
                # A missed heartbeat is not fatal: the lease has slack for a few of them. But
                # a lease that lapses before the next try may be taken over: stop sending now.
                if utcnow() + timedelta(seconds=self.timing.heartbeat_s) < held_until:
                    continue
                cancel = None
            if cancel is not None:
                held_until = lease_until
            if cancel is None:
                entry.lost_lease = True
                entry.task.cancel()
            elif cancel:
                self.cancel_local(job_id)

    def cancel_local(self, job_id: str) -> bool:
        """Ask a job running here to stop at its next unit; force it after the grace period."""
        entry = self._running.get(job_id)
        if entry is None or entry.context.cancel_event.is_set():
            return entry is not None
        entry.context.cancel_event.set()
        entry.force_task = asyncio.create_task(self._force_cancel(entry))
        return True

    async def _force_cancel(self, entry: _Running) -> None:
        await asyncio.sleep(self.timing.cancel_grace_s)
        entry.task.cancel()

    async def shutdown(self) -> None:
        """Stop every job running here; each ends as interrupted with its stored units."""
        self._closing = True
        entries = list(self._running.values())
        for entry in entries:
            entry.stopping = True
            entry.task.cancel()
        for entry in entries:
            with contextlib.suppress(BaseException):
                await entry.task
        deadline = asyncio.get_running_loop().time() + 10
        while self._running and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
