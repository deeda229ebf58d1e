"""Exactly-once, in-order delivery of job events to one socket.

Per job the socket remembers the last sequence number it delivered. A live event that is a
duplicate is dropped; one that leaves a gap (a reconnect, a dropped Redis message, a full
socket queue) first pulls the missing events from storage. Everything runs under one lock, so
replay and live delivery never interleave.

Storage is asked for many jobs at once (one query per `FETCH_BATCH` jobs), and the map of
remembered jobs is bounded (`MAX_TRACKED_JOBS`, the least recently active forgotten first: a
forgotten job's next live event is delivered as if it were its first).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from benchstudio.jobs.domain import JobEventMessage

# Every job's events after its own seq, in one round trip (ordered by job, then seq).
FetchMany = Callable[[Mapping[str, int]], Awaitable[list[JobEventMessage]]]
SendJson = Callable[[dict[str, Any]], Awaitable[None]]
MAX_TRACKED_JOBS = 1000
FETCH_BATCH = 200


class EventDelivery:
    def __init__(
        self, fetch_many: FetchMany, send: SendJson, *, max_jobs: int = MAX_TRACKED_JOBS
    ) -> None:
        self._fetch_many = fetch_many
        self._send = send
        self._max_jobs = max_jobs
        self._lock = asyncio.Lock()
        self.delivered: OrderedDict[str, int] = OrderedDict()

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
                await self._catch_up([event.job_id])

    async def resume(self, last_seq: Mapping[str, int]) -> int:
        """The client has events up to `last_seq[job]`; send what it missed. Returns the count."""
        async with self._lock:
            for job_id, seq in last_seq.items():
                self._remember(job_id, max(int(seq), self.delivered.get(job_id, 0)))
            return await self._catch_up(list(last_seq))

    async def catch_up_all(self, extra_jobs: Iterable[str] = ()) -> None:
        """After an overflow: refetch every job this socket follows (and the dropped ones)."""
        async with self._lock:
            await self._catch_up(list(dict.fromkeys([*self.delivered, *extra_jobs])))

    async def _catch_up(self, job_ids: list[str]) -> int:
        sent = 0
        for start in range(0, len(job_ids), FETCH_BATCH):
            batch = job_ids[start : start + FETCH_BATCH]
            missing = await self._fetch_many({j: self.delivered.get(j, 0) for j in batch})
            for event in missing:
                if event.seq > self.delivered.get(event.job_id, 0):
                    await self._emit(event)
                    sent += 1
        return sent

    async def _emit(self, event: JobEventMessage) -> None:
        await self._send(event.wire())
        self._remember(event.job_id, event.seq)

    def _remember(self, job_id: str, seq: int) -> None:
        self.delivered[job_id] = seq
        self.delivered.move_to_end(job_id)
        while len(self.delivered) > self._max_jobs:
            self.delivered.popitem(last=False)
