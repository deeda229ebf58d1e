"""A tiny local HTTP server that replays recorded byte streams, for adapter unit tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web


@dataclass
class Replay:
    """What the server answers: status, headers and body chunks (sent with short pauses)."""

    status: int = 200
    chunks: list[bytes] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/event-stream"})
    cut_after: int | None = None  # abort the connection after this many chunks
    # Between writes: long enough that the client reads each chunk on its own (one read is one
    # measured chunk); a chunk meant to arrive with another is written as one bytes value.
    pause_s: float = 0.005


@dataclass
class ReplayServer:
    base_url: str
    routes: dict[str, list[Replay]]
    requests: list[dict[str, Any]]

    def queue(self, path: str, *replies: Replay) -> None:
        self.routes.setdefault(path, []).extend(replies)


async def _handle(server: ReplayServer, request: web.Request) -> web.StreamResponse:
    body = await request.read()
    server.requests.append(
        {
            "path": request.path_qs,
            "method": request.method,
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body": body,
        }
    )
    replies = server.routes.get(request.path, [])
    if not replies:
        return web.json_response({"error": {"message": "no reply queued"}}, status=404)
    reply = replies.pop(0) if len(replies) > 1 else replies[0]
    resp = web.StreamResponse(status=reply.status, headers=reply.headers)
    await resp.prepare(request)
    for index, chunk in enumerate(reply.chunks):
        if reply.cut_after is not None and index >= reply.cut_after:
            assert request.transport is not None
            request.transport.abort()
            return resp
        await resp.write(chunk)
        await asyncio.sleep(reply.pause_s)
    with contextlib.suppress(ConnectionResetError):  # the client may stop reading at its end
        await resp.write_eof()
    return resp


@pytest.fixture
async def replay_server() -> AsyncIterator[ReplayServer]:
    server = ReplayServer(base_url="", routes={}, requests=[])
    app = web.Application()

    async def handler(request: web.Request) -> web.StreamResponse:
        return await _handle(server, request)

    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base_url = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


@pytest.fixture
async def http_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
