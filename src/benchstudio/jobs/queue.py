"""The task queue under the job table: taskiq, in memory (embedded) or on Redis (scale-out).

A message only says "try to run job X"; the job row decides whether anyone may (atomic claim),
so lost or duplicated messages are harmless.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from taskiq import AsyncBroker, InMemoryBroker

RUN_JOB_TASK = "benchstudio.jobs.run"
QUEUE_NAME = "benchstudio:jobs"
DISPATCH_LOCK_KEY = "benchstudio:jobs:dispatch-lock"


def is_memory_broker(broker_url: str) -> bool:
    return broker_url.startswith("memory")


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{os.urandom(3).hex()}"


def build_broker(broker_url: str, max_async_tasks: int) -> AsyncBroker:
    if is_memory_broker(broker_url):
        return InMemoryBroker(max_async_tasks=max_async_tasks, propagate_exceptions=False)
    from taskiq_redis import ListQueueBroker

    broker: AsyncBroker = ListQueueBroker(broker_url, queue_name=QUEUE_NAME)
    return broker


class JobQueue:
    """Kicks "run job X" messages; in a worker (or embedded) the message calls `run`."""

    def __init__(self, broker: AsyncBroker, run: Callable[[str], Awaitable[None]]) -> None:
        self.broker = broker

        async def run_job(job_id: str) -> None:
            await run(job_id)

        self._task: Any = broker.register_task(run_job, task_name=RUN_JOB_TASK)

    async def kick(self, job_id: str) -> None:
        await self._task.kiq(job_id)


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class RedisDispatchLock:
    """Only one dispatcher in the cluster ticks at a time; the lock expires if its holder dies."""

    def __init__(self, redis: Redis, holder: str, ttl_s: float) -> None:
        self.redis = redis
        self.holder = holder
        self.ttl_ms = max(1000, int(ttl_s * 1000))

    async def acquire(self) -> bool:
        if await self.redis.set(DISPATCH_LOCK_KEY, self.holder, nx=True, px=self.ttl_ms):
            return True
        current = await self.redis.get(DISPATCH_LOCK_KEY)
        if _text(current) == self.holder:
            await self.redis.pexpire(DISPATCH_LOCK_KEY, self.ttl_ms)
            return True
        return False

    async def release(self) -> None:
        current = await self.redis.get(DISPATCH_LOCK_KEY)
        if _text(current) == self.holder:
            await self.redis.delete(DISPATCH_LOCK_KEY)
