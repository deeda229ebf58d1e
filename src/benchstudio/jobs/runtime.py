"""Wires the job system together for a process: the server (embedded or scale-out API) or a
`benchstudio worker`."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.asyncio import Redis
from taskiq.api import run_receiver_task

from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import ServiceUnavailableError
from benchstudio.core.shutdown import bounded_step
from benchstudio.jobs import repository
from benchstudio.jobs.auditing import JobAuditor
from benchstudio.jobs.demo_jobs import DEMO_JOB
from benchstudio.jobs.dispatcher import Dispatcher, DispatcherTiming, DispatchLock, NoLock
from benchstudio.jobs.domain import JobEventMessage, JobEventType
from benchstudio.jobs.limits import LimitsSource
from benchstudio.jobs.publishing import EventPublisher
from benchstudio.jobs.queue import (
    JobQueue,
    RedisDispatchLock,
    build_broker,
    check_queue,
    is_memory_broker,
    new_worker_id,
    redis_client,
)
from benchstudio.jobs.registry import HandlerRegistry
from benchstudio.jobs.repository import NewEvent
from benchstudio.jobs.runner import JobRunner, RunnerTiming
from benchstudio.jobs.service import JobService
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import write_unit

log = logging.getLogger(__name__)


def default_registry() -> HandlerRegistry:
    """The job system's own type (the demo job) only: for a runtime built without the
    composition root's registry (tests). Feature job types are registered by `app.job_registry`;
    nothing registers by being imported."""
    registry = HandlerRegistry()
    registry.register(DEMO_JOB)
    return registry


class JobRuntime:
    """Service, dispatcher, runner and queue.

    `execute`: run jobs in this process; `dispatch`: hand queued jobs out (fairly). `limits`
    says what each user may run; the composition root injects it (the admin's values), and
    `auditor`, which writes the job actions to the audit log.
    """

    def __init__(
        self,
        settings: Settings,
        database: Database,
        publisher: EventPublisher,
        *,
        limits: LimitsSource,
        auditor: JobAuditor,
        registry: HandlerRegistry | None = None,
        execute: bool,
        dispatch: bool,
    ) -> None:
        self.settings = settings
        self.database = database
        self.embedded = is_memory_broker(settings.broker_url)
        self.execute = execute
        self.worker_id = new_worker_id()
        self.registry = registry or default_registry()
        self.runner = JobRunner(
            database,
            publisher,
            self.registry,
            self.worker_id,
            settings,
            RunnerTiming(
                settings.jobs_lease_s, settings.jobs_heartbeat_s, settings.jobs_cancel_grace_s
            ),
            auditor=auditor,
        )
        self.broker = build_broker(settings.broker_url, settings.worker_concurrency)
        self.queue = JobQueue(self.broker, self.receive)
        self._stopping = False
        self._redis: Redis | None = None if self.embedded else redis_client(settings.broker_url)
        self.dispatcher: Dispatcher | None = None
        if dispatch:
            self.dispatcher = Dispatcher(
                database,
                publisher,
                limits,
                self.queue.kick,
                lock=self._lock(),
                registry=self.registry,
                timing=DispatcherTiming(
                    settings.jobs_dispatch_interval_s,
                    settings.jobs_unclaimed_requeue_s,
                    settings.jobs_max_running,
                    lease_s=settings.jobs_lease_s,
                ),
            )
        self.service = JobService(
            database,
            publisher,
            limits,
            self.registry,
            auditor=auditor,
            on_submitted=self.dispatcher.wake if self.dispatcher else None,
            on_cancel=self.runner.cancel_local,
            check_queue=None if self._redis is None else self.check_queue,
            max_running=settings.jobs_max_running,
        )
        self.publisher = publisher
        self._receiver: asyncio.Task[None] | None = None

    async def receive(self, job_id: str) -> None:
        """A "run job X" message. One that arrives while this worker stops (its slots free up
        as its jobs are interrupted) goes back to the queue at once for another worker, rather
        than wait a minute for the dispatcher's requeue of unclaimed jobs."""
        if self._stopping and not self.embedded:
            await self.queue.kick(job_id)
            return
        await self.runner.run(job_id)

    async def check_queue(self) -> None:
        """Scale-out: raise a 503 `ServiceUnavailableError` while Redis is unreachable."""
        if self._redis is not None:
            await check_queue(self._redis)

    async def redis_reachable(self) -> bool | None:
        """For the health report: None in embedded mode (no Redis)."""
        if self._redis is None:
            return None
        try:
            await self.check_queue()
        except ServiceUnavailableError:
            return False
        return True

    def _lock(self) -> DispatchLock:
        if self._redis is None:
            return NoLock()
        return RedisDispatchLock(
            self._redis, self.worker_id, self.settings.jobs_dispatch_interval_s * 6
        )

    async def start(self) -> None:
        await self.broker.startup()
        if self.embedded and self.execute:
            try:
                await self._interrupt_orphans()
            except Exception:
                # The server still starts (and /healthz says why); the dispatcher retries.
                log.exception("could not check for jobs left running by a previous server")
        await self._repair()
        if self.execute and not self.embedded:
            self.broker.is_worker_process = True
            self._receiver = asyncio.create_task(
                run_receiver_task(self.broker, max_async_tasks=self.settings.worker_concurrency)
            )
        if self.dispatcher is not None:
            self.dispatcher.start()

    async def _repair(self) -> None:
        """Rows of ended jobs that did not follow their job (a process died between the two,
        or an older version) are repaired by each job type's hook, at every start."""
        repaired = await self.registry.repair(self.database)
        if repaired:
            log.warning("repaired rows whose job had ended", extra={"count": repaired})

    async def _interrupt_orphans(self) -> None:
        """Embedded mode: jobs left running by a previous server process cannot be running now."""
        now = utcnow()
        messages: list[JobEventMessage] = []
        async with write_unit(self.database) as session:
            orphans = await repository.interrupt_all_running(session, now)
            endings = await repository.endings_of(session, [job_id for job_id, _ in orphans])
            await self.registry.job_ended(self.database, session, list(endings.values()))
            for job_id, owner_id in orphans:
                event = NewEvent(JobEventType.INTERRUPTED, {"status": "interrupted"})
                messages += await repository.append_events(session, job_id, owner_id, [event], now)
        if orphans:
            log.warning(
                "interrupted jobs left running by a stopped server", extra={"count": len(orphans)}
            )
            await self.publisher.publish(messages)

    async def stop(self) -> None:
        self._stopping = True
        if self.dispatcher is not None:
            await bounded_step("dispatcher", self.dispatcher.stop())
        await bounded_step("runner", self.runner.shutdown(), timeout_s=30.0)
        if self._receiver is not None:
            self._receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bounded_step("receiver", self._receiver)
        try:
            await bounded_step("broker", self.broker.shutdown())
        except Exception:  # stopping anyway: the rest must still be closed
            log.warning("could not shut the task broker down cleanly", exc_info=True)
        if self._redis is not None:
            await bounded_step("redis", self._redis.aclose())
