"""A step an interruption cuts short keeps both attempts' diagnostics: the measuring child
reports its open windows, the server stores the last report with the rows, and the resumed run
lists the earlier attempt with them (partial: its window ended at the interruption)."""

from __future__ import annotations

import time
from typing import Any

from benchruns_driver import Api, SimulatorThread, fast_settings, running_api, simulator_config
from sqlalchemy import select

from benchstudio.benchruns.models import BenchmarkRun
from benchstudio.config import Settings
from benchstudio.storage.unit_of_work import read_unit


async def _open_windows(api: Api, run_id: str) -> list[dict[str, Any]]:
    database = api.client.app.state.database  # type: ignore[attr-defined]
    async with read_unit(database) as session:
        query = select(BenchmarkRun.open_windows).where(BenchmarkRun.id == run_id)
        return list((await session.execute(query)).scalar_one() or [])


def _submit_and_wait_for_a_report(api: Api, body: dict[str, Any], step_suffix: str) -> Any:
    """Submit, then return once the open window of the step ending in `step_suffix` has been
    reported and stored: the caller stops the server mid-step."""
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    run_id, job_id = submitted["run_id"], submitted["job_id"]
    deadline = time.monotonic() + 60
    while True:
        windows = api.client.portal.call(_open_windows, api, run_id)  # type: ignore[union-attr]
        if any(str(w["step"]).endswith(step_suffix) for w in windows):
            return run_id, job_id, windows
        assert time.monotonic() < deadline, "no window report was stored"
        time.sleep(0.05)


def _resume(api: Api, job_id: str, run_id: str) -> dict[str, Any]:
    assert api.ok("GET", f"/api/jobs/{job_id}")["status"] == "interrupted"
    api.ok("POST", f"/api/jobs/{job_id}/resume")
    assert api.wait_job(job_id)["status"] == "done"
    return dict(api.ok("GET", f"/api/benchmarks/{run_id}"))


def _assert_measured(diagnostics: dict[str, Any]) -> None:
    assert diagnostics["client_cpu_share"] is not None
    assert diagnostics["event_loop_lag_ms"]["p99"] is not None
    assert diagnostics["event_loop_lag_ms"]["samples"] > 0
    assert diagnostics["wall_s"] > 0 and diagnostics["trustworthy"] is not None


def test_a_continued_profile_step_keeps_the_interrupted_attempts_diagnostics(
    settings: Settings,
) -> None:
    with SimulatorThread(simulator_config()) as sim:
        fast = fast_settings(settings, sim.base_url)
        body = {"runs": 12, "warmup": 1, "max_tokens": 64, "context_tokens": [0]}
        for api in running_api(fast):
            api.sign_up("attempt-diagnostics@example.com")
            token = api.token
            body["targets"] = [api.demo_target("slow-sim")]
            run_id, job_id, reported = _submit_and_wait_for_a_report(api, body, "@0")
        for api in running_api(fast):
            api.token = token
            (before,) = api.client.portal.call(_open_windows, api, run_id)  # type: ignore[union-attr]
            detail = _resume(api, job_id, run_id)
            after = api.client.portal.call(_open_windows, api, run_id)  # type: ignore[union-attr]
    assert reported[0]["attempt"] == 1 and before["attempt"] == 1
    (step,) = detail["steps"]
    kept = [a for a in step["attempts"] if not a["superseded"]]
    assert [a["attempt"] for a in kept] == [1, 2]
    first, last = kept
    # The interrupted attempt's window as last reported, marked partial; the last one complete.
    assert first["partial"] is True and first["diagnostics"] == before["diagnostics"]
    assert first["rows"] > 0 and first["diagnostics"]["wall_s"] > 0
    _assert_measured(first["diagnostics"])
    assert last["partial"] is False
    _assert_measured(last["diagnostics"])
    # The finishing attempt's own window left the open ones; the earlier report stays.
    assert [(w["step"], w["attempt"]) for w in after] == [(step["name"], 1)]


def test_a_load_step_cut_short_lists_its_first_attempt_from_its_report(
    settings: Settings,
) -> None:
    with SimulatorThread(simulator_config()) as sim:
        fast = fast_settings(settings, sim.base_url)
        body = {
            "mode": "sweep_concurrency",
            "sweep": [1],
            "num_requests": 12,
            "warmup": 0,
            "max_tokens": 64,
        }
        for api in running_api(fast):
            api.sign_up("attempt-diagnostics-load@example.com")
            token = api.token
            body["targets"] = [api.demo_target("slow-sim")]
            run_id, job_id, _reported = _submit_and_wait_for_a_report(api, body, ":c=1")
        for api in running_api(fast):
            api.token = token
            detail = _resume(api, job_id, run_id)
    (step,) = detail["steps"]
    first, last = step["attempts"][0], step["attempts"][-1]
    # Its records wait for the window's end, so the first attempt may have stored none; its
    # client's health is listed all the same.
    assert first["attempt"] == 1 and first["partial"] is True
    _assert_measured(first["diagnostics"])
    assert first["diagnostics"]["requested_rate"] is None
    assert last["attempt"] == 2 and last["partial"] is False
    _assert_measured(last["diagnostics"])
    assert detail["summary"]["requests"] == 12
