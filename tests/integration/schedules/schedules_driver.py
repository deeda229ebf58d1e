"""Helpers for schedule tests (imported by module name): the benchmark tests' API driver, an
injected clock the tests move (time travel), and dispatcher passes run in the app's loop."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.schedules.service import ScheduleContext
from benchstudio.schedules.service.dispatch import PassReport, dispatch_pass

T = TypeVar("T")


def _benchruns_driver() -> Any:
    if "benchruns_driver" in sys.modules:
        return sys.modules["benchruns_driver"]
    path = Path(__file__).parents[1] / "benchruns" / "benchruns_driver.py"
    spec = importlib.util.spec_from_file_location("benchruns_driver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchruns_driver"] = module
    spec.loader.exec_module(module)
    return module


_DRIVER = _benchruns_driver()
Api = _DRIVER.Api
SimulatorThread = _DRIVER.SimulatorThread
simulator_config = _DRIVER.simulator_config
fast_settings = _DRIVER.fast_settings

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    """The schedules' clock: tests set and move it; nothing else reads time for them."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def quiet_settings(settings: Settings, **extra: Any) -> Settings:
    """No periodic schedule pass (the tests run passes on their clock) and no job dispatcher
    (jobs stay queued, so a dispatched occurrence stays active until its job is cancelled)."""
    values: dict[str, Any] = {
        "schedules_dispatcher": False,
        "jobs_dispatcher": False,
        "default_jobs_per_hour": 10_000,
        "default_concurrent_jobs": 50,
    }
    values.update(extra)
    return settings.model_copy(update=values)


class Platform:
    """The app under a TestClient, an API driver, and the schedules' service context."""

    def __init__(self, client: TestClient, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self.api = Api(client)

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        portal = self.client.portal
        assert portal is not None
        return portal.call(fn, *args)

    def context(self, owner_id: str | None = None) -> ScheduleContext:
        state = self.client.app.state  # type: ignore[attr-defined]
        return ScheduleContext(
            db=state.database,
            owner_id=owner_id,
            actor_id=owner_id,
            settings=state.settings,
            vault=state.vault,
            jobs=state.jobs,
            clock=self.clock,
        )

    def dispatch(self) -> PassReport:
        return self.run(dispatch_pass, self.context())

    def user_id(self, api: Any | None = None) -> str:
        me: dict[str, Any] = (api or self.api).ok("GET", "/api/users/me")
        return str(me["id"])


def platform(settings: Settings, clock: Clock) -> Iterator[Platform]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Platform(client, clock)


def benchmark_body(api: Any, model: str = "benchstudio-sim") -> dict[str, Any]:
    return {"targets": [api.demo_target(model)], "runs": 1, "warmup": 0, "max_tokens": 8}


def interval_timing(every: int = 1, unit: str = "hours", **extra: Any) -> dict[str, Any]:
    return {
        "rule": {"kind": "interval", "every": every, "unit": unit},
        "starts_at": START.isoformat(),
        **extra,
    }
