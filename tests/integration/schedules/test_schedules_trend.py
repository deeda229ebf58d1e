"""The trend of a schedule: one point per finished scheduled run with the figures the
regression check used (the episode's value and baseline), the current baseline (rolling,
without the regressed run; fixed), the open episodes; another user's schedule answers 404."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alerts_driver import (
    FAST_TTFT_MS,
    SLOW_TTFT_MS,
    AlertPlatform,
    alert_platform,
    alert_settings,
    hourly_schedule,
    latency_simulator,
    run_occurrence,
    set_ttft,
    ttft_rules,
)
from schedules_driver import Clock, SimulatorThread

from benchstudio.config import Settings


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    with latency_simulator() as thread:
        yield thread


@pytest.fixture
def p(settings: Settings, sim: SimulatorThread) -> Iterator[AlertPlatform]:
    yield from alert_platform(alert_settings(settings, sim), Clock())


def test_the_trend_shows_what_the_check_used(
    p: AlertPlatform,
    sim: SimulatorThread,
) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule_id = hourly_schedule(p, api)
    ttft_rules(api, schedule_id)
    empty = api.ok("GET", f"/api/schedules/{schedule_id}/trend")
    assert empty["points"] == [] and empty["baseline"]["ttft_p50"] is None
    try:
        set_ttft(sim, FAST_TTFT_MS)
        run_occurrence(p, api, schedule_id)
        set_ttft(sim, SLOW_TTFT_MS)
        p.clock.move(hours=1)
        run_occurrence(p, api, schedule_id)
    finally:
        set_ttft(sim, FAST_TTFT_MS)

    trend = api.ok("GET", f"/api/schedules/{schedule_id}/trend")
    first, second = trend["points"]
    log = api.ok("GET", f"/api/schedules/{schedule_id}/occurrences")["items"]
    assert [first["run_id"], second["run_id"]] == [o["run_id"] for o in reversed(log)]
    assert [first["run_number"], second["run_number"]] == [1, 2]
    assert first["kind"] == "benchmark" and first["status"] == "done" and first["checked"]
    (episode,) = api.ok("GET", f"/api/schedules/{schedule_id}/alerts")["open"]
    # The check compared the slow run with the fast one: the same figures as the trend's.
    assert episode["opened_run_id"] == second["run_id"]
    assert episode["value"] == second["metrics"]["ttft_p50"]
    assert episode["baseline"] == first["metrics"]["ttft_p50"]
    assert second["in_episode"] == ["ttft_p50"] and first["in_episode"] == []
    assert trend["open"] == ["ttft_p50"]
    # The regressed run stays out of the rolling baseline: it is still the fast run's value.
    assert trend["baseline_kind"] == "rolling" and trend["baseline_window"] == 5
    assert trend["baseline"]["ttft_p50"] == first["metrics"]["ttft_p50"]
    assert first["metrics"]["error_rate"] == 0 and first["metrics"]["score"] is None
    assert first["metrics"]["ttft_p95"] >= first["metrics"]["ttft_p50"]

    fixed = {
        "baseline": {"kind": "fixed", "run_id": second["run_id"]},
        "rules": [{"metric": "ttft_p50", "kind": "relative", "threshold": 0.5}],
    }
    api.ok("PUT", f"/api/schedules/{schedule_id}/alert-rules", json=fixed)
    trend = api.ok("GET", f"/api/schedules/{schedule_id}/trend?limit=1")
    assert trend["baseline_kind"] == "fixed" and trend["baseline_run_id"] == second["run_id"]
    assert trend["baseline"]["ttft_p50"] == second["metrics"]["ttft_p50"]
    assert [pt["run_id"] for pt in trend["points"]] == [second["run_id"]]

    other = p.api.sign_up("other@example.com")
    assert other.call("GET", f"/api/schedules/{schedule_id}/trend").status_code == 404
    assert api.call("GET", f"/api/schedules/{schedule_id}/trend?limit=0").status_code == 422
