"""The realtime pieces one process holds: hub, ticket store and socket limits."""

from __future__ import annotations

from dataclasses import dataclass

from benchstudio.config import Settings
from benchstudio.realtime.hub import EventHub, build_hub
from benchstudio.realtime.tickets import TicketStore, build_ticket_store


@dataclass
class Realtime:
    hub: EventHub
    tickets: TicketStore
    max_connections_per_user: int
    heartbeat_s: float
    queue_size: int
    allowed_origins: frozenset[str]
    # How long a new socket waits for the client's `resume` before live delivery starts.
    resume_wait_s: float = 2.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Realtime:
        return cls(
            hub=build_hub(settings.broker_url),
            tickets=build_ticket_store(settings.broker_url, settings.ws_ticket_ttl_s),
            max_connections_per_user=settings.ws_max_connections_per_user,
            heartbeat_s=settings.ws_heartbeat_s,
            queue_size=settings.ws_queue_size,
            allowed_origins=frozenset(o.rstrip("/") for o in settings.allowed_origins),
        )

    async def start(self) -> None:
        await self.hub.start()

    async def stop(self) -> None:
        await self.hub.stop()
        await self.tickets.close()
