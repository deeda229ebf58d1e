"""Schedules over the API on SQLite and PostgreSQL: save, read, change, delete; the next
occurrences in UTC and the viewer's zone (saved and draft); clear 422s for an invalid cron,
an unknown zone and an interval under the administrator's minimum; another user's 404."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from schedules_driver import Api, Clock, Platform, benchmark_body, platform, quiet_settings

from benchstudio.config import Settings
from benchstudio.schedules.service import crud


@pytest.fixture
def p(settings: Settings) -> Iterator[Platform]:
    yield from platform(quiet_settings(settings, schedules_min_interval_s=3600), Clock())


def _body(api: Api, timing: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Hourly latency",
        "kind": "benchmark",
        "benchmark": benchmark_body(api),
        "timing": timing
        or {
            "rule": {"kind": "cron", "cron": "0 9 * * MON-FRI", "timezone": "Europe/London"},
            "starts_at": "2026-01-01T00:00:00Z",
        },
        **extra,
    }


def _error(response: Any) -> tuple[int, str, list[str]]:
    error = response.json()["error"]
    messages = [d["msg"] for d in error.get("details") or []] or [error["message"]]
    return response.status_code, error["code"], messages


def test_save_read_change_and_delete(p: Platform) -> None:
    api = p.api.sign_up("owner@example.com")
    created = api.ok("POST", "/api/schedules", 201, json=_body(api, monthly_budget_usd=5))
    assert created["kind"] == "benchmark" and created["enabled"]
    assert created["config"]["targets"] == benchmark_body(api)["targets"]
    assert created["timing"]["rule"]["cron"] == "0 9 * * MON-FRI"
    assert created["runs_so_far"] == 0 and created["paused_reason"] is None
    due = datetime.fromisoformat(created["next_due_at"])
    assert due.weekday() < 5 and due.minute == 0  # 09:00 London on a weekday
    schedule_id = created["id"]
    assert api.ok("GET", f"/api/schedules/{schedule_id}") == created
    page = api.ok("GET", "/api/schedules")
    assert [s["id"] for s in page["items"]] == [schedule_id] and page["total"] == 1

    off = api.ok("PATCH", f"/api/schedules/{schedule_id}", json={"enabled": False})
    assert not off["enabled"] and off["next_due_at"] is None
    on = api.ok("PATCH", f"/api/schedules/{schedule_id}", json={"enabled": True, "name": "B"})
    assert on["enabled"] and on["name"] == "B" and on["next_due_at"] is not None
    assert on["monthly_budget_usd"] == 5  # not given: kept
    cleared = api.ok("PATCH", f"/api/schedules/{schedule_id}", json={"monthly_budget_usd": None})
    assert cleared["monthly_budget_usd"] is None  # given as null: no budget any more
    wrong = api.call("PATCH", f"/api/schedules/{schedule_id}", json={"eval": {"suite_id": "x"}})
    assert wrong.status_code == 422

    assert api.ok("GET", f"/api/schedules/{schedule_id}/occurrences")["items"] == []
    api.ok("DELETE", f"/api/schedules/{schedule_id}", 204)
    assert api.call("GET", f"/api/schedules/{schedule_id}").status_code == 404


def test_next_occurrences_in_utc_and_the_viewers_zone(p: Platform) -> None:
    api = p.api.sign_up("owner@example.com")
    created = api.ok("POST", "/api/schedules", 201, json=_body(api))
    url = f"/api/schedules/{created['id']}/next?count=5&timezone=America/New_York"
    shown = api.ok("GET", url)
    assert shown["timezone"] == "America/New_York" and len(shown["items"]) == 5
    for item in shown["items"]:
        utc, local = datetime.fromisoformat(item["utc"]), datetime.fromisoformat(item["local"])
        assert utc == local and utc.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert local.utcoffset() is not None and local.utcoffset().total_seconds() < 0  # type: ignore[union-attr]
    # Without a zone: a cron schedule's own zone (09:00 in London).
    own = api.ok("GET", f"/api/schedules/{created['id']}/next?count=2")
    assert own["timezone"] == "Europe/London"
    assert [datetime.fromisoformat(i["local"]).hour for i in own["items"]] == [9, 9]

    draft = {
        "timing": {
            "rule": {"kind": "interval", "every": 2, "unit": "hours"},
            "starts_at": "2030-01-01T00:30:00Z",
        },
        "count": 3,
        "timezone": "Asia/Kolkata",
    }
    preview = api.ok("POST", "/api/schedules/next", json=draft)
    assert [i["utc"] for i in preview["items"]] == [
        "2030-01-01T00:30:00Z",
        "2030-01-01T02:30:00Z",
        "2030-01-01T04:30:00Z",
    ]
    assert preview["items"][0]["local"] == "2030-01-01T06:00:00+05:30"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"kind": "cron", "cron": "0 25 * * *", "timezone": "UTC"}, "hour field '25' is not valid"),
        ({"kind": "cron", "cron": "0 9 * * *", "timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"kind": "interval", "every": 30, "unit": "minutes"}, "minimum"),
        ({"kind": "cron", "cron": "*/10 * * * *", "timezone": "UTC"}, "minimum"),
    ],
)
def test_bad_timing_is_a_clear_422(p: Platform, rule: dict[str, Any], expected: str) -> None:
    api = p.api.sign_up("owner@example.com")
    timing = {"rule": rule, "starts_at": "2026-01-01T00:00:00Z"}
    for method, path, body in (
        ("POST", "/api/schedules", _body(api, timing)),
        ("POST", "/api/schedules/next", {"timing": timing}),
    ):
        response = api.call(method, path, json=body)
        status, code, messages = _error(response)
        assert (status, code) == (422, "validation_error")
        (detail,) = response.json()["error"]["details"]
        assert detail["loc"][:3] == ["body", "timing", "rule"], detail
        assert any(expected in m for m in messages), messages
    assert api.ok("GET", "/api/schedules")["total"] == 0


def test_the_configuration_must_match_the_kind_and_be_the_owners(p: Platform) -> None:
    alice = p.api.sign_up("alice@example.com")
    body = _body(alice)
    mine = alice.ok("POST", "/api/schedules", 201, json=body)
    mismatched = {**body, "kind": "eval"}
    assert alice.call("POST", "/api/schedules", json=mismatched).status_code == 422
    bad_run = {**body, "benchmark": {**body["benchmark"], "runs": 0}}
    assert alice.call("POST", "/api/schedules", json=bad_run).status_code == 422

    bob = Api(p.client).sign_up("bob@example.com")
    # Alice's provider in Bob's schedule, and Alice's schedule in Bob's hands: 404.
    assert bob.call("POST", "/api/schedules", json=body).status_code == 404
    for method, path in (
        ("GET", f"/api/schedules/{mine['id']}"),
        ("PATCH", f"/api/schedules/{mine['id']}"),
        ("DELETE", f"/api/schedules/{mine['id']}"),
        ("GET", f"/api/schedules/{mine['id']}/next"),
        ("GET", f"/api/schedules/{mine['id']}/occurrences"),
    ):
        response = bob.call(method, path, json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path, response.text)
    assert bob.ok("GET", "/api/schedules")["total"] == 0
    assert alice.ok("GET", f"/api/schedules/{mine['id']}")["name"] == "Hourly latency"


def test_the_estimate_gives_cost_per_run_and_per_month(p: Platform) -> None:
    api = p.api.sign_up("owner@example.com")
    hourly = {
        "rule": {"kind": "interval", "every": 1, "unit": "hours"},
        "starts_at": "2026-01-01T00:00:00Z",
    }
    shown = api.ok("POST", "/api/schedules/estimate", json=_body(api, hourly))
    # The demo simulator's models are free; an hourly schedule runs 720 times in 30 days.
    assert shown == {
        "cost_per_run_usd": 0.0,
        "runs_per_month": 720,
        "cost_per_month_usd": 0.0,
        "monthly_budget_usd": None,
    }
    capped = _body(api, {**hourly, "max_runs": 10}, monthly_budget_usd=3)
    shown = api.ok("POST", "/api/schedules/estimate", json=capped)
    assert (shown["runs_per_month"], shown["monthly_budget_usd"]) == (10, 3)
    weekdays = {"rule": {"kind": "cron", "cron": "0 9 * * MON-FRI", "timezone": "UTC"}}
    starts = {"starts_at": "2030-01-01T00:00:00Z"}  # 30 days from here: 22 weekdays
    shown = api.ok("POST", "/api/schedules/estimate", json=_body(api, {**weekdays, **starts}))
    assert shown["runs_per_month"] == 22
    assert api.ok("GET", "/api/schedules")["total"] == 0  # nothing saved


def test_a_user_has_a_bounded_number_of_schedules(
    p: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = p.api.sign_up("owner@example.com")
    monkeypatch.setattr(crud, "MAX_SCHEDULES", 2)
    for _ in range(2):
        api.ok("POST", "/api/schedules", 201, json=_body(api))
    refused = api.call("POST", "/api/schedules", json=_body(api))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "too_many_schedules"
