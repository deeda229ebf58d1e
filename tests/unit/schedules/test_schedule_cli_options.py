"""The `benchstudio schedule` options as request bodies (no server): `--every`, start and end
instants read in the user's zone, the timing `update` sends over a saved one, and the machine's
zone name (tzlocal, read from TZ here)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
import tzlocal

from benchstudio.cli.local_zone import local_zone_name
from benchstudio.cli.schedule_options import (
    TimingOptions,
    instant,
    interval_rule,
    read_config,
    timing_body,
)

NOW = datetime(2026, 12, 7, 10, 30, 15, 500_000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "every", "unit"),
    [("30m", 30, "minutes"), ("6h", 6, "hours"), ("1d", 1, "days"), ("2 days", 2, "days"),
     ("90min", 90, "minutes")],
)  # fmt: skip
def test_every(text: str, every: int, unit: str) -> None:
    assert interval_rule(text) == {"kind": "interval", "every": every, "unit": unit}


@pytest.mark.parametrize("text", ["5x", "h", "0h", "-1h", "30s", ""])
def test_every_refuses_what_is_not_an_interval(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        interval_rule(text)


def test_instants_now_relative_and_local_wall_clock() -> None:
    assert instant("now", "UTC", "--start", NOW) == "2026-12-07T10:30:15+00:00"
    assert instant("+10m", "UTC", "--start", NOW) == "2026-12-07T10:40:15+00:00"
    # No offset: read in the zone (London is on GMT in December, BST in July).
    assert instant("2026-12-08T09:00", "Europe/London", "--start") == "2026-12-08T09:00:00+00:00"
    assert instant("2027-07-01T09:00", "Europe/London", "--start") == "2027-07-01T09:00:00+01:00"
    assert instant("2027-07-01T09:00+02:00", "UTC", "--start") == "2027-07-01T09:00:00+02:00"
    with pytest.raises(typer.BadParameter):
        instant("tomorrow", "UTC", "--start", NOW)


def test_a_new_timing_and_an_update_over_a_saved_one() -> None:
    cron = TimingOptions(cron="0 2 * * *", timezone="Europe/London")
    assert timing_body(cron, "Europe/London", now=NOW) == {
        "rule": {"kind": "cron", "cron": "0 2 * * *", "timezone": "Europe/London"},
        "starts_at": "2026-12-07T10:30:15+00:00",
    }
    saved = {
        "rule": {"kind": "cron", "cron": "0 2 * * *", "timezone": "Europe/London"},
        "starts_at": "2026-12-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z",
        "max_runs": 5, "catch_up": "skip", "overlap": "skip", "max_running": 1, "enabled": False,
    }  # fmt: skip
    # Only the zone given: the cron rule moves to it; the rest stays; `enabled` is not sent.
    moved = timing_body(TimingOptions(timezone="Asia/Tokyo", end=""), "Asia/Tokyo", saved)
    assert moved == {
        **{k: v for k, v in saved.items() if k != "enabled"},
        "rule": {"kind": "cron", "cron": "0 2 * * *", "timezone": "Asia/Tokyo"},
        "ends_at": None,
    }
    uncapped = timing_body(TimingOptions(every="1d", max_runs=0), "UTC", saved)
    assert uncapped["rule"] == {"kind": "interval", "every": 1, "unit": "days"}
    assert uncapped["max_runs"] is None and uncapped["starts_at"] == saved["starts_at"]
    with pytest.raises(typer.BadParameter):
        timing_body(TimingOptions(), "UTC")
    with pytest.raises(typer.BadParameter):
        timing_body(TimingOptions(every="1h", cron="0 * * * *"), "UTC")


def test_config_files_json_and_yaml(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"runs": 2}')
    (tmp_path / "b.yaml").write_text("runs: 3\ntargets: []\n")
    (tmp_path / "c.json").write_text("[1, 2]")
    assert read_config(tmp_path / "a.json", "--bench") == {"runs": 2}
    assert read_config(tmp_path / "b.yaml", "--bench") == {"runs": 3, "targets": []}
    for bad in ("c.json", "missing.json"):
        with pytest.raises(typer.BadParameter):
            read_config(tmp_path / bad, "--bench")


@pytest.mark.parametrize(
    ("tz", "expected"),
    [("America/New_York", "America/New_York"), (":Europe/Berlin", "Europe/Berlin")],
)
def test_the_machines_zone_comes_from_tz(
    tz: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", tz)
    tzlocal.reload_localzone()
    try:
        assert local_zone_name() == expected
    finally:
        monkeypatch.undo()
        tzlocal.reload_localzone()
