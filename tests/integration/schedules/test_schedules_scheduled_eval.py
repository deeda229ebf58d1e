"""A scheduled eval end to end on the demo simulator: the server's own dispatcher (its periodic
pass, real time) starts the run when it falls due, the job runs it, and the result lands in
eval history filtered by the schedule, with the schedule's metadata."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib.resources import as_file
from typing import Any

import pytest
from schedules_driver import Api, Clock, Platform, SimulatorThread, fast_settings, platform

from benchstudio.cli.demo_simulator import demo_config
from benchstudio.config import Settings
from benchstudio.simulator import load_config


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
def p(settings: Settings, demo: SimulatorThread) -> Iterator[Platform]:
    live = fast_settings(settings, demo.base_url, schedules_dispatch_interval_s=0.1)
    yield from platform(live, Clock())


def _wait(api: Api, url: str, ready: Any, timeout_s: float = 60.0) -> Any:
    """Poll until `ready(body)` (a liveness bound, not a timing check)."""
    deadline = time.monotonic() + timeout_s
    while True:
        body = api.ok("GET", url)
        if ready(body):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def test_a_scheduled_eval_runs_on_the_demo_simulator_and_lands_in_history(p: Platform) -> None:
    api = p.api.sign_up("owner@example.com")
    suite = api.ok("POST", "/api/suites/sample", 201)
    # Far enough ahead that saving it (slow on a busy machine) ends before its start.
    starts = (datetime.now(UTC) + timedelta(seconds=15)).replace(microsecond=0)
    body = {
        "name": "Nightly sample eval",
        "kind": "eval",
        "eval": {"suite_id": suite["id"], "targets": [api.demo_target()]},
        "timing": {
            "rule": {"kind": "interval", "every": 1, "unit": "days"},
            "starts_at": starts.isoformat(),
        },
    }
    schedule = api.ok("POST", "/api/schedules", 201, json=body)
    assert schedule["next_due_at"] == starts.isoformat().replace("+00:00", "Z")

    log_url = f"/api/schedules/{schedule['id']}/occurrences"
    log = _wait(api, log_url, lambda page: page["items"] and page["items"][0]["job_id"])
    (occurrence,) = log["items"]
    job = _wait(api, f"/api/jobs/{occurrence['job_id']}", lambda j: j["status"] == "done")
    assert job["type"] == "tool_eval"

    history = api.ok("GET", f"/api/evals?schedule_id={schedule['id']}")
    (run,) = history["items"]
    assert run["id"] == occurrence["run_id"] and run["status"] == "done"
    assert run["schedule"] == {
        "schedule_id": schedule["id"],
        "occurrence_at": starts.isoformat().replace("+00:00", "Z"),
        "run_number": 1,
    }
    assert (run["finished_cases"], run["passed_cases"]) == (8, 5)
    assert api.ok("GET", "/api/evals")["total"] == 1
    # The run's end fed back: the occurrence took the job's state; the next is a day on.
    done = _wait(api, log_url, lambda page: page["items"][0]["status"] == "done")
    assert done["items"][0]["finished_at"] is not None
    after = api.ok("GET", f"/api/schedules/{schedule['id']}")
    assert after["runs_so_far"] == 1 and after["consecutive_failures"] == 0
    next_due = datetime.fromisoformat(after["next_due_at"])
    assert next_due == starts + timedelta(days=1)
