"""Single-use, short-lived WebSocket tickets (the JWT never goes into a URL).

A ticket is random; only its SHA-256 is stored, in memory (embedded) or in Redis (scale-out,
so a ticket issued by one replica works on another). Consuming is atomic (GETDEL).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

from benchstudio.core.errors import ServiceUnavailableError
from benchstudio.core.outages import dependency
from benchstudio.jobs.queue import REDIS_DOWN, redis_client

TICKET_PREFIX = "benchstudio:ws-ticket:"
UNAVAILABLE = "Live updates are unavailable right now; try again shortly."


@dataclass(frozen=True)
class TicketGrant:
    owner_id: str
    # The Origin of the page that asked for the ticket; None for non-browser clients.
    origin: str | None


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


class TicketStore(Protocol):
    async def issue(self, grant: TicketGrant) -> str: ...

    async def consume(self, ticket: str) -> TicketGrant | None: ...

    async def close(self) -> None: ...


class MemoryTicketStore:
    def __init__(self, ttl_s: int) -> None:
        self.ttl_s = ttl_s
        self._tickets: dict[str, tuple[float, TicketGrant]] = {}

    async def issue(self, grant: TicketGrant) -> str:
        now = time.monotonic()
        self._tickets = {k: v for k, v in self._tickets.items() if v[0] > now}
        ticket = secrets.token_urlsafe(32)
        self._tickets[_digest(ticket)] = (now + self.ttl_s, grant)
        return ticket

    async def consume(self, ticket: str) -> TicketGrant | None:
        entry = self._tickets.pop(_digest(ticket), None)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    async def close(self) -> None:
        self._tickets.clear()


class RedisTicketStore:
    def __init__(self, redis_url: str, ttl_s: int) -> None:
        self.ttl_s = ttl_s
        self._redis = redis_client(redis_url)

    async def issue(self, grant: TicketGrant) -> str:
        """Raises a 503 `ServiceUnavailableError` (`realtime_unavailable`) while Redis is down."""
        ticket = secrets.token_urlsafe(32)
        value = json.dumps({"owner_id": grant.owner_id, "origin": grant.origin})
        state = dependency("redis")
        try:
            await self._redis.set(TICKET_PREFIX + _digest(ticket), value, ex=self.ttl_s)
        except REDIS_DOWN as exc:
            state.failed(exc)
            raise ServiceUnavailableError(UNAVAILABLE, code="realtime_unavailable") from None
        state.succeeded()
        return ticket

    async def consume(self, ticket: str) -> TicketGrant | None:
        state = dependency("redis")
        try:
            raw = await self._redis.getdel(TICKET_PREFIX + _digest(ticket))
        except REDIS_DOWN as exc:
            state.failed(exc)
            raise ServiceUnavailableError(UNAVAILABLE, code="realtime_unavailable") from None
        state.succeeded()
        if raw is None:
            return None
        data = json.loads(raw)
        return TicketGrant(owner_id=data["owner_id"], origin=data.get("origin"))

    async def close(self) -> None:
        await self._redis.aclose()


def build_ticket_store(broker_url: str, ttl_s: int) -> TicketStore:
    if broker_url.startswith("memory"):
        return MemoryTicketStore(ttl_s)
    return RedisTicketStore(broker_url, ttl_s)
