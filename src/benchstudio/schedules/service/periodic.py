"""The schedule dispatcher in the server's lifespan: a pass every few seconds.

In scale-out mode every API replica runs this loop, and a Redis lock (its own key, beside the
job dispatcher's) lets one of them pass at a time; the database's uniqueness rule on (schedule,
occurrence) holds in every mode, so even two passes at once start each occurrence once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.asyncio import Redis

from benchstudio.core.outages import dependency
from benchstudio.jobs.dispatcher import DispatchLock, NoLock, is_database_outage
from benchstudio.jobs.queue import (
    REDIS_DOWN,
    RedisDispatchLock,
    is_memory_broker,
    new_worker_id,
    redis_client,
)
from benchstudio.schedules.service import ScheduleContext
from benchstudio.schedules.service.dispatch import PassReport, dispatch_pass

log = logging.getLogger(__name__)
SCHEDULES_LOCK_KEY = "benchstudio:schedules:dispatch-lock"


class ScheduleDispatcher:
    def __init__(self, ctx: ScheduleContext, *, interval_s: float, lock: DispatchLock) -> None:
        self.ctx = ctx
        self.interval_s = interval_s
        self.lock = lock
        self._task: asyncio.Task[None] | None = None

    @staticmethod
    def for_server(ctx: ScheduleContext) -> tuple[ScheduleDispatcher, Redis | None]:
        """The lock in Redis when the job queue is Redis (scale-out), none when embedded."""
        settings = ctx.settings
        interval = settings.schedules_dispatch_interval_s
        if is_memory_broker(settings.broker_url):
            return ScheduleDispatcher(ctx, interval_s=interval, lock=NoLock()), None
        redis = redis_client(settings.broker_url)
        # The lock outlives a few passes, so a holder that dies is replaced soon after.
        lock = RedisDispatchLock(redis, new_worker_id(), interval * 6, key=SCHEDULES_LOCK_KEY)
        return ScheduleDispatcher(ctx, interval_s=interval, lock=lock), redis

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="schedule-dispatcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.lock.release()
        except Exception:  # it expires on its own
            log.warning("could not release the schedule dispatch lock", exc_info=True)

    async def run_once(self) -> PassReport | None:
        """One pass if this process holds the lock (None: another one does, or Redis is down)."""
        try:
            held = await self.lock.acquire()
        except REDIS_DOWN as exc:
            dependency("redis").failed(exc)
            return None
        if not held:
            return None
        return await dispatch_pass(self.ctx)

    async def _loop(self) -> None:
        while True:
            try:
                report = await self.run_once()
                if report is not None and (report.dispatched or report.paused):
                    log.info(
                        "schedules dispatched",
                        extra={"runs": len(report.dispatched), "paused": len(report.paused)},
                    )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_database_outage(exc):
                    dependency("database").failed(exc)
                else:
                    log.exception("schedule dispatcher pass failed")
            await asyncio.sleep(self.interval_s)
