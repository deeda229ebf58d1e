"""`benchstudio schedule` against a live server on SQLite and PostgreSQL: create (interval from
a benchmark file, cron from `--suite`/`--model`), list, show, next for a draft across a DST
change and for a saved schedule, update, disable and enable, delete, a dry run, and the
server's 422s (invalid cron, unknown zone, interval below the minimum) shown field by field.
Every occurrence and estimate the CLI prints equals what the API answers for the same draft."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tzlocal
import yaml
from schedule_cli_driver import LiveServer, cli, cli_json, live_server, sign_up, wide_consoles

from benchstudio.cli.local_zone import local_zone_name
from benchstudio.config import Settings

MIN_INTERVAL_S = 3600  # the administrator's minimum in these tests: an hour


@pytest.fixture
def server(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    wide_consoles(monkeypatch)
    # The CLI's own zone is the machine's: pin it, so "local" below means New York.
    monkeypatch.setenv("TZ", "America/New_York")
    tzlocal.reload_localzone()  # tzlocal caches the zone per process
    quiet = settings.model_copy(
        update={"schedules_dispatcher": False, "schedules_min_interval_s": MIN_INTERVAL_S}
    )
    yield from live_server(quiet)
    monkeypatch.undo()
    tzlocal.reload_localzone()


def _user(server: LiveServer, email: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    api, token = sign_up(server.url, email)
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", token)
    return api


def _bench_file(api: Any, tmp_path: Path, suffix: str = ".json") -> Path:
    body = {"targets": [api.demo_target()], "runs": 2, "warmup": 0, "max_tokens": 8}
    path = tmp_path / f"bench{suffix}"
    path.write_text(yaml.safe_dump(body) if suffix == ".yaml" else json.dumps(body))
    return path


def test_create_list_show_update_switch_delete(
    server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = _user(server, "cli-schedules@example.com", monkeypatch)
    on = ("--server", server.url)
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)

    # An interval benchmark schedule from a YAML file, with its bounds and policies.
    created = cli_json(
        "schedule", "create", "--name", "Hourly latency", "--bench",
        str(_bench_file(api, tmp_path, ".yaml")), "--every", "2h", "--start", start.isoformat(),
        "--max-runs", "10", "--catch-up", "run_once", "--overlap", "queue",
        "--monthly-budget", "5", "--pause-after", "4", *on,
    )  # fmt: skip
    schedule = created["schedule"]
    sid = schedule["id"]
    assert schedule["kind"] == "benchmark" and schedule["name"] == "Hourly latency"
    assert schedule["config"]["targets"] == [api.demo_target()]
    assert schedule["timing"]["rule"] == {"kind": "interval", "every": 2, "unit": "hours"}
    timing = schedule["timing"]
    assert (timing["max_runs"], timing["catch_up"], timing["overlap"]) == (10, "run_once", "queue")
    assert (schedule["monthly_budget_usd"], schedule["pause_after_failures"]) == (5, 4)
    assert schedule == api.ok("GET", f"/api/schedules/{sid}")
    # Its next five in the machine's zone, and the estimate, as the API gives them.
    shown = api.ok("GET", f"/api/schedules/{sid}/next?count=5&timezone=America/New_York")
    assert created["next"] == shown and shown["timezone"] == "America/New_York"
    assert [i["utc"] for i in shown["items"]] == [
        (start + timedelta(hours=2 * n)).isoformat().replace("+00:00", "Z") for n in range(5)
    ]
    body = {"name": "Hourly latency", "kind": "benchmark", "benchmark": schedule["config"],
            "timing": {**timing, "enabled": True}, "monthly_budget_usd": 5,
            "pause_after_failures": 4}  # fmt: skip
    estimate = api.ok("POST", "/api/schedules/estimate", json=body)
    assert created["estimate"] == estimate
    assert estimate["runs_per_month"] == 10  # 30 days of every 2 hours, capped by max runs

    # The text form: rule in words, the same instants, the cost.
    text = cli("schedule", "show", sid, *on).stdout
    assert "Hourly latency" in text and "every 2 hours" in text and "status: enabled" in text
    for item in shown["items"]:
        assert item["local"] in text and item["utc"] in text
    assert "local (America/New_York)" in text

    # A cron eval built from --suite and --model (names resolved), in another zone.
    suite = api.ok("POST", "/api/suites/sample", 201)
    nightly = cli_json(
        "schedule", "create", "--name", "Nightly eval", "--suite", suite["name"],
        "--model", "Simulator (demo)=benchstudio-sim", "--cron", "0 2 * * *",
        "--timezone", "Europe/London", *on,
    )  # fmt: skip
    eval_schedule = nightly["schedule"]
    assert eval_schedule["kind"] == "eval"
    assert eval_schedule["config"] == {"suite_id": suite["id"], "targets": [api.demo_target()]}
    assert eval_schedule["timing"]["rule"] == {
        "kind": "cron", "cron": "0 2 * * *", "timezone": "Europe/London"
    }  # fmt: skip
    london = api.ok("GET", f"/api/schedules/{eval_schedule['id']}/next?timezone=Europe/London")
    assert nightly["next"] == london
    assert all(i["local"].endswith("T02:00:00Z") or "T02:00:00+" in i["local"]
               for i in london["items"])  # fmt: skip

    # list: both, newest first, with next due and status.
    page = cli_json("schedule", "list", *on)
    assert [s["id"] for s in page["items"]] == [eval_schedule["id"], sid]
    listed = cli("schedule", "list", "--timezone", "UTC", *on).stdout
    assert "cron 0 2 * * * (Europe/London)" in listed and "every 2 hours" in listed
    due = datetime.fromisoformat(schedule["next_due_at"].replace("Z", "+00:00"))
    assert due.isoformat(sep=" ") in listed

    # update: a new interval and name; the rest of the timing stays.
    updated = cli_json("schedule", "update", sid, "--every", "3h", "--name", "Latency", *on)
    assert updated["name"] == "Latency"
    assert updated["timing"]["rule"] == {"kind": "interval", "every": 3, "unit": "hours"}
    assert updated["timing"]["starts_at"] == timing["starts_at"]
    assert updated["timing"]["max_runs"] == 10 and updated["monthly_budget_usd"] == 5
    assert updated == api.ok("GET", f"/api/schedules/{sid}")
    cleared = cli_json("schedule", "update", sid, "--monthly-budget", "0", "--end", "", *on)
    assert cleared["monthly_budget_usd"] is None and cleared["timing"]["ends_at"] is None

    # A new configuration from a file; the kind cannot change.
    bench = {"targets": [api.demo_target()], "runs": 3, "warmup": 0, "max_tokens": 8}
    (tmp_path / "more.json").write_text(json.dumps(bench))
    reconfigured = cli_json("schedule", "update", sid, "--bench", str(tmp_path / "more.json"), *on)
    assert reconfigured["config"] == bench
    kind = cli("schedule", "update", sid, "--eval", str(tmp_path / "more.json"), *on, code=2)
    assert "this is a benchmark schedule" in kind.output
    assert "nothing to change" in cli("schedule", "update", sid, *on, code=2).output

    # next of a saved schedule, in a zone asked for.
    tokyo = cli_json("schedule", "next", sid, "--count", "3", "--timezone", "Asia/Tokyo", *on)
    assert tokyo == api.ok("GET", f"/api/schedules/{sid}/next?count=3&timezone=Asia/Tokyo")
    assert len(tokyo["items"]) == 3 and tokyo["items"][0]["local"].endswith("+09:00")

    # disable, enable.
    off = cli_json("schedule", "disable", sid, *on)
    assert off["enabled"] is False and api.ok("GET", f"/api/schedules/{sid}")["enabled"] is False
    assert "status: disabled" in cli("schedule", "show", sid, *on).stdout
    on_again = cli_json("schedule", "enable", sid, *on)
    assert on_again["enabled"] is True and on_again["paused_reason"] is None

    # delete: asks first; --yes deletes; then the server's 404 is exit 1.
    refused = cli("schedule", "delete", sid, *on, code=2, input="n\n")
    assert "Nothing deleted" in refused.output
    assert api.ok("GET", f"/api/schedules/{sid}")["id"] == sid
    cli("schedule", "delete", sid, "--yes", *on)
    assert api.call("GET", f"/api/schedules/{sid}").status_code == 404
    gone = cli("schedule", "show", sid, *on, code=1)
    assert "server:" in gone.output and "404" in gone.output


def test_next_of_a_draft_across_dst_and_a_dry_run(
    server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = _user(server, "cli-schedule-next@example.com", monkeypatch)
    on = ("--server", server.url)
    # 01:30 does not exist in London on 28 March 2027: that night it runs at 02:00 BST.
    draft = cli_json(
        "schedule", "next", "--cron", "30 1 * * *", "--timezone", "Europe/London",
        "--start", "2027-03-26T00:00", "--count", "4", *on,
    )  # fmt: skip
    timing = {
        "rule": {"kind": "cron", "cron": "30 1 * * *", "timezone": "Europe/London"},
        "starts_at": "2027-03-26T00:00:00+00:00",
    }
    api_next = api.ok(
        "POST", "/api/schedules/next",
        json={"timing": timing, "count": 4, "timezone": "Europe/London"},
    )  # fmt: skip
    assert draft == api_next
    assert [i["utc"] for i in draft["items"]] == [
        "2027-03-26T01:30:00Z", "2027-03-27T01:30:00Z", "2027-03-28T01:00:00Z",
        "2027-03-29T00:30:00Z",
    ]  # fmt: skip
    assert [i["local"] for i in draft["items"]] == [
        "2027-03-26T01:30:00Z", "2027-03-27T01:30:00Z", "2027-03-28T02:00:00+01:00",
        "2027-03-29T01:30:00+01:00",
    ]  # fmt: skip
    text = cli(
        "schedule", "next", "--cron", "30 1 * * *", "--timezone", "Europe/London",
        "--start", "2027-03-26T00:00", "--count", "4", *on,
    ).stdout  # fmt: skip
    assert "2027-03-28T02:00:00+01:00" in text and "2027-03-28T01:00:00Z" in text

    # Without --timezone, the machine's zone (TZ here) reads the start and shows the times.
    assert local_zone_name() == "America/New_York"
    mine = cli_json("schedule", "next", "--every", "1d", "--start", "2027-11-06T09:00", *on)
    assert mine["timezone"] == "America/New_York"
    assert [i["utc"] for i in mine["items"][:2]] == [
        "2027-11-06T13:00:00Z", "2027-11-07T13:00:00Z",  # 24 h in UTC: 08:00 EST after the change
    ]  # fmt: skip
    assert mine["items"][1]["local"] == "2027-11-07T08:00:00-05:00"

    # A dry run: the next five and the estimate, nothing saved.
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    dry = cli_json(
        "schedule", "create", "--name", "Try", "--bench", str(_bench_file(api, tmp_path)),
        "--every", "6h", "--start", start.isoformat(), "--dry-run", *on,
    )  # fmt: skip
    assert dry["schedule"] is None
    plain = {"rule": {"kind": "interval", "every": 6, "unit": "hours"},
             "starts_at": start.isoformat()}  # fmt: skip
    assert dry["next"] == api.ok(
        "POST", "/api/schedules/next",
        json={"timing": plain, "count": 5, "timezone": "America/New_York"},
    )  # fmt: skip
    body = {
        "name": "Try",
        "kind": "benchmark",
        "benchmark": json.loads(_bench_file(api, tmp_path).read_text()),
        "timing": plain,
    }
    assert dry["estimate"] == api.ok("POST", "/api/schedules/estimate", json=body)
    assert dry["estimate"]["runs_per_month"] == 120  # every 6 h for 30 days
    assert api.ok("GET", "/api/schedules")["total"] == 0
    text = cli(
        "schedule", "create", "--name", "Try", "--bench", str(_bench_file(api, tmp_path)),
        "--every", "6h", "--start", start.isoformat(), "--dry-run", *on,
    ).stdout  # fmt: skip
    assert "Dry run" in text and "runs in the next 30 days: 120" in text


def test_the_servers_422s_and_bad_options(
    server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = _user(server, "cli-schedule-422@example.com", monkeypatch)
    on = ("--server", server.url)
    bench = str(_bench_file(api, tmp_path))
    base = ("schedule", "create", "--name", "Bad", "--bench", bench)

    bad_cron = cli(*base, "--cron", "0 25 * * *", "--timezone", "UTC", *on, code=1)
    assert "server:" in bad_cron.output and "422" in bad_cron.output
    assert "timing.rule.cron: " in bad_cron.output
    assert "timing.rule.cron: The hour field '25' is not valid" in bad_cron.output

    zone = cli(*base, "--cron", "0 2 * * *", "--timezone", "Mars/Olympus", *on, code=1)
    assert "timing.rule.cron.timezone: " in zone.output and "Mars/Olympus" in zone.output

    # Below the administrator's minimum (an hour here).
    often = cli(*base, "--every", "30m", *on, code=1)
    assert "timing.rule.interval.every: " in often.output and "422" in often.output
    draft = cli("schedule", "next", "--every", "30m", *on, code=1)
    assert "timing.rule.interval.every: " in draft.output
    assert api.ok("GET", "/api/schedules")["total"] == 0

    # Bad options never reach the server: exit 2 with what to write.
    assert "30m, 6h, 1d" in cli(*base, "--every", "5x", *on, code=2).output
    both = cli(*base, "--every", "1h", "--cron", "0 * * * *", *on, code=2)
    assert "--every or --cron" in both.output
    nothing = cli("schedule", "create", "--name", "N", "--every", "1h", *on, code=2)
    assert "--bench FILE, --eval FILE" in nothing.output
    assert "--every 1h or --cron" in cli("schedule", "next", *on, code=2).output
