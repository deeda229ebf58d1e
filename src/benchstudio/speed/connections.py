"""Connections ready before each measured window (docs/adr/0008), and connect times on traces.

By default a load step at concurrency c starts with c idle connections to its target (TCP and
TLS done), and a profile tier with one, so TTFT measures the model server, not the handshake.
In rate mode the number is an estimate of the streams in flight: by Little's law rate × latency
(the target's last warm-up E2E, else 1 s), plus three standard deviations of a Poisson count,
capped by `max_in_flight`, the step's request count and `RATE_CONNECTIONS_CAP`. A rate step
that goes beyond it opens more connections inside the window; `connect_ms` shows which.
`cold` does the opposite: the pool's idle connections to the target are closed first, so the
first request of each stream pays (and reports) the connect, which its TTFT then includes.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from benchstudio.providers.connections import (
    ConnectTimes,
    close_idle_connections,
    open_connections,
)
from benchstudio.speed.engine import LoadShape
from benchstudio.speed.metrics import StreamTrace

DEFAULT_LATENCY_S = 1.0
RATE_CONNECTIONS_CAP = 256

Gate = Callable[[], Awaitable[None]]


def rate_connections(
    rate: float, latency_s: float, *, max_in_flight: int | None, num_requests: int | None
) -> int:
    """Connections to open before a rate step: ceil(L + 3 sqrt(L)) for L = rate × latency."""
    in_flight = rate * max(latency_s, 0.0)
    count = min(math.ceil(in_flight + 3 * math.sqrt(in_flight)), RATE_CONNECTIONS_CAP)
    if max_in_flight is not None:
        count = min(count, max_in_flight)
    if num_requests is not None:
        count = min(count, num_requests)
    return max(1, count)


def attach_connect_times(
    traces: Iterable[StreamTrace], times: ConnectTimes | None, *, cold: bool = False
) -> None:
    """Move each request's connect time from the session's tracing onto its trace.

    The TTFT origin is the instant the body went to the socket, after any connect. `cold` runs
    ask for first-request latency as a new client sees it, so there the origin moves back by
    the connect: TTFT, first byte and E2E include it.
    """
    if times is None:
        return
    for trace in traces:
        connect_ns = times.pop(trace.request_id)
        if connect_ns is not None:
            trace.connect_ns = connect_ns
            if cold:
                trace.sent_ns -= connect_ns


class WindowConnections:
    """Opens (or, when `cold`, closes) connections before each measured window.

    `gate`, when set (worker processes of a `--workers` run), is awaited after the connections
    are ready, so that every worker's window of a step starts together.
    """

    def __init__(self, cold: bool, gate: Gate | None = None) -> None:
        self.cold = cold
        self.gate = gate
        self._latency_s: dict[str, float] = {}

    def observe_warmup(self, target: str, trace: StreamTrace) -> None:
        """Remember a warm-up's E2E: the latency in the rate-mode estimate."""
        if trace.error is None and trace.end_ns is not None and trace.sent_ns:
            self._latency_s[target] = (trace.end_ns - trace.sent_ns) / 1e9

    def connections_for(self, target: str, shape: LoadShape) -> int:
        if shape.concurrency is not None:
            return shape.concurrency
        assert shape.rate is not None
        return rate_connections(
            shape.rate,
            self._latency_s.get(target, DEFAULT_LATENCY_S),
            max_in_flight=shape.max_in_flight,
            num_requests=shape.num_requests,
        )

    async def _prepare(self, adapter: Any, count: int) -> int:
        if self.cold:
            close_idle_connections(adapter)
            return 0
        return await open_connections(adapter, count)

    async def before_load_window(self, adapter: Any, target: str, shape: LoadShape | None) -> int:
        """Before a load step's window (`shape` None: this worker sends nothing in the step).

        Returns the number of connections left ready (0 when cold or without a session)."""
        ready = (
            0
            if shape is None
            else await self._prepare(adapter, self.connections_for(target, shape))
        )
        if self.gate is not None:
            await self.gate()
        return ready

    async def before_profile_window(self, adapter: Any) -> int:
        """Before a profile tier: one connection for its sequential requests."""
        return await self._prepare(adapter, 1)
