"""What a running handler sees: its job, cancellation, and persist-then-publish helpers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import StorageUnavailableError
from benchstudio.jobs import ledger, repository
from benchstudio.jobs.domain import (
    JobBudget,
    JobEventMessage,
    JobEventType,
    clamp_percent,
    estimate_eta_s,
)
from benchstudio.jobs.publishing import EventPublisher
from benchstudio.jobs.repository import NewEvent
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import write_unit

UnitWriter = Callable[[AsyncSession], Awaitable[None]]
log = logging.getLogger(__name__)

# Progress events are throttled so a fast loop cannot flood the database or the sockets.
PROGRESS_MIN_INTERVAL_S = 0.25


class JobCancelledError(Exception):
    """Raised inside a handler at a unit boundary once cancel was requested."""


class ResumableError(Exception):
    """A fault a resume gets past (a measuring process died, a service was unreachable): the
    job ends `interrupted` with this message, keeping its stored units. Any other exception
    fails the job: `failed` is for what a resume cannot fix (configuration, a refused key)."""


# Infrastructure that failed under a job (the database unreachable or read-only, Redis
# stopped, a connection reset, memory exhausted): fix it and resume, the job is not at fault.
INFRASTRUCTURE_FAULTS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    MemoryError,
)


def is_resumable(exc: BaseException) -> bool:
    """A fault a resume gets past: a `ResumableError`, or an infrastructure failure, itself or
    as the explicit cause (`raise … from`) of what the handler raised."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (ResumableError, *INFRASTRUCTURE_FAULTS)):
            return True
        seen.add(id(current))
        current = current.__cause__
    return False


async def publish_committed(
    publisher: EventPublisher, job_id: str, messages: Sequence[JobEventMessage]
) -> None:
    """Publish events already committed. Sockets refetch missed events from storage, so a
    publisher that fails (Redis stopped) costs only liveness: logged, never the job's failure."""
    if not messages:
        return
    try:
        await publisher.publish(messages)
    except Exception:
        log.warning("could not publish committed job events", extra={"job_id": job_id})


@dataclass
class JobContext:
    job_id: str
    owner_id: str
    job_type: str
    params: Mapping[str, Any]
    attempt: int
    database: Database
    publisher: EventPublisher
    # The running process's settings (vault keys, egress policy, demo simulator address).
    settings: Settings
    # The hard bounds this job stops sending at (the owner's limits, reserved at submit).
    budget: JobBudget = field(default_factory=JobBudget)
    cancel_event: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when a unit could not be stored (disk full, read-only database): the job then ends
    # interrupted, to be resumed once storage is back, even if the handler turned the error
    # into another one.
    storage_fault: StorageUnavailableError | None = field(default=None, init=False)
    _started: float = field(default_factory=time.monotonic)
    _last_progress: float = 0.0

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def raise_if_cancelled(self) -> None:
        if self.cancel_event.is_set():
            raise JobCancelledError

    async def record_unit(
        self,
        write: UnitWriter | None,
        events: Sequence[tuple[str, Mapping[str, Any]]],
        *,
        percent: float | None = None,
        detail: str | None = None,
        charge_usd: float = 0.0,
    ) -> None:
        """Store one unit's rows and its events in one transaction, then publish them.

        `charge_usd`, what the unit's requests cost, goes to the spend ledger in the same
        transaction: the month's spend never misses a stored request, whatever happens next.
        """
        try:
            async with write_unit(self.database) as session:
                if write is not None:
                    await write(session)
                await ledger.charge(session, self.job_id, charge_usd)
                new_events = [NewEvent(kind, data) for kind, data in events]
                if percent is not None:
                    new_events.append(self._progress_event(percent, detail))
                    await self._store_progress(session, percent, detail)
                messages = await repository.append_events(
                    session, self.job_id, self.owner_id, new_events, utcnow()
                )
        except StorageUnavailableError as exc:
            self.storage_fault = exc
            raise
        await publish_committed(self.publisher, self.job_id, messages)

    async def progress(
        self, percent: float, detail: str | None = None, *, force: bool = False
    ) -> None:
        """Report progress (throttled unless `force`)."""
        now = time.monotonic()
        if not force and now - self._last_progress < PROGRESS_MIN_INTERVAL_S:
            return
        self._last_progress = now
        await self.record_unit(None, (), percent=percent, detail=detail)

    def _progress_event(self, percent: float, detail: str | None) -> NewEvent:
        percent = clamp_percent(percent)
        eta = estimate_eta_s(percent, time.monotonic() - self._started)
        data: dict[str, Any] = {"percent": round(percent, 2), "detail": detail}
        data["eta_s"] = None if eta is None else round(eta, 1)
        return NewEvent(JobEventType.PROGRESS, data)

    async def _store_progress(
        self, session: AsyncSession, percent: float, detail: str | None
    ) -> None:
        percent = clamp_percent(percent)
        eta = estimate_eta_s(percent, time.monotonic() - self._started)
        await repository.set_progress(session, self.job_id, percent, detail, eta)
