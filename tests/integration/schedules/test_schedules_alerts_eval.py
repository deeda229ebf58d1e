"""Regression alerts of a scheduled tool-calling eval on the demo simulator: when every case
of a run fails with an error (a fault injected into the model), the score and the error rate
each open one episode; a clean run closes both ("recovered")."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from importlib.resources import as_file

import pytest
from alerts_driver import AlertPlatform, alert_platform
from schedules_driver import START, Api, Clock, SimulatorThread, fast_settings, quiet_settings

from benchstudio.cli.demo_simulator import demo_config
from benchstudio.config import Settings
from benchstudio.schedules.schemas import ScheduleIn
from benchstudio.schedules.service import crud
from benchstudio.simulator import load_config
from benchstudio.simulator.directives import FaultKind, FaultSpec

MODEL = "benchstudio-sim"


@pytest.fixture(scope="module")
def demo() -> Iterator[SimulatorThread]:
    with as_file(demo_config()) as path:
        config = load_config(path)
    fast = config.model_copy(
        update={"default": config.default.model_copy(update={"ttft_ms": 0, "itl_ms": 0})}
    )
    with SimulatorThread(fast) as sim:
        yield sim


@pytest.fixture
def p(settings: Settings, demo: SimulatorThread) -> Iterator[AlertPlatform]:
    live = quiet_settings(fast_settings(settings, demo.base_url), jobs_dispatcher=True)
    yield from alert_platform(live, Clock(START - timedelta(minutes=1)))


def _faulty(sim: SimulatorThread, on: bool) -> None:
    profile = sim._server.config.profile_for(MODEL)
    profile.faults = [FaultSpec(kind=FaultKind.CONTEXT_LENGTH)] if on else []


def _run(p: AlertPlatform, api: Api, schedule_id: str) -> None:
    assert len(p.dispatch().dispatched) == 1
    log = api.ok("GET", f"/api/schedules/{schedule_id}/occurrences")
    assert api.wait_job(log["items"][0]["job_id"])["status"] == "done"
    deadline = time.monotonic() + 30
    while p.alert_pass().checked == 0:
        assert time.monotonic() < deadline, "no alert check queued"
        time.sleep(0.1)
    p.clock.move(hours=1)


def test_score_and_error_rate_alert_then_recover(p: AlertPlatform, demo: SimulatorThread) -> None:
    api = p.api.sign_up("owner@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    body = {
        "name": "Nightly eval",
        "kind": "eval",
        "eval": {"suite_id": suite["id"], "targets": [api.demo_target(MODEL)]},
        "timing": {
            "rule": {"kind": "interval", "every": 1, "unit": "hours"},
            "starts_at": START.isoformat(),
        },
    }
    created = p.run(crud.create, p.context(p.user_id(api)), ScheduleIn.model_validate(body))
    rules = {
        "rules": [
            {"metric": "score", "kind": "relative", "threshold": 0.2},
            {"metric": "error_rate", "kind": "absolute", "threshold": 0.2},
        ],
        "email": False,
    }
    api.ok("PUT", f"/api/schedules/{created.id}/alert-rules", json=rules)
    p.clock.now = START + timedelta(seconds=20)
    try:
        _run(p, api, created.id)
        _faulty(demo, True)
        _run(p, api, created.id)
        opened = api.ok("GET", f"/api/schedules/{created.id}/alerts")["open"]
        assert sorted(e["metric"] for e in opened) == ["error_rate", "score"]
        score = next(e for e in opened if e["metric"] == "score")
        assert score["value"] == 0 and score["baseline"] > 0.5
        _faulty(demo, False)
        _run(p, api, created.id)
    finally:
        _faulty(demo, False)
    assert api.ok("GET", f"/api/schedules/{created.id}/alerts")["open"] == []
    kinds = [n["kind"] for n in api.ok("GET", "/api/notifications")["items"]]
    assert sorted(kinds) == ["schedule.recovered"] * 2 + ["schedule.regressed"] * 2
    assert p.mailer.sent == []  # the rules asked for no email
