"""Where stored job events go next: the realtime hub implements this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from benchstudio.jobs.domain import JobEventMessage


class EventPublisher(Protocol):
    async def publish(self, events: Sequence[JobEventMessage]) -> None:
        """Fan events out to sockets. Called only after the events are committed."""


class CollectingPublisher:
    """Keeps every published event (tests, and processes without sockets)."""

    def __init__(self) -> None:
        self.events: list[JobEventMessage] = []

    async def publish(self, events: Sequence[JobEventMessage]) -> None:
        self.events.extend(events)
