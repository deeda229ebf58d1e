"""Helpers for the alert tests (imported by module name): a platform whose mailer captures mail
and whose alert passes run on the tests' clock, and a local webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi.testclient import TestClient
from schedules_driver import Clock, Platform

from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.schedules.alerts.service.loop import AlertPass, alert_pass


class AlertPlatform(Platform):
    def __init__(self, client: TestClient, clock: Clock, mailer: CapturingMailer) -> None:
        super().__init__(client, clock)
        self.mailer = mailer

    def alert_context(self) -> AlertContext:
        state = self.client.app.state  # type: ignore[attr-defined]
        return AlertContext(
            db=state.database,
            settings=state.settings,
            vault=state.vault,
            mailer=self.mailer,
            clock=self.clock,
        )

    def alert_pass(self) -> AlertPass:
        return self.run(alert_pass, self.alert_context())


def alert_platform(settings: Settings, clock: Clock) -> Iterator[AlertPlatform]:
    app = create_app(settings)
    mailer = CapturingMailer()
    app.state.mailer = mailer
    with TestClient(app, raise_server_exceptions=False) as client:
        yield AlertPlatform(client, clock, mailer)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records each POST and answers the next queued status
    (200 once the queue is empty)."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append(Received(self.path, headers, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/hook") -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"
