"""Writes a response's stream events at their absolute deadlines.

One timer callback per wake-up, no coroutine or future per event: everything due by the time it
runs is written in one HTTP chunk, so a late wake-up (a busy loop) batches events instead of
drifting the schedule. Deadlines are on the time.perf_counter() clock, counted from the
request's `request_read_ns`: uvloop's loop.time() only has millisecond resolution and its timers
round to the nearest millisecond, so timers are set to whole milliseconds rounded up (never
early) and an early wake-up simply re-arms.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator

from benchstudio.simulator.http11 import LAST_CHUNK, chunk
from benchstudio.simulator.stream_events import StreamEvent
from benchstudio.simulator.timing_log import RequestRecord

# Events due this soon are written now rather than after another timer wake-up.
EARLY_SLACK_S = 0.0002


class StreamDriver:
    """Drives one streaming response; `done` resolves True when the stream ended normally."""

    __slots__ = (
        "_disconnect_after",
        "_events",
        "_handle",
        "_loop",
        "_pending",
        "_record",
        "_start",
        "_transport",
        "_written",
        "done",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        transport: asyncio.WriteTransport,
        events: Iterator[StreamEvent],
        start: float,
        record: RequestRecord,
        disconnect_after: int | None = None,
    ) -> None:
        self._loop = loop
        self._transport = transport
        self._events = events
        self._start = start  # time.perf_counter() seconds the offsets count from
        self._record = record
        self._disconnect_after = disconnect_after
        self._written = 0
        self._handle: asyncio.TimerHandle | None = None
        self._pending: StreamEvent | None = next(events, None)
        self.done: asyncio.Future[bool] = loop.create_future()

    def start(self) -> None:
        self._pump()

    def abort(self) -> None:
        """Stop writing (server shutting down); the connection is closed by its owner."""
        if self._handle is not None:
            self._handle.cancel()
        self._finish(False)

    def _finish(self, completed: bool) -> None:
        if not self.done.done():
            self.done.set_result(completed)

    def _pump(self) -> None:
        self._handle = None
        transport = self._transport
        if transport.is_closing():
            self._finish(False)
            return
        now = time.perf_counter()
        deadline = now + EARLY_SLACK_S
        start = self._start
        pending = self._pending
        payloads: list[bytes] = []
        logged: list[StreamEvent] = []
        cut = False
        limit = self._disconnect_after
        while pending is not None and start + pending[0] <= deadline:
            if limit is not None and self._written + len(logged) >= limit:
                cut = True  # the disconnect happens when the next event would have been due
                break
            payloads.append(pending[1])
            logged.append(pending)
            pending = next(self._events, None)
        self._pending = pending
        ended = pending is None and not cut
        if payloads or ended:
            data = chunk(b"".join(payloads)) if payloads else b""
            t_ns = time.perf_counter_ns()
            transport.write(data + LAST_CHUNK if ended else data)
            record = self._record
            for _offset, _payload, kind, tokens in logged:
                record.add_event(t_ns, kind, tokens)
            self._written += len(logged)
        if cut:
            transport.close()  # mid-stream disconnect fault: flush what was sent, then drop
            self._finish(False)
        elif ended:
            self._finish(True)
        else:
            assert pending is not None
            delay_ms = math.ceil((start + pending[0] - now) * 1000.0)
            self._handle = self._loop.call_later(max(0, delay_ms) / 1000.0, self._pump)
