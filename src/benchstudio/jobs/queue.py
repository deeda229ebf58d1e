"""The task queue under the job table: taskiq, in memory (embedded) or on Redis (scale-out).

A message only says "try to run job X"; the job row decides whether anyone may (atomic claim),
so lost or duplicated messages are harmless.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AsyncBroker, InMemoryBroker
from taskiq_redis import ListQueueBroker

from benchstudio.core.errors import ServiceUnavailableError
from benchstudio.core.outages import dependency

RUN_JOB_TASK = "benchstudio.jobs.run"
QUEUE_NAME = "benchstudio:jobs"
DISPATCH_LOCK_KEY = "benchstudio:jobs:dispatch-lock"
# What a call to a Redis that is down (or just came back on a dead socket) raises.
REDIS_DOWN: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)
# A worker's BRPOP returns empty after this long, well inside the socket timeout: an idle
# worker no longer hits a read timeout (and a traceback) every 5 s.
RECEIVE_BLOCK_S = 2
RECEIVE_BACKOFF_S = (0.5, 5.0)
QUEUE_CHECK_TIMEOUT_S = 1.0


def redis_options() -> dict[str, Any]:
    """Every Redis client of ours: bounded connects and reads, connections idle for a while
    are pinged before use, and a call that fails on a connection is retried once on a fresh
    one, so the first call after an outage does not fail on the socket the outage killed."""
    return {
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "health_check_interval": 10,
        "retry": Retry(NoBackoff(), 1),
    }


def redis_client(url: str) -> Redis:
    return Redis.from_url(url, **redis_options())


async def check_queue(redis: Redis) -> None:
    """Before a submit writes anything: a queue known to be down answers 503, not a queued job
    nobody can hand out (ADR 0009's outbox still covers an outage that starts after this)."""
    state = dependency("redis")
    try:
        async with asyncio.timeout(QUEUE_CHECK_TIMEOUT_S):
            await redis.ping()
    except (RedisConnectionError, RedisTimeoutError, OSError, TimeoutError) as exc:
        state.failed(exc)
        raise ServiceUnavailableError(
            "The job queue is unavailable right now; nothing was submitted. Try again shortly.",
            code="queue_unavailable",
        ) from None
    state.succeeded()


def is_memory_broker(broker_url: str) -> bool:
    return broker_url.startswith("memory")


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{os.urandom(3).hex()}"


def build_broker(broker_url: str, max_async_tasks: int) -> AsyncBroker:
    if is_memory_broker(broker_url):
        return InMemoryBroker(max_async_tasks=max_async_tasks, propagate_exceptions=False)
    return QuietListQueueBroker(broker_url, queue_name=QUEUE_NAME, **redis_options())


class QuietListQueueBroker(ListQueueBroker):
    """taskiq-redis's list broker with a receive loop that rides out Redis outages: it logs
    one line when Redis goes away and one when it is back (`core.outages`), backs off in
    between, and polls with a bounded BRPOP instead of blocking into the socket timeout."""

    async def listen(self) -> AsyncGenerator[bytes, None]:
        state = dependency("redis")
        backoff = RECEIVE_BACKOFF_S[0]
        while True:
            try:
                async with Redis(connection_pool=self.connection_pool) as redis:
                    popped = await redis.brpop([self.queue_name], timeout=RECEIVE_BLOCK_S)
            except REDIS_DOWN as exc:
                state.failed(exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RECEIVE_BACKOFF_S[1])
                continue
            state.succeeded()
            backoff = RECEIVE_BACKOFF_S[0]
            if popped is not None:
                message = popped[1]
                yield message.encode() if isinstance(message, str) else message


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
    """Only one dispatcher in the cluster ticks at a time; the lock expires if its holder dies.
    `key`: the job dispatcher's lock by default; the schedule dispatcher holds its own."""

    def __init__(
        self, redis: Redis, holder: str, ttl_s: float, *, key: str = DISPATCH_LOCK_KEY
    ) -> None:
        self.redis = redis
        self.holder = holder
        self.ttl_ms = max(1000, int(ttl_s * 1000))
        self.key = key

    async def acquire(self) -> bool:
        if await self.redis.set(self.key, self.holder, nx=True, px=self.ttl_ms):
            return True
        current = await self.redis.get(self.key)
        if _text(current) == self.holder:
            await self.redis.pexpire(self.key, self.ttl_ms)
            return True
        return False

    async def release(self) -> None:
        current = await self.redis.get(self.key)
        if _text(current) == self.holder:
            await self.redis.delete(self.key)
