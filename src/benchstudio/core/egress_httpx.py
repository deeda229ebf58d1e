"""The SSRF-guarded httpx client (for the MCP SDK and other httpx users), see `core.net`.

Kept apart from `core.net` so that httpx and httpcore (~7 MB) are imported only by the code that
uses them, not by every benchmark run.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from benchstudio.core.net import EgressDeniedError, EgressPolicy, parse_ip


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore backend that resolves, checks and dials the checked address itself.

    TLS still verifies the original host name: httpcore passes it to `start_tls` separately.
    """

    def __init__(self, policy: EgressPolicy, inner: httpcore.AsyncNetworkBackend | None = None):
        self._policy = policy
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if parse_ip(host) is not None:
            self._policy.check_literal_host(host)
            candidates = [host.strip("[]")]
        else:
            import asyncio

            self._policy.check_host_name(host)
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
            addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
            candidates = self._policy.filter_addresses(host, addresses)
        last_error: Exception | None = None
        for address in candidates:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"could not connect to {host}")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise EgressDeniedError("unix sockets are not reachable through the egress guard")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedHTTPTransport(httpx.AsyncHTTPTransport):
    """An httpx transport (for the MCP SDK and other httpx users) behind the egress guard."""

    def __init__(self, policy: EgressPolicy, **transport_kwargs: Any) -> None:
        transport_kwargs.setdefault("trust_env", False)
        super().__init__(**transport_kwargs)
        pool = self._pool
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=pool._ssl_context,
            max_connections=pool._max_connections,
            max_keepalive_connections=pool._max_keepalive_connections,
            keepalive_expiry=pool._keepalive_expiry,
            http1=pool._http1,
            http2=pool._http2,
            network_backend=GuardedNetworkBackend(policy),
        )


def create_egress_httpx_client(policy: EgressPolicy, **client_kwargs: Any) -> httpx.AsyncClient:
    """An httpx client behind the egress guard (redirect hops dial through it too)."""
    return httpx.AsyncClient(
        transport=GuardedHTTPTransport(policy), trust_env=False, **client_kwargs
    )
