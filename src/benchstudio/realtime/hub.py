"""The event hub: fans stored job events out to the sockets of their owner.

In memory for the embedded server; over Redis pub/sub in scale-out mode so that a worker's
events reach whichever API replica holds the user's sockets. Each socket has a bounded queue:
when it is full the event is dropped for that socket only and the socket catches up from the
stored events, so a slow socket never slows a job.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from benchstudio.core.outages import dependency
from benchstudio.core.shutdown import bounded_step
from benchstudio.jobs.domain import JobEventMessage
from benchstudio.jobs.queue import REDIS_DOWN, redis_client

log = logging.getLogger(__name__)
EVENTS_CHANNEL = "benchstudio:events"
# While Redis is down, publishing probes it at most this often and drops the events between
# (sockets refill the gap from storage); a job never waits on a connect per unit.
PUBLISH_PROBE_S = 1.0
RELAY_BACKOFF_S = (0.5, 5.0)


def events_channel(redis_url: str) -> str:
    """Pub/sub ignores Redis database numbers, so the channel name carries it."""
    database = urlsplit(redis_url).path.strip("/") or "0"
    return f"{EVENTS_CHANNEL}:{database}"


class Subscription:
    """One socket's view of the hub."""

    def __init__(self, owner_id: str, maxsize: int) -> None:
        self.owner_id = owner_id
        self.queue: asyncio.Queue[JobEventMessage] = asyncio.Queue(maxsize)
        # Jobs with an event dropped on overflow: the socket fetches them from storage.
        self.dropped_jobs: set[str] = set()
        self.overflow = asyncio.Event()
        # Set when this process's relay came back after losing Redis: events may have been
        # dropped for any job, so the socket refetches every job it follows from storage.
        self.stale = asyncio.Event()

    def offer(self, event: JobEventMessage) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped_jobs.add(event.job_id)
            self.overflow.set()


class EventHub:
    """The in-memory hub; `RedisEventHub` adds the cross-process leg."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, set[Subscription]] = {}

    def subscribe(self, owner_id: str, maxsize: int) -> Subscription:
        subscription = Subscription(owner_id, maxsize)
        self._subscriptions.setdefault(owner_id, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subs = self._subscriptions.get(subscription.owner_id)
        if subs is not None:
            subs.discard(subscription)
            if not subs:
                del self._subscriptions[subscription.owner_id]

    def connection_count(self, owner_id: str | None = None) -> int:
        if owner_id is not None:
            return len(self._subscriptions.get(owner_id, ()))
        return sum(len(s) for s in self._subscriptions.values())

    def mark_all_stale(self) -> None:
        for subscriptions in self._subscriptions.values():
            for subscription in subscriptions:
                subscription.stale.set()

    def deliver_local(self, events: Sequence[JobEventMessage]) -> None:
        for event in events:
            for subscription in self._subscriptions.get(event.owner_id, ()):
                subscription.offer(event)

    async def publish(self, events: Sequence[JobEventMessage]) -> None:
        self.deliver_local(events)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def encode_events(events: Sequence[JobEventMessage]) -> str:
    return json.dumps(
        [
            {
                "job_id": e.job_id,
                "owner_id": e.owner_id,
                "seq": e.seq,
                "type": e.type,
                "at": e.at.isoformat(),
                "data": dict(e.data),
            }
            for e in events
        ]
    )


def decode_events(raw: str | bytes) -> list[JobEventMessage]:
    items: list[dict[str, Any]] = json.loads(raw)
    return [
        JobEventMessage(
            item["job_id"],
            item["owner_id"],
            int(item["seq"]),
            item["type"],
            datetime.fromisoformat(item["at"]),
            item.get("data") or {},
        )
        for item in items
    ]


class RedisEventHub(EventHub):
    """Publishes to Redis; with `listen` it also relays the cluster's events to local sockets."""

    def __init__(self, redis_url: str, *, listen: bool = True) -> None:
        super().__init__()
        self._redis = redis_client(redis_url)
        self._channel = events_channel(redis_url)
        self._listen = listen
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, events: Sequence[JobEventMessage]) -> None:
        """Never raises for a Redis outage: the events are stored already, so a running job
        carries on and sockets fetch what they missed from storage (drop with replay)."""
        state = dependency("redis")
        if not events or not state.should_try(PUBLISH_PROBE_S):
            return
        try:
            # Local sockets get them through the subscription too (one path, one order).
            await self._redis.publish(self._channel, encode_events(events))
        except REDIS_DOWN as exc:
            state.failed(exc)
            return
        state.succeeded()

    async def start(self) -> None:
        if self._listen:
            self._listener = asyncio.create_task(self._relay(), name="event-hub-relay")
            async with asyncio.timeout(10):
                await self._ready.wait()

    async def _relay(self) -> None:
        state = dependency("redis")
        backoff = RELAY_BACKOFF_S[0]
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    state.succeeded()
                    backoff = RELAY_BACKOFF_S[0]
                    if self._ready.is_set():
                        self.mark_all_stale()  # resubscribed: replay what went by meanwhile
                    self._ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.deliver_local(decode_events(message["data"]))
            except asyncio.CancelledError:
                raise
            except REDIS_DOWN as exc:
                # One line per outage (`core.outages`); missed events are refetched by
                # sockets from storage on the next gap.
                state.failed(exc)
            except Exception:
                log.warning("event relay failed; reconnecting", exc_info=True)
            # Start-up does not wait for a Redis that is down: /readyz says so meanwhile.
            self._ready.set()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RELAY_BACKOFF_S[1])

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bounded_step("event relay", self._listener)
        await bounded_step("event relay redis", self._redis.aclose())


def build_hub(broker_url: str, *, listen: bool = True) -> EventHub:
    if broker_url.startswith("memory"):
        return EventHub()
    return RedisEventHub(broker_url, listen=listen)
