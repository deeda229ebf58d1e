"""Pooled connections opened before a measured window, and each request's connect time.

aiohttp opens a connection (DNS, TCP and TLS) inside the first request that finds no idle one in
the session's pool, so without help the first round of a load step at concurrency c pays c
connects inside its TTFT. `open_connections` opens them ahead: through the connector's
`connect()`, the same call a request makes, with the egress policy checked as for a request,
then hands them back to the pool idle. No HTTP request is sent (nothing billable, nothing in a
server's request log). `close_idle_connections` empties the pool for one host (a cold window).

`ConnectTimes` attributes connects to requests by their `X-Request-Id` through aiohttp's
tracing signals: DNS + TCP + TLS nanoseconds for a request that opened a connection, 0 for one
that reused a pooled connection. It is attached to a session on first use.
"""

from __future__ import annotations

import asyncio
from time import perf_counter_ns
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp.connector import Connection
from yarl import URL

from benchstudio.core.net import EgressDeniedError, egress_policy_of
from benchstudio.providers.transport import HttpTransport

REQUEST_ID_HEADER = "X-Request-Id"
DEFAULT_CONNECT_TIMEOUT_S = 15.0


class ConnectTimes:
    """request id -> connect time in ns (0: the request reused a pooled connection)."""

    __slots__ = ("_ns",)

    def __init__(self) -> None:
        self._ns: dict[str, int] = {}

    def record(self, request_id: str, connect_ns: int) -> None:
        self._ns[request_id] = connect_ns

    def pop(self, request_id: str) -> int | None:
        """The request's connect time, forgotten once read (None: nothing was recorded)."""
        return self._ns.pop(request_id, None)

    def __len__(self) -> int:
        return len(self._ns)


class _ConnectTrace(aiohttp.TraceConfig):
    """Only the four signals needed; the context is per request (aiohttp makes one each)."""

    def __init__(self, times: ConnectTimes) -> None:
        super().__init__()
        self.times = times
        self.on_request_start.append(self._request_start)
        self.on_connection_create_start.append(self._create_start)
        self.on_connection_create_end.append(self._create_end)
        self.on_connection_reuseconn.append(self._reused)

    @staticmethod
    async def _request_start(
        _session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        context.request_id = params.headers.get(REQUEST_ID_HEADER)

    @staticmethod
    async def _create_start(
        _session: aiohttp.ClientSession, context: SimpleNamespace, _params: object
    ) -> None:
        context.connect_ns = perf_counter_ns()

    async def _create_end(
        self, _session: aiohttp.ClientSession, context: SimpleNamespace, _params: object
    ) -> None:
        request_id = getattr(context, "request_id", None)
        if request_id:
            # A retried request (stale pooled connection) keeps the connect it paid for.
            self.times.record(request_id, perf_counter_ns() - context.connect_ns)

    async def _reused(
        self, _session: aiohttp.ClientSession, context: SimpleNamespace, _params: object
    ) -> None:
        request_id = getattr(context, "request_id", None)
        if request_id:
            self.times.record(request_id, 0)


def _endpoint(adapter: Any) -> tuple[aiohttp.ClientSession, str] | None:
    """(session, base URL) of an adapter built on `HttpTransport`; None for anything else."""
    transport = getattr(adapter, "_transport", None)
    base_url = getattr(adapter, "base_url", None)
    if not isinstance(transport, HttpTransport) or not isinstance(base_url, str):
        return None
    session = transport.session
    if session.closed or session.connector is None:
        return None
    return session, base_url


def connect_times(adapter: Any) -> ConnectTimes | None:
    """The `ConnectTimes` of the adapter's session, attached on first use (None: no session)."""
    endpoint = _endpoint(adapter)
    if endpoint is None:
        return None
    session = endpoint[0]
    for config in session.trace_configs:
        if isinstance(config, _ConnectTrace):
            return config.times
    trace = _ConnectTrace(ConnectTimes())
    trace.freeze()
    # `trace_configs` is the session's own list, read for every request it starts.
    session.trace_configs.append(trace)
    return trace.times


def _connect_request(session: aiohttp.ClientSession, url: str) -> aiohttp.ClientRequest:
    """A request object used only as the pool key (host, port, TLS) for `connector.connect`.

    The session's middleware (the egress check of literal IP hosts) never sees it, so the
    session's egress policy is checked here; named hosts are checked by its resolver.
    """
    parsed = URL(url)
    policy = egress_policy_of(session)
    if policy is not None:
        policy.check_literal_host(parsed.raw_host or "")
    # ssl=True is what `session.post` uses by default: the pool key must match the requests'.
    return aiohttp.ClientRequest(
        "POST", parsed, loop=asyncio.get_running_loop(), session=session, ssl=True
    )


async def open_connections(
    adapter: Any, count: int, *, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
) -> int:
    """Leave `count` connections to the adapter's host idle in the pool; returns how many.

    Idle connections already in the pool count towards `count`; the rest are opened at once.
    Failures are not raised: the measured requests will meet and report the same error.
    """
    endpoint = _endpoint(adapter)
    if endpoint is None or count < 1:
        return 0
    session, url = endpoint
    connector = session.connector
    assert connector is not None
    try:
        request = _connect_request(session, url)
    except EgressDeniedError:
        return 0
    timeout = aiohttp.ClientTimeout(total=timeout_s, connect=timeout_s, sock_connect=timeout_s)
    results = await asyncio.gather(
        *(connector.connect(request, [], timeout) for _ in range(count)), return_exceptions=True
    )
    ready = 0
    for result in results:
        if isinstance(result, Connection):
            result.release()
            ready += 1
    return ready


def close_idle_connections(adapter: Any) -> int:
    """Close the pooled idle connections to the adapter's host; returns how many were closed.

    aiohttp has no public call for this: its idle pool (`BaseConnector._conns`, a mapping of
    pool key to (protocol, released-at) pairs) is read directly; `tests/unit/providers`
    pins that shape, so an aiohttp upgrade that changes it fails there first.
    """
    endpoint = _endpoint(adapter)
    if endpoint is None:
        return 0
    session, url = endpoint
    pools = getattr(session.connector, "_conns", None)
    if not isinstance(pools, dict):
        return 0
    try:
        key = _connect_request(session, url).connection_key
    except EgressDeniedError:
        return 0
    idle = pools.pop(key, None) or ()
    for protocol, _released_at in idle:
        protocol.close()
    return len(idle)
