"""WebSocket frames are capped at the protocol layer, before they are buffered (issue 15, 17).

The `/ws` endpoint refuses frames over 16 KiB with its own error, but only after the server has
read them: uvicorn's default lets one message grow to 16 MiB first. `serve` builds its uvicorn
options with `server_options`, which caps messages at four times the endpoint's limit. This test
serves a recording WebSocket app with that config and sends real frames over TCP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from benchstudio.cli.serve_cmd import server_options
from benchstudio.config import Settings
from benchstudio.realtime.frame_limits import MAX_CLIENT_FRAME
from free_ports import free_port

received: list[int] = []


async def recording_socket_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Accepts, then records the size of every text message it is handed."""
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        received.append(len(message.get("text") or message.get("bytes") or b""))
        await send({"type": "websocket.send", "text": "ok"})


@pytest.fixture(scope="module")
def socket_url() -> Iterator[str]:
    settings = Settings(env="test", host="127.0.0.1", port=free_port())
    server = uvicorn.Server(uvicorn.Config(recording_socket_app, **server_options(settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"ws://127.0.0.1:{settings.port}/ws"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_frame_just_over_the_endpoint_limit_still_reaches_the_app(socket_url: str) -> None:
    """The endpoint, not the protocol, answers these, with its clear `frame_too_large` error."""
    received.clear()
    with connect(socket_url, max_size=None) as ws:
        ws.send("x" * (MAX_CLIENT_FRAME + 1024))
        assert ws.recv(timeout=5) == "ok"
    assert received == [MAX_CLIENT_FRAME + 1024]


def test_a_megabyte_frame_is_refused_before_the_app_sees_it(socket_url: str) -> None:
    received.clear()
    with connect(socket_url, max_size=None) as ws:
        ws.send("x" * (1024 * 1024))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big
    assert received == []
