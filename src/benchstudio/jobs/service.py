"""Job use cases: submit (with limits), read, list, cancel, resume, replay events."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.clock import utcnow
from benchstudio.core.errors import ConflictError, NotFoundError, RateLimitedError
from benchstudio.jobs import ledger, repository
from benchstudio.jobs.auditing import JobAuditor
from benchstudio.jobs.domain import (
    TERMINAL_STATUSES,
    JobBudget,
    JobEnding,
    JobEventMessage,
    JobEventType,
    JobStatus,
    UserLimits,
    check_request_limit,
    check_spend_cap,
    queue_reason,
)
from benchstudio.jobs.limits import LimitsSource
from benchstudio.jobs.models import Job
from benchstudio.jobs.publishing import EventPublisher
from benchstudio.jobs.registry import HandlerRegistry
from benchstudio.jobs.repository import NewEvent
from benchstudio.jobs.schemas import JobOut
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit, write_unit

log = logging.getLogger(__name__)
HOUR = timedelta(hours=1)
# Adds the caller's rows for a new job inside the submit's unit of work: (session, job id).
WriteWithJob = Callable[[AsyncSession, str], Awaitable[None]]


class JobService:
    def __init__(
        self,
        database: Database,
        publisher: EventPublisher,
        limits: LimitsSource,
        registry: HandlerRegistry,
        *,
        auditor: JobAuditor,
        on_submitted: Callable[[], None] | None = None,
        on_cancel: Callable[[str], object] | None = None,
        check_queue: Callable[[], Awaitable[None]] | None = None,
        clock: Callable[[], datetime] = utcnow,
        max_running: int | None = None,
    ) -> None:
        self.database = database
        self.publisher = publisher
        self.limits = limits
        self.registry = registry
        self.auditor = auditor
        self._on_submitted = on_submitted
        self._on_cancel = on_cancel
        # Raises a 503 while the task queue is down, before anything is written (scale-out).
        self._check_queue = check_queue
        self._clock = clock
        # The global cap on jobs at once (the dispatcher's), to say why a queued job waits.
        self.max_running = max_running

    async def limits_for(self, owner_id: str) -> UserLimits:
        return await self.limits.limits_for(owner_id)

    async def month_spend(self, owner_id: str) -> float:
        """The owner's spend this month from the ledger (unfinished jobs: what they hold)."""
        async with read_unit(self.database) as session:
            return await ledger.month_spend(session, owner_id, self._clock())

    async def submit(
        self,
        owner_id: str,
        job_type: str,
        params: Mapping[str, Any],
        *,
        timeout_s: float | None = None,
        write: WriteWithJob | None = None,
    ) -> Job:
        """Queue a job; over the hourly limit → 429. Over the concurrency limit it just waits.

        The type's estimate is checked against the per-run request limit and, under the owner's
        lock with the hourly count, against the spend cap minus the month's ledger spend
        (reservations of unfinished jobs included); the job then reserves its estimate.

        `write(session, job_id)` adds the caller's rows (e.g. the run) in the same unit of work
        as the job row, its `job_created` event and the hourly count: all or nothing. Only after
        the commit is the job handed off (see `_hand_off`).
        """
        spec = self.registry.get(job_type)
        if self._check_queue is not None:
            await self._check_queue()
        limits = await self.limits.limits_for(owner_id)
        estimate = spec.estimate(params)
        check_request_limit(estimate, limits)
        cap = limits.monthly_spend_cap_usd
        now = self._clock()
        async with write_unit(self.database) as session:
            # Counting (jobs this hour, spend this month) and adding are atomic per owner.
            await repository.serialize_submissions(session, owner_id)
            if limits.jobs_per_hour is not None:
                await self._check_hourly(session, owner_id, limits.jobs_per_hour, now)
            spent = await ledger.month_spend(session, owner_id, now)
            reserved = check_spend_cap(estimate, cap, spent)
            job = Job(
                owner_id=owner_id,
                type=job_type,
                params=dict(params),
                status=JobStatus.QUEUED,
                timeout_s=timeout_s or spec.timeout_s,
                created_at=now,
                updated_at=now,
            )
            session.add(job)
            await session.flush()
            # Under a cap the job stops sending at what it reserved (0: its models cost nothing).
            budget = JobBudget(limits.max_runs_per_benchmark, reserved or None)
            await ledger.reserve(session, job.id, owner_id, now, reserved, budget)
            if write is not None:
                await write(session, job.id)
            created = NewEvent(JobEventType.CREATED, {"job_type": job_type, "status": "queued"})
            messages = await repository.append_events(session, job.id, owner_id, [created], now)
            job.event_seq = messages[-1].seq
        await self._hand_off(job.id, messages)
        return job

    async def _hand_off(self, job_id: str, messages: Sequence[JobEventMessage]) -> None:
        """After the commit: publish `job_created` and wake the dispatcher.

        The committed queued row is the outbox: the dispatcher scans queued rows at start and
        on every tick, so if this process dies (or this step fails) right after the commit the
        job still runs, once (the claim is a guarded UPDATE). A failure here is therefore not
        the caller's error: the job is queued; it is logged and the dispatcher's tick recovers.
        """
        await self._publish_committed(job_id, messages)
        if self._on_submitted is not None:
            self._on_submitted()

    async def _publish_committed(self, job_id: str, messages: Sequence[JobEventMessage]) -> None:
        """Sockets miss these live if it fails, and refetch them from storage on resume: the
        change itself is committed, so it is logged rather than reported as a failed request."""
        try:
            await self.publisher.publish(messages)
        except Exception:
            log.exception("could not publish committed job events", extra={"job_id": job_id})

    async def _check_hourly(
        self, session: AsyncSession, owner_id: str, per_hour: int, now: datetime
    ) -> None:
        recent, oldest = await repository.created_since(session, owner_id, now - HOUR)
        if recent >= per_hour:
            raise RateLimitedError(
                f"You can start {per_hour} jobs per hour; try again later.",
                retry_after_s=retry_after_seconds(oldest or now, now),
            )

    async def get(self, owner_id: str | None, job_id: str) -> Job:
        async with read_unit(self.database) as session:
            job = await repository.get_job(session, job_id, owner_id)
            session.expunge_all()  # keep the loaded values past the read unit's rollback
        if job is None:
            raise NotFoundError("No such job.")
        return job

    async def list_jobs(
        self,
        owner_id: str | None,
        statuses: Sequence[str] = (),
        job_type: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Job], int]:
        async with read_unit(self.database) as session:
            found = await repository.list_jobs(session, owner_id, statuses, job_type, limit, offset)
            session.expunge_all()
            return found

    async def present(self, jobs: Sequence[Job]) -> list[JobOut]:
        """Jobs as the API shows them: their run's title and page (the job type's describe
        hook), and for each queued job not yet handed out, why it waits (which limit)."""
        labels = await self.registry.describe(
            self.database, [(j.id, j.type, j.params or {}) for j in jobs]
        )
        waiting = [j for j in jobs if j.status == JobStatus.QUEUED and j.dispatched_at is None]
        reasons = {}
        if waiting:
            owners = sorted({j.owner_id for j in waiting})
            async with read_unit(self.database) as session:
                active = await repository.active_counts(session, owners)
                all_active = await repository.count_all_active(session)
            for job in waiting:
                limit = (await self.limits.limits_for(job.owner_id)).concurrent_jobs
                reasons[job.id] = queue_reason(
                    owner_active=active.get(job.owner_id, 0),
                    owner_limit=limit,
                    all_active=all_active,
                    max_running=self.max_running,
                )
        out = []
        for job in jobs:
            label, reason = labels[job.id], reasons.get(job.id)
            out.append(
                JobOut.model_validate(job).model_copy(
                    update={
                        "title": label.title,
                        "link": label.link,
                        "queue_reason": reason.text if reason else None,
                        "queue_reason_code": reason.code if reason else None,
                    }
                )
            )
        return out

    async def cancel(self, actor_id: str, job_id: str, *, as_admin: bool = False) -> Job:
        """Cancel a queued job at once; ask a running one to stop (it keeps what it stored)."""
        owner_filter = None if as_admin else actor_id
        now = self._clock()
        messages: list[JobEventMessage] = []
        async with write_unit(self.database) as session:
            job = await repository.get_job(session, job_id, owner_filter)
            if job is None:
                raise NotFoundError("No such job.")
            if JobStatus(job.status) in TERMINAL_STATUSES:
                raise ConflictError(f"The job is already {job.status}.")
            if await repository.cancel_queued(session, job_id, now):
                await ledger.settle(session, [job_id], now)
                ending = JobEnding(
                    job_id, job.owner_id, job.type, job.params, JobStatus.CANCELLED, "Cancelled."
                )
                await self.registry.job_ended(self.database, session, [ending])
                event = NewEvent(JobEventType.CANCELLED, {"status": "cancelled"})
            elif await repository.request_cancel(session, job_id):
                event = NewEvent(JobEventType.CANCEL_REQUESTED, {})
            else:
                raise ConflictError("The job changed state; try again.")
            messages = await repository.append_events(session, job_id, job.owner_id, [event], now)
            self.auditor.record(
                session,
                "job.cancel",
                actor_id=actor_id,
                target=job_id,
                detail={"job_type": job.type, "owner_id": job.owner_id, "by_admin": as_admin},
            )
        await self._publish_committed(job_id, messages)
        if self._on_cancel is not None:
            self._on_cancel(job_id)
        return await self.get(owner_filter, job_id)

    async def resume(self, owner_id: str, job_id: str) -> Job:
        """Put an interrupted job back in the queue (its handler skips finished units)."""
        if self._check_queue is not None:
            await self._check_queue()
        now = self._clock()
        async with write_unit(self.database) as session:
            job = await repository.get_job(session, job_id, owner_id)
            if job is None:
                raise NotFoundError("No such job.")
            if not await repository.requeue_interrupted(session, job_id, now):
                if job.status == JobStatus.FAILED:  # say why, and what to do instead
                    reason = job.error or "no reason was recorded."
                    raise ConflictError(
                        f"This job failed and a resume cannot fix that: {reason} Start a new "
                        "run once the cause is fixed."
                    )
                raise ConflictError(
                    f"Only interrupted jobs can be resumed (this one is {job.status})."
                )
            await ledger.reopen(session, job_id)
            event = NewEvent(
                JobEventType.CREATED, {"job_type": job.type, "status": "queued", "resumed": True}
            )
            messages = await repository.append_events(session, job_id, owner_id, [event], now)
        await self._hand_off(job_id, messages)
        return await self.get(owner_id, job_id)

    async def events_after(
        self, owner_id: str, job_id: str, after_seq: int, limit: int = 5000
    ) -> list[JobEventMessage]:
        """Stored events of one job after `after_seq` (empty if the job is not the owner's)."""
        async with read_unit(self.database) as session:
            return await repository.events_after(session, job_id, owner_id, after_seq, limit)

    async def events_after_many(
        self, owner_id: str, after: Mapping[str, int], limit: int = 5000
    ) -> list[JobEventMessage]:
        """Events of several jobs, each after its own seq, in one query (others' jobs: none)."""
        async with read_unit(self.database) as session:
            return await repository.events_after_many(session, owner_id, after, limit)

    async def active_summary(self) -> dict[str, int]:
        """Queued and running job counts (for the admin system view)."""
        async with read_unit(self.database) as session:
            counts = await repository.status_counts(session)
        return {"queued": counts.get("queued", 0), "running": counts.get("running", 0)}


def retry_after_seconds(oldest: datetime, now: datetime) -> int:
    return max(1, math.ceil((oldest + HOUR - now).total_seconds()))
