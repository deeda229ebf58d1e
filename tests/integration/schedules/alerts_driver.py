"""Helpers for the alert tests (imported by module name): a platform whose mailer captures mail
and whose alert passes run on the tests' clock, and a local webhook receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fastapi.testclient import TestClient
from schedules_driver import (
    START,
    Api,
    Clock,
    Platform,
    SimulatorThread,
    fast_settings,
    interval_timing,
    quiet_settings,
    simulator_config,
)

from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.schedules.alerts.service.loop import AlertPass, alert_pass
from benchstudio.schedules.schemas import ScheduleIn
from benchstudio.schedules.service import crud


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


# Far enough apart that a loaded machine's few milliseconds of noise decide nothing.
FAST_TTFT_MS = 30.0
SLOW_TTFT_MS = 120.0


def latency_simulator() -> SimulatorThread:
    """The demo simulator the alert tests slow down and speed up (`set_ttft`)."""
    return SimulatorThread(simulator_config(ttft_ms=FAST_TTFT_MS, itl_ms=0, tokens=4))


def alert_settings(settings: Settings, sim: SimulatorThread, **extra: Any) -> Settings:
    # Jobs run (their dispatcher is on); schedule and alert passes run on the tests' clock.
    live = fast_settings(settings, sim.base_url, **extra)
    return quiet_settings(live, jobs_dispatcher=True)


def set_ttft(sim: SimulatorThread, ttft_ms: float) -> None:
    sim._server.config.default.ttft_ms = ttft_ms


def hourly_schedule(p: AlertPlatform, api: Api) -> str:
    """An hourly benchmark schedule from START, created on the tests' clock (a minute before
    START, which then comes: the first occurrence is due)."""
    p.clock.now = START - timedelta(minutes=1)
    body = {
        "name": "Hourly latency",
        "kind": "benchmark",
        "benchmark": {
            "targets": [api.demo_target()],
            "runs": 20,
            "warmup": 0,
            "max_tokens": 4,
            "concurrency": 4,
        },
        "timing": interval_timing(),
    }
    created = p.run(crud.create, p.context(p.user_id(api)), ScheduleIn.model_validate(body))
    p.clock.now = START + timedelta(seconds=20)
    return created.id


def run_occurrence(p: AlertPlatform, api: Api, schedule_id: str) -> None:
    report = p.dispatch()
    assert len(report.dispatched) == 1, report
    log = api.ok("GET", f"/api/schedules/{schedule_id}/occurrences")
    job = api.wait_job(log["items"][0]["job_id"])
    assert job["status"] == "done", job
    deadline = time.monotonic() + 30  # the run's end reaches the check queue in the job's unit
    while p.alert_pass().checked == 0:
        assert time.monotonic() < deadline, "no alert check queued"
        time.sleep(0.1)


def ttft_rules(api: Api, schedule_id: str) -> None:
    rules = {
        "baseline": {"kind": "rolling", "window": 5},
        "rules": [{"metric": "ttft_p50", "kind": "relative", "threshold": 0.5}],
    }
    saved = api.ok("PUT", f"/api/schedules/{schedule_id}/alert-rules", json=rules)
    assert saved["rules"][0]["metric"] == "ttft_p50" and saved["email"] is True
    assert api.ok("GET", f"/api/schedules/{schedule_id}/alert-rules")["rules"] == saved["rules"]
