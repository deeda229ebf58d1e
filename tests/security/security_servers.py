"""Tiny local HTTP servers for the security suite (127.0.0.1, free port, own thread)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[BaseHTTPRequestHandler], None]


class LocalServer:
    """Serves `handler` for every GET/POST; use as a context manager."""

    def __init__(self, handler: Handler) -> None:
        outer = handler

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer(self)

            def do_POST(self) -> None:
                outer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def send_json(request: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


def models_ok(request: BaseHTTPRequestHandler) -> None:
    """An OpenAI-style models list: if the guard let a request through, health says ok."""
    send_json(request, 200, {"object": "list", "data": [{"id": "leaked-through-guard"}]})


def echo_401(request: BaseHTTPRequestHandler) -> None:
    """A hostile provider: answers 401 and echoes every header it got (keys included)."""
    headers = {k: v for k, v in request.headers.items()}
    send_json(
        request,
        401,
        {"error": {"message": f"invalid key; you sent {headers}", "type": "auth", "echo": headers}},
    )


def hang(request: BaseHTTPRequestHandler) -> None:
    """Never answers within any sane timeout."""
    time.sleep(5)


def redirect_to(target: str) -> Handler:
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(302)
        request.send_header("Location", target)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handler
