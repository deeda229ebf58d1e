"""Regression alerts end to end on SQLite and PostgreSQL: scheduled benchmarks on the demo
simulator, one with a slower TTFT injected, open one alert (notification, email, a signed
webhook the local receiver verifies); a second slow run adds nothing; a good run sends
"recovered". The delivery log holds no secret; retries back off; the egress guard refuses a
private webhook address unless allowed; another user's alerts and webhooks answer 404."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alerts_driver import (
    FAST_TTFT_MS,
    SLOW_TTFT_MS,
    AlertPlatform,
    Receiver,
    alert_platform,
    alert_settings,
    hourly_schedule,
    latency_simulator,
    run_occurrence,
    set_ttft,
    ttft_rules,
)
from schedules_driver import (
    Api,
    Clock,
    SimulatorThread,
)

from benchstudio.config import Settings
from benchstudio.core.webhook_post import SIGNATURE_HEADER, verify
from benchstudio.schedules.alerts.service.notifications import notify
from benchstudio.storage.service_context import ServiceContext


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    with latency_simulator() as thread:
        yield thread


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as hook:
        yield hook


@pytest.fixture
def p(settings: Settings, sim: SimulatorThread) -> Iterator[AlertPlatform]:
    # Production egress: loopback is refused unless allow-listed (the receiver is).
    allowed = alert_settings(settings, sim, egress_mode="production", egress_allow=["127.0.0.1"])
    yield from alert_platform(allowed, Clock())


def test_one_alert_per_episode_then_recovered(
    p: AlertPlatform, sim: SimulatorThread, receiver: Receiver
) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule_id = hourly_schedule(p, api)
    ttft_rules(api, schedule_id)
    hook = api.ok(
        "POST", "/api/webhooks", 201, json={"name": "ops", "url": receiver.url("/hook?token=t0k")}
    )
    secret = hook["secret"]
    assert secret.startswith("whsec_") and hook["url_hint"].startswith("http://127.0.0.1:")
    assert "secret" not in api.ok("GET", f"/api/webhooks/{hook['id']}")

    try:
        set_ttft(sim, FAST_TTFT_MS)
        run_occurrence(p, api, schedule_id)  # the baseline: nothing to compare with yet
        assert api.ok("GET", "/api/notifications/unread-count")["unread"] == 0

        set_ttft(sim, SLOW_TTFT_MS)
        p.clock.move(hours=1)
        run_occurrence(p, api, schedule_id)
        alerts = api.ok("GET", f"/api/schedules/{schedule_id}/alerts")
        (episode,) = alerts["open"]
        assert episode["metric"] == "ttft_p50" and episode["value"] > episode["baseline"] * 1.5
        notes = api.ok("GET", "/api/notifications")
        assert notes["unread"] == 1 and notes["items"][0]["kind"] == "schedule.regressed"
        assert notes["items"][0]["link"] == f"/schedules/{schedule_id}"
        assert [m.subject for m in p.mailer.sent] == ["Hourly latency: TTFT p50 regressed"]
        assert p.mailer.sent[0].to == "owner@example.com"
        base = p.client.app.state.settings.link_base  # type: ignore[attr-defined]
        link = f"{base}/schedules/{schedule_id}"  # absolute, as account mails
        assert f"See the schedule: {link}\n" in p.mailer.sent[0].body

        (got,) = receiver.received
        assert got.path == "/hook?token=t0k" and got.headers["x-benchstudio-event"] == (
            "schedule.regressed"
        )
        signature = got.headers[SIGNATURE_HEADER.lower()]
        assert verify(secret, signature, got.body, now=int(time.time()))
        assert not verify("whsec_wrong", signature, got.body, now=int(time.time()))
        assert json.loads(got.body)["metric"] == "ttft_p50"

        p.clock.move(hours=1)
        run_occurrence(p, api, schedule_id)  # still slow: the same episode, nothing new
        alerts = api.ok("GET", f"/api/schedules/{schedule_id}/alerts")
        assert alerts["episodes"]["total"] == 1 and alerts["open"][0]["runs"] == 2
        assert api.ok("GET", "/api/notifications/unread-count")["unread"] == 1
        assert len(p.mailer.sent) == 1 and len(receiver.received) == 1

        set_ttft(sim, FAST_TTFT_MS)
        p.clock.move(hours=1)
        run_occurrence(p, api, schedule_id)
    finally:
        set_ttft(sim, FAST_TTFT_MS)
    alerts = api.ok("GET", f"/api/schedules/{schedule_id}/alerts")
    assert alerts["open"] == [] and alerts["episodes"]["items"][0]["closed_at"] is not None
    notes = api.ok("GET", "/api/notifications")
    assert [n["kind"] for n in notes["items"]] == ["schedule.recovered", "schedule.regressed"]
    assert p.mailer.sent[-1].subject == "Hourly latency: TTFT p50 recovered"
    assert len(receiver.received) == 2

    log = api.call("GET", f"/api/webhooks/{hook['id']}/deliveries")
    assert log.status_code == 200
    assert [a["status_code"] for a in log.json()["items"]] == [200, 200]
    assert secret not in log.text and "t0k" not in log.text and "/hook" not in log.text

    one = notes["items"][0]["id"]
    assert api.ok("POST", "/api/notifications/read", json={"ids": [one]})["marked"] == 1
    assert api.ok("GET", "/api/notifications?unread_only=true")["total"] == 1
    assert api.ok("POST", "/api/notifications/read-all")["marked"] == 1
    assert api.ok("GET", "/api/notifications/unread-count")["unread"] == 0

    rotated = api.ok("POST", f"/api/webhooks/{hook['id']}/rotate-secret")
    assert rotated["secret"] != secret and rotated["secret"].startswith("whsec_")


def test_mute_holds_the_alert_back(p: AlertPlatform, sim: SimulatorThread) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule_id = hourly_schedule(p, api)
    ttft_rules(api, schedule_id)
    # In force on the tests' clock (March) and on the server's own (the API lists mutes).
    until = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    muted = api.ok(
        "POST",
        f"/api/schedules/{schedule_id}/alerts/mutes",
        json={"metric": "ttft_p50", "until": until},
    )
    assert muted["metric"] == "ttft_p50"
    try:
        run_occurrence(p, api, schedule_id)
        set_ttft(sim, SLOW_TTFT_MS)
        p.clock.move(hours=1)
        run_occurrence(p, api, schedule_id)
    finally:
        set_ttft(sim, FAST_TTFT_MS)
    alerts = api.ok("GET", f"/api/schedules/{schedule_id}/alerts")
    assert alerts["open"][0]["muted"] is True and alerts["mutes"][0]["metric"] == "ttft_p50"
    assert api.ok("GET", "/api/notifications")["total"] == 0 and p.mailer.sent == []
    api.ok("DELETE", f"/api/schedules/{schedule_id}/alerts/mutes/ttft_p50", 204)
    assert api.ok("GET", f"/api/schedules/{schedule_id}/alerts")["mutes"] == []


def test_retries_back_off_and_a_private_address_is_refused(
    settings: Settings, sim: SimulatorThread, receiver: Receiver
) -> None:
    strict = alert_settings(settings, sim, egress_mode="production", egress_allow=[])
    for p in alert_platform(strict, Clock()):
        api = p.api.sign_up("owner@example.com")
        schedule_id = hourly_schedule(p, api)
        ttft_rules(api, schedule_id)
        hook = api.ok("POST", "/api/webhooks", 201, json={"name": "lan", "url": receiver.url()})
        try:
            run_occurrence(p, api, schedule_id)
            set_ttft(sim, SLOW_TTFT_MS)
            p.clock.move(hours=1)
            run_occurrence(p, api, schedule_id)
        finally:
            set_ttft(sim, FAST_TTFT_MS)
        (attempt,) = api.ok("GET", f"/api/webhooks/{hook['id']}/deliveries")["items"]
        assert attempt["status_code"] is None and attempt["next_retry_at"] is None
        assert attempt["error"].startswith("refused by the egress guard")
        assert receiver.received == []  # nothing left the server


def test_a_failed_delivery_is_retried_with_backoff(
    p: AlertPlatform, sim: SimulatorThread, receiver: Receiver
) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule_id = hourly_schedule(p, api)
    ttft_rules(api, schedule_id)
    hook = api.ok("POST", "/api/webhooks", 201, json={"name": "flaky", "url": receiver.url()})
    receiver.statuses = [500, 503]
    try:
        run_occurrence(p, api, schedule_id)
        set_ttft(sim, SLOW_TTFT_MS)
        p.clock.move(hours=1)
        run_occurrence(p, api, schedule_id)
    finally:
        set_ttft(sim, FAST_TTFT_MS)
    url = f"/api/webhooks/{hook['id']}/deliveries"
    (first,) = api.ok("GET", url)["items"]
    assert first["status_code"] == 500 and first["error"] == "HTTP 500"
    assert first["next_retry_at"] is not None
    assert p.alert_pass().delivered == 0  # not yet due
    p.clock.move(seconds=31)
    assert p.alert_pass().delivered == 1
    p.clock.move(seconds=61)
    assert p.alert_pass().delivered == 1
    attempts = api.ok("GET", url)["items"]
    assert [a["status_code"] for a in attempts] == [200, 503, 500]
    assert attempts[0]["next_retry_at"] is None and len(receiver.received) == 3
    assert len({r.body for r in receiver.received}) == 1  # the same body, signed again


def test_another_users_alerts_and_webhooks_are_not_found(p: AlertPlatform) -> None:
    owner = p.api.sign_up("owner@example.com")
    schedule_id = hourly_schedule(p, owner)
    hook = owner.ok(
        "POST", "/api/webhooks", 201, json={"name": "a", "url": "https://example.com/h"}
    )
    other = Api(p.client).sign_up("other@example.com")
    for method, path, body in (
        ("GET", f"/api/schedules/{schedule_id}/alert-rules", None),
        ("PUT", f"/api/schedules/{schedule_id}/alert-rules", {"rules": []}),
        ("GET", f"/api/schedules/{schedule_id}/alerts", None),
        ("POST", f"/api/schedules/{schedule_id}/alerts/mutes", {"metric": "cost"}),
        ("DELETE", f"/api/schedules/{schedule_id}/alerts/mutes/cost", None),
        ("GET", f"/api/webhooks/{hook['id']}", None),
        ("PATCH", f"/api/webhooks/{hook['id']}", {"name": "mine"}),
        ("POST", f"/api/webhooks/{hook['id']}/rotate-secret", None),
        ("GET", f"/api/webhooks/{hook['id']}/deliveries", None),
        ("DELETE", f"/api/webhooks/{hook['id']}", None),
        (
            "POST",
            "/api/webhooks",
            {"name": "x", "url": "https://e.com", "schedule_id": schedule_id},
        ),
    ):
        response = other.call(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
    assert other.ok("GET", "/api/webhooks") == []
    # A notice (as the schedules' other events write them) is its owner's alone.
    owner_ctx = ServiceContext.for_owner(p.client.app.state.database, p.user_id(owner))  # type: ignore[attr-defined]
    p.run(lambda: notify(owner_ctx, kind="schedule.skipped", title="Skipped", body="overlap"))
    (notice,) = owner.ok("GET", "/api/notifications")["items"]
    assert notice["kind"] == "schedule.skipped" and notice["read_at"] is None
    assert other.ok("GET", "/api/notifications")["total"] == 0
    marked = other.ok("POST", "/api/notifications/read", json={"ids": [notice["id"]]})
    assert marked["marked"] == 0 and owner.ok("GET", "/api/notifications")["unread"] == 1
    bad = owner.call("POST", "/api/webhooks", json={"name": "x", "url": "ftp://e.com/h"})
    assert bad.status_code == 422
    creds = owner.call("POST", "/api/webhooks", json={"name": "x", "url": "https://u:p@e.com/h"})
    assert creds.status_code == 422
