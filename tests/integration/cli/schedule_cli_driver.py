"""Helpers for the `benchstudio schedule` CLI tests (imported by module name): a live server
(uvicorn on a free port, as the CLI reaches it) whose event loop the tests can run the
schedule dispatcher's and the alert checker's passes in, on the tests' clock; the schedule
tests' drivers loaded by path; and the CLI invoked with wide consoles."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from click.testing import Result
from rich.console import Console
from typer.testing import CliRunner

from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.cli import notifications_cmd, schedule_cmd, schedule_server, schedule_watch_cmd
from benchstudio.cli.main import app as cli_app
from benchstudio.config import Settings
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.schedules.alerts.service.loop import AlertPass, alert_pass
from benchstudio.schedules.service import ScheduleContext
from benchstudio.schedules.service.dispatch import PassReport, dispatch_pass

T = TypeVar("T")
RUNNER = CliRunner()


def _load(name: str, path: Path) -> Any:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


schedules_driver = _load(
    "schedules_driver", Path(__file__).parents[1] / "schedules" / "schedules_driver.py"
)


def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Consoles that write where the runner captures, without wrapping long lines."""
    wide, wide_err = Console(width=240), Console(width=240, stderr=True)
    for module in (schedule_server, schedule_cmd, schedule_watch_cmd, notifications_cmd):
        if hasattr(module, "console"):
            monkeypatch.setattr(module, "console", wide)
        if hasattr(module, "err_console"):
            monkeypatch.setattr(module, "err_console", wide_err)


class LiveServer:
    """The app under uvicorn in a thread; `run` calls a coroutine function in its loop."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.mailer = CapturingMailer()
        self.app.state.mailer = self.mailer
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning"))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()))

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self._server.serve(sockets=[self._sock])

    def __enter__(self) -> LiveServer:
        self._thread.start()
        for _ in range(400):
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code < 500:
                    return self
            except httpx.HTTPError:
                pass
            threading.Event().wait(0.05)
        raise AssertionError("the server did not start")

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(30)
        self._sock.close()

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        assert self._loop is not None

        async def call() -> T:
            return await fn(*args)

        future: Future[T] = asyncio.run_coroutine_threadsafe(call(), self._loop)
        return future.result(120)

    def dispatch(self, clock: Callable[[], Any]) -> PassReport:
        state = self.app.state
        ctx = ScheduleContext(
            db=state.database, owner_id=None, actor_id=None, settings=state.settings,
            vault=state.vault, jobs=state.jobs, clock=clock,
        )  # fmt: skip
        return self.run(dispatch_pass, ctx)

    def alert_pass(self, clock: Callable[[], Any]) -> AlertPass:
        state = self.app.state
        ctx = AlertContext(
            db=state.database, settings=state.settings, vault=state.vault, mailer=self.mailer,
            clock=clock,
        )  # fmt: skip
        return self.run(alert_pass, ctx)


def live_server(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


def sign_up(url: str, email: str) -> tuple[Any, str]:
    """The schedule tests' API driver signed in as a new user, and a personal token (read,
    run) of that user for the CLI."""
    api = schedules_driver.Api(httpx.Client(base_url=url, timeout=60)).sign_up(email)
    token = api.ok("POST", "/api/auth/tokens", 201, json={"name": "cli", "scopes": ["read", "run"]})
    return api, str(token["token"])


def cli(*args: str, code: int = 0, input: str | None = None) -> Result:
    outcome = RUNNER.invoke(cli_app, list(args), input=input)
    assert outcome.exit_code == code, (outcome.output, outcome.exception)
    return outcome


def cli_json(*args: str) -> Any:
    return json.loads(cli(*args, "--output", "json").stdout)
