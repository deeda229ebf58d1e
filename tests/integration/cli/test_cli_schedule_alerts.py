"""`benchstudio schedule runs|rules|alerts|mute|unmute` and `benchstudio notifications` against
a live server on SQLite and PostgreSQL: a benchmark schedule on the demo simulator runs after
a dispatcher pass (on the tests' clock), its second run is slower than the first (the fixed
baseline) and opens a regression alert. What the CLI prints equals what the API answers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tzlocal
from schedule_cli_driver import (
    LiveServer,
    cli,
    cli_json,
    live_server,
    schedules_driver,
    sign_up,
    wide_consoles,
)

from benchstudio.cli.schedule_view import figure, when
from benchstudio.config import Settings

# Far enough apart that a loaded machine's few milliseconds of noise decide nothing.
FAST_TTFT_MS = 30.0
SLOW_TTFT_MS = 120.0
SimulatorThread = schedules_driver.SimulatorThread


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    config = schedules_driver.simulator_config(ttft_ms=FAST_TTFT_MS, itl_ms=0, tokens=4)
    with SimulatorThread(config) as thread:
        yield thread


@pytest.fixture
def server(settings: Settings, sim: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    wide_consoles(monkeypatch)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    tzlocal.reload_localzone()  # tzlocal caches the zone per process
    # Jobs run; schedule and alert passes run only when the test calls them, on its clock.
    live = schedules_driver.fast_settings(settings, sim.base_url)
    yield from live_server(schedules_driver.quiet_settings(live, jobs_dispatcher=True))
    monkeypatch.undo()
    tzlocal.reload_localzone()


def _set_ttft(sim: Any, ttft_ms: float) -> None:
    sim._server.config.default.ttft_ms = ttft_ms


def _run_occurrence(server: LiveServer, api: Any, clock: Any, sid: str) -> dict[str, Any]:
    """One dispatcher pass starts the due occurrence; its job ends; its alert check runs."""
    report = server.dispatch(clock)
    assert len(report.dispatched) == 1, report
    log = api.ok("GET", f"/api/schedules/{sid}/occurrences")
    job = api.wait_job(log["items"][0]["job_id"])
    assert job["status"] == "done", job
    deadline = time.monotonic() + 30  # the run's end reaches the check queue in the job's unit
    while server.alert_pass(clock).checked == 0:
        assert time.monotonic() < deadline, "no alert check queued"
        time.sleep(0.1)
    occurrence: dict[str, Any] = api.ok("GET", f"/api/schedules/{sid}/occurrences")["items"][0]
    return occurrence


def _write(tmp_path: Path, name: str, body: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(body))
    return str(path)


def test_runs_rules_alerts_mutes_and_notifications(
    server: LiveServer, sim: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api, token = sign_up(server.url, "cli-schedule-alerts@example.com")
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", token)
    on = ("--server", server.url)
    bench = {"targets": [api.demo_target()], "runs": 20, "warmup": 0, "max_tokens": 4,
             "concurrency": 4}  # fmt: skip
    start = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)
    created = cli_json(
        "schedule", "create", "--name", "Hourly latency", "--bench",
        _write(tmp_path, "bench.json", bench), "--every", "1h", "--start", start.isoformat(), *on,
    )  # fmt: skip
    sid = created["schedule"]["id"]
    assert cli("schedule", "runs", sid, *on).stdout.startswith("No occurrences yet")
    rules = cli("schedule", "rules", sid, *on).stdout
    assert "No rules: nothing alerts" in rules

    # Rules from a file: TTFT p50 50 % worse against the rolling median.
    rolling = {"baseline": {"kind": "rolling", "window": 5},
               "rules": [{"metric": "ttft_p50", "kind": "relative", "threshold": 0.5}]}  # fmt: skip
    saved = cli_json("schedule", "rules", sid, "--set", _write(tmp_path, "r.json", rolling), *on)
    assert saved == api.ok("GET", f"/api/schedules/{sid}/alert-rules")
    assert saved["rules"] == [{"metric": "ttft_p50", "kind": "relative", "threshold": 0.5}]

    # The first occurrence comes: one pass runs it (the baseline, nothing to compare yet).
    clock = schedules_driver.Clock(start + timedelta(seconds=20))
    _set_ttft(sim, FAST_TTFT_MS)
    first = _run_occurrence(server, api, clock, sid)
    log = api.ok("GET", f"/api/schedules/{sid}/occurrences")
    assert cli_json("schedule", "runs", sid, *on) == log
    text = cli("schedule", "runs", sid, *on).stdout
    assert first["run_id"] in text and first["job_id"] in text and " done " in text
    assert when(first["occurrence_at"], "Europe/Berlin") in text
    assert "occurrence (Europe/Berlin)" in text
    run = api.ok("GET", f"/api/benchmarks/{first['run_id']}")
    assert run["schedule"]["schedule_id"] == sid and run["schedule"]["run_number"] == 1

    # The first run is the fixed baseline from now on.
    fixed = {**rolling, "baseline": {"kind": "fixed", "run_id": first["run_id"]}}
    cli("schedule", "rules", sid, "--set", _write(tmp_path, "fixed.json", fixed), *on)
    shown = cli("schedule", "rules", sid, *on).stdout
    assert f"baseline: fixed run {first['run_id']}" in shown and "50% worse" in shown

    # An hour on, a slower run: one regression episode, one notification.
    _set_ttft(sim, SLOW_TTFT_MS)
    clock.move(hours=1)
    second = _run_occurrence(server, api, clock, sid)
    alerts = api.ok("GET", f"/api/schedules/{sid}/alerts")
    (episode,) = alerts["open"]
    assert episode["metric"] == "ttft_p50" and episode["opened_run_id"] == second["run_id"]
    assert cli_json("schedule", "alerts", sid, *on) == alerts
    text = cli("schedule", "alerts", sid, *on).stdout
    assert "open episodes: 1 · episodes: 1" in text and "ttft_p50" in text
    for value in (episode["baseline"], episode["value"], episode["p_value"]):
        assert figure(value) in text
    assert second["run_id"] in text

    notes = api.ok("GET", "/api/notifications")
    assert notes["unread"] == 1 and notes["items"][0]["kind"] == "schedule.regressed"
    assert cli_json("notifications", *on) == notes
    listed = cli("notifications", "--unread", *on).stdout
    assert "unread: 1" in listed and notes["items"][0]["title"] in listed
    assert f"/schedules/{sid}" in listed
    marked = cli_json("notifications", "--unread", "--mark-read", *on)
    assert marked["marked"] == 1 and [n["id"] for n in marked["items"]] == [notes["items"][0]["id"]]
    assert api.ok("GET", "/api/notifications/unread-count")["unread"] == 0
    assert "unread: 0 · total: 0" in cli("notifications", "--unread", *on).stdout

    # Mute TTFT p50 for two hours, then unmute.
    muted = cli_json("schedule", "mute", sid, "ttft_p50", "--until", "+2h", *on)
    (mute,) = api.ok("GET", f"/api/schedules/{sid}/alerts")["mutes"]
    assert muted == mute and mute["metric"] == "ttft_p50"
    until = datetime.fromisoformat(mute["until"].replace("Z", "+00:00"))
    assert timedelta(hours=1, minutes=59) < until - datetime.now(UTC) <= timedelta(hours=2)
    assert (
        f"muted: ttft_p50 until {when(mute['until'], 'Europe/Berlin')}"
        in cli("schedule", "alerts", sid, *on).stdout
    )
    assert "Unmuted ttft_p50" in cli("schedule", "unmute", sid, "ttft_p50", *on).stdout
    assert api.ok("GET", f"/api/schedules/{sid}/alerts")["mutes"] == []
    unknown = cli("schedule", "mute", sid, "latency", *on, code=1)
    assert "server:" in unknown.output and "422" in unknown.output and "metric" in unknown.output

    # The server was down for two occurrences (more than five minutes late): one skipped span.
    clock.move(hours=2, minutes=10)
    assert server.dispatch(clock).dispatched == []
    log = api.ok("GET", f"/api/schedules/{sid}/occurrences")
    missed = log["items"][0]
    assert (missed["status"], missed["reason"], missed["skipped_count"]) == (
        "skipped", "skipped: missed", 2
    )  # fmt: skip
    assert cli_json("schedule", "runs", sid, *on) == log
    assert "skipped: missed (2 occurrences)" in cli("schedule", "runs", sid, *on).stdout

    # Another user's schedule is not found, whatever the command.
    _, stranger = sign_up(server.url, "cli-schedule-stranger@example.com")
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", stranger)
    for command in ("show", "runs", "alerts", "rules"):
        refused = cli("schedule", command, sid, *on, code=1)
        assert "404" in refused.output, command
    assert "No notifications" in cli("notifications", *on).stdout
