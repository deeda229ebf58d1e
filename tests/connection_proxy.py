"""A TCP proxy that counts the connections it accepts and which requests each one carried.

Put in front of a server (the simulator), it is the connection-level truth the client's own
figures are checked against: how many connections were opened, and the `X-Request-Id` of every
request sent on each, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from dataclasses import dataclass, field
from types import TracebackType

_REQUEST_ID = re.compile(rb"(?im)^x-request-id: *([^\r\n]+)\r$")


@dataclass
class ProxiedConnection:
    sent: bytearray = field(default_factory=bytearray)

    def request_ids(self) -> list[str]:
        return [m.group(1).decode() for m in _REQUEST_ID.finditer(bytes(self.sent))]


class CountingProxy:
    """`async with CountingProxy(port) as proxy:` then point clients at `proxy.base_url`."""

    def __init__(
        self, upstream_port: int, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
    ) -> None:
        """`tls`: terminate TLS (a connection counts once its handshake is done)."""
        self.upstream = (host, upstream_port)
        self.tls = tls
        self.host = host
        self.port = 0
        self.connections: list[ProxiedConnection] = []
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def accepted(self) -> int:
        return len(self.connections)

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    async def __aenter__(self) -> CountingProxy:
        self._server = await asyncio.start_server(self._handle, self.host, 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    async def settled(self, expected: int, *, rounds: int = 2000) -> int:
        """Let the loop run until `expected` connections were accepted (or give up)."""
        for _ in range(rounds):
            if self.accepted >= expected:
                break
            await asyncio.sleep(0.001)
        return self.accepted

    def first_request_ids(self) -> set[str]:
        """The first request sent on each connection that carried one."""
        return {ids[0] for c in self.connections if (ids := c.request_ids())}

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = ProxiedConnection()
        self.connections.append(connection)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            await asyncio.gather(
                self._pump(reader, up_writer, connection.sent),
                self._pump(up_reader, writer, None),
                return_exceptions=True,
            )
        finally:
            self._tasks.discard(task)
            writer.close()

    @staticmethod
    async def _pump(
        source: asyncio.StreamReader, sink: asyncio.StreamWriter, keep: bytearray | None
    ) -> None:
        try:
            while data := await source.read(65536):
                if keep is not None:
                    keep += data
                sink.write(data)
                await sink.drain()
        finally:
            sink.close()
