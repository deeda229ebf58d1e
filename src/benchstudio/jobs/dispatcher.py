"""Hands queued jobs to the task queue fairly, and recovers jobs whose process died.

Each tick: interrupt running jobs whose lease expired, return unclaimed dispatches to the
queue, then pick queued jobs round-robin across users within each user's concurrency limit and
kick them. Only one dispatcher ticks at a time (a Redis lock in scale-out mode).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.clock import utcnow
from benchstudio.core.outages import dependency, seconds_since_recovery
from benchstudio.jobs import ledger, repository
from benchstudio.jobs.domain import FairQueue, JobEventMessage, JobEventType, free_slots
from benchstudio.jobs.limits import LimitsSource
from benchstudio.jobs.publishing import EventPublisher
from benchstudio.jobs.queue import REDIS_DOWN
from benchstudio.jobs.registry import HandlerRegistry
from benchstudio.jobs.repository import NewEvent
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit, write_unit

log = logging.getLogger(__name__)
SCAN_LIMIT = 1000
# A database that cannot be reached (refused, reset, timed out): an outage, logged once.
DATABASE_DOWN: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    OSError,
    TimeoutError,
)


def is_database_outage(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, DATABASE_DOWN)


class DispatchLock(Protocol):
    async def acquire(self) -> bool: ...

    async def release(self) -> None: ...


class NoLock:
    """Embedded mode: one process, nothing to coordinate."""

    async def acquire(self) -> bool:
        return True

    async def release(self) -> None:
        return None


@dataclass(frozen=True)
class DispatcherTiming:
    interval_s: float = 0.5
    unclaimed_requeue_s: float = 15.0
    # Jobs running (or handed out) at once across all users; None: no global cap. Holding the
    # rest in our table, not the task queue, is what keeps the round-robin fair.
    max_running: int | None = None
    # Lease recovery and requeueing take write locks: run them less often than dispatching.
    maintenance_every_s: float = 2.0
    # The workers' lease. After an outage ends, expired leases wait this long before they count
    # (live workers renew the ones they could not renew meanwhile); jobs still expired within
    # OUTAGE_WINDOW_LEASES leases were most likely stopped by the outage and are resumed once.
    lease_s: float = 30.0


OUTAGE_WINDOW_LEASES = 4
# In a job's params: it was resumed automatically after an outage (which happens only once).
OUTAGE_RESUMED = "outage_resumed"


@dataclass(frozen=True)
class TickReport:
    dispatched: list[str]
    interrupted: list[str]
    requeued: int


class Dispatcher:
    def __init__(
        self,
        database: Database,
        publisher: EventPublisher,
        limits: LimitsSource,
        kick: Callable[[str], Awaitable[None]],
        *,
        lock: DispatchLock | None = None,
        timing: DispatcherTiming = DispatcherTiming(),
        registry: HandlerRegistry | None = None,
    ) -> None:
        # Its types' `on_ended` hooks run in the unit that interrupts an expired job.
        self.registry = registry
        self.database = database
        self.publisher = publisher
        self.limits = limits
        self.kick = kick
        self.lock = lock or NoLock()
        self.timing = timing
        self.fair = FairQueue()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="job-dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.lock.release()
        except Exception:  # it expires on its own; say why the next dispatcher waits
            log.warning("could not release the dispatch lock", exc_info=True)

    async def _loop(self) -> None:
        last_maintenance = float("-inf")
        loop = asyncio.get_running_loop()
        while True:
            if await self._acquire_lock():
                due = loop.time() - last_maintenance >= self.timing.maintenance_every_s
                if due:
                    last_maintenance = loop.time()
                await self._tick_logged(maintenance=due)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.timing.interval_s):
                    await self._wake.wait()
            self._wake.clear()

    async def _acquire_lock(self) -> bool:
        """The lock lives in Redis (scale-out): while Redis is down nobody dispatches, and the
        outage is logged once (`core.outages`), not on every tick."""
        redis = dependency("redis")
        try:
            held = await self.lock.acquire()
        except REDIS_DOWN as exc:
            redis.failed(exc)
            return False
        if not isinstance(self.lock, NoLock):
            redis.succeeded()
        return held

    async def _tick_logged(self, *, maintenance: bool) -> None:
        database = dependency("database")
        try:
            await self.tick(maintenance=maintenance)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not is_database_outage(exc):
                log.exception("dispatcher tick failed")
                return
            database.failed(exc)
            return
        database.succeeded()

    async def tick(self, *, maintenance: bool = True) -> TickReport:
        interrupted, requeued = [], 0
        if maintenance:
            interrupted = await self.recover_expired()
            requeued = await self._requeue_unclaimed()
        dispatched = await self._dispatch_fairly()
        return TickReport(dispatched, interrupted, requeued)

    async def recover_expired(self) -> list[str]:
        since_outage = seconds_since_recovery("database", "redis")
        if since_outage is not None and since_outage < self.timing.lease_s:
            return []  # grace after an outage: live workers renew their leases first
        after_outage = since_outage is not None and (
            since_outage < OUTAGE_WINDOW_LEASES * self.timing.lease_s
        )
        now = utcnow()
        messages: list[JobEventMessage] = []
        data: dict[str, object] = {
            "status": "interrupted",
            "error": "The process running this job stopped.",
        }
        if after_outage:
            data["reason"] = "outage"
        async with write_unit(self.database) as session:
            expired = await repository.interrupt_expired(session, now)
            if self.registry is not None and expired:
                endings = await repository.endings_of(session, [job_id for job_id, _ in expired])
                await self.registry.job_ended(self.database, session, list(endings.values()))
            for job_id, owner_id in expired:
                event = NewEvent(JobEventType.INTERRUPTED, data)
                messages += await repository.append_events(session, job_id, owner_id, [event], now)
            if after_outage:
                messages += await self._resume_once(session, expired)
        if messages:
            log.warning("interrupted jobs whose lease expired", extra={"count": len(expired)})
            await self.publisher.publish(messages)
        return [job_id for job_id, _ in expired]

    async def _resume_once(
        self, session: AsyncSession, interrupted: list[tuple[str, str]]
    ) -> list[JobEventMessage]:
        """Jobs an outage stopped go back to the queue, once each (a flag in their params):
        their handlers skip the units already stored, as on a manual resume."""
        now = utcnow()
        messages: list[JobEventMessage] = []
        for job_id, owner_id in interrupted:
            job = await repository.get_job(session, job_id)
            if job is None or job.params.get(OUTAGE_RESUMED):
                continue
            if not await repository.requeue_interrupted(session, job_id, now):
                continue
            await ledger.reopen(session, job_id)
            job.params = {**job.params, OUTAGE_RESUMED: True}
            event = NewEvent(
                JobEventType.CREATED,
                {"job_type": job.type, "status": "queued", "resumed": True, "reason": "outage"},
            )
            messages += await repository.append_events(session, job_id, owner_id, [event], now)
        if messages:
            log.warning("resumed jobs an outage stopped", extra={"count": len(messages)})
        return messages

    async def _requeue_unclaimed(self) -> int:
        older_than = utcnow() - timedelta(seconds=self.timing.unclaimed_requeue_s)
        async with write_unit(self.database) as session:
            return await repository.release_stale_dispatches(session, older_than)

    async def _dispatch_fairly(self) -> list[str]:
        async with read_unit(self.database) as session:
            queued = await repository.dispatchable_jobs(session, SCAN_LIMIT)
            if not queued:
                return []
            owners = sorted({job.owner_id for job in queued})
            active = await repository.active_counts(session, owners)
            capacity = None
            if self.timing.max_running is not None:
                capacity = self.timing.max_running - await repository.count_all_active(session)
        if capacity is not None and capacity <= 0:
            return []
        limits = {owner: await self.limits.limits_for(owner) for owner in owners}
        picks = self.fair.pick(queued, free_slots(limits, active), capacity)
        dispatched: list[str] = []
        for job in picks:
            async with write_unit(self.database) as session:
                if not await repository.mark_dispatched(session, job.id, utcnow()):
                    continue
            try:
                await self.kick(job.id)
            except Exception as exc:
                # The row goes back to queued (the outbox): a later tick hands it out.
                if isinstance(exc, REDIS_DOWN):
                    dependency("redis").failed(exc)
                else:
                    log.exception("could not hand a job to the queue", extra={"job_id": job.id})
                async with write_unit(self.database) as session:
                    await repository.undispatch(session, job.id)
                break
            dispatched.append(job.id)
        return dispatched
