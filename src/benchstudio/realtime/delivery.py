"""Exactly-once, in-order delivery of job events to one socket.

Per job the socket remembers the last sequence number it delivered. A live event that is a
duplicate is dropped; one that leaves a gap (a reconnect, a dropped Redis message, a full
socket queue) first pulls the missing events from storage. Everything runs under one lock, so
replay and live delivery never interleave.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from benchstudio.jobs.domain import JobEventMessage

FetchAfter = Callable[[str, int], Awaitable[list[JobEventMessage]]]
SendJson = Callable[[dict[str, Any]], Awaitable[None]]


class EventDelivery:
    def __init__(self, fetch_after: FetchAfter, send: SendJson) -> None:
        self._fetch_after = fetch_after
        self._send = send
        self._lock = asyncio.Lock()
        self.delivered: dict[str, int] = {}

    async def send_control(self, message: dict[str, Any]) -> None:
        async with self._lock:
            await self._send(message)

    async def live(self, event: JobEventMessage) -> None:
        async with self._lock:
            last = self.delivered.get(event.job_id)
            if last is None:
                # First event of a job this socket has not been told about: start here.
                await self._emit(event)
            elif event.seq == last + 1:
                await self._emit(event)
            elif event.seq > last + 1:
                await self._catch_up(event.job_id)

    async def resume(self, last_seq: Mapping[str, int]) -> int:
        """The client has events up to `last_seq[job]`; send what it missed. Returns the count."""
        sent = 0
        async with self._lock:
            for job_id, seq in last_seq.items():
                self.delivered[job_id] = max(int(seq), self.delivered.get(job_id, 0))
                sent += await self._catch_up(job_id)
        return sent

    async def catch_up_all(self, extra_jobs: Iterable[str] = ()) -> None:
        """After an overflow: refetch every job this socket follows (and the dropped ones)."""
        async with self._lock:
            for job_id in set(self.delivered) | set(extra_jobs):
                await self._catch_up(job_id)

    async def _catch_up(self, job_id: str) -> int:
        missing = await self._fetch_after(job_id, self.delivered.get(job_id, 0))
        for event in missing:
            await self._emit(event)
        return len(missing)

    async def _emit(self, event: JobEventMessage) -> None:
        await self._send(event.wire())
        self.delivered[event.job_id] = event.seq
