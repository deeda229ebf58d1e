"""The owner is told in the notification center when an occurrence is skipped (one notice per
span of skips, not per occurrence) and when a schedule pauses itself, with the reason: each
case below produces exactly one notice, with its text and its link to the schedule."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from alerts_driver import Receiver, alert_platform
from schedules_driver import (
    START,
    Api,
    Clock,
    Platform,
    benchmark_body,
    interval_timing,
    platform,
    quiet_settings,
)

from benchstudio.config import Settings
from benchstudio.core.webhook_post import verify
from benchstudio.jobs.domain import JobEnding, JobStatus
from benchstudio.schedules.schemas import ScheduleIn, ScheduleOut
from benchstudio.schedules.service import crud
from benchstudio.schedules.service.outcomes import schedule_follows_job
from benchstudio.storage.service_context import ServiceContext


@pytest.fixture
def clock() -> Clock:
    return Clock(START - timedelta(minutes=1))


@pytest.fixture
def p(settings: Settings, clock: Clock) -> Iterator[Platform]:
    yield from platform(quiet_settings(settings), clock)


def _create(p: Platform, api: Api, **extra: Any) -> ScheduleOut:
    body = {
        "name": "Hourly",
        "kind": "benchmark",
        "benchmark": extra.pop("benchmark", None) or benchmark_body(api),
        "timing": extra.pop("timing", None) or interval_timing(),
        **extra,
    }
    return p.run(crud.create, p.context(p.user_id(api)), ScheduleIn.model_validate(body))


def _pass_at(p: Platform, clock: Clock, hours: int) -> None:
    clock.now = START + timedelta(hours=hours, seconds=5)
    p.dispatch()


def _notices(api: Api) -> list[dict[str, Any]]:
    """The notification center, oldest first."""
    page = api.ok("GET", "/api/notifications?limit=100")
    assert page["total"] == len(page["items"]) == page["unread"]
    return list(reversed(page["items"]))


def _cancel_active(api: Api, schedule_id: str) -> None:
    for item in api.ok("GET", f"/api/schedules/{schedule_id}/occurrences?limit=200")["items"]:
        if item["status"] == "dispatched":
            api.ok("POST", f"/api/jobs/{item['job_id']}/cancel")


def _told(notice: dict[str, Any], schedule_id: str) -> tuple[str, str, str, str | None]:
    assert notice["link"] == f"/schedules/{schedule_id}"
    return notice["kind"], notice["title"], notice["body"], notice["read_at"]


def test_an_overlap_span_is_told_once_and_a_new_span_again(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api)
    for hour in range(3):  # 09:00 runs (its job stays queued); 10:00 and 11:00 overlap it
        _pass_at(p, clock, hour)
    statuses = [
        i["status"] for i in api.ok("GET", f"/api/schedules/{schedule.id}/occurrences")["items"]
    ]
    assert statuses == ["skipped", "skipped", "dispatched"]
    (notice,) = _notices(api)
    assert _told(notice, schedule.id) == (
        "schedule.skipped",
        "Hourly: a run was skipped",
        "The run due at 2026-03-02 10:00 UTC did not start: the previous run was still queued "
        "or running. Further runs skipped for the same reason are not reported until a run "
        "starts again.",
        None,
    )
    assert notice["created_at"] == "2026-03-02T10:00:05Z"  # the dispatcher's clock
    _cancel_active(api, schedule.id)
    _pass_at(p, clock, 3)  # 12:00 runs: the span is over
    _pass_at(p, clock, 4)  # 13:00 overlaps the 12:00 run: a new span, told again
    first, second = _notices(api)
    assert first == notice
    assert "The run due at 2026-03-02 13:00 UTC did not start" in second["body"]


def test_refused_runs_are_told_once_per_span(settings: Settings, clock: Clock) -> None:
    for p in platform(quiet_settings(settings, default_jobs_per_hour=1), clock):
        api = p.api.sign_up("owner@example.com")
        schedule = _create(p, api)
        _pass_at(p, clock, 0)
        _cancel_active(api, schedule.id)
        _pass_at(p, clock, 1)  # refused: one job per hour
        _pass_at(p, clock, 2)  # refused again: the same span
        log = api.ok("GET", f"/api/schedules/{schedule.id}/occurrences")["items"]
        assert [i["status"] for i in log] == ["skipped", "skipped", "cancelled"]
        refusal = log[0]["reason"].removeprefix("skipped: ")
        (notice,) = _notices(api)
        assert _told(notice, schedule.id) == (
            "schedule.skipped",
            "Hourly: a run was skipped",
            f"The run due at 2026-03-02 10:00 UTC did not start: {refusal.rstrip('.')}. "
            "Further runs skipped for the same reason are not reported until a run starts "
            "again.",
            None,
        )
        assert refusal.startswith("You can start 1 jobs per hour")


def test_missed_runs_are_logged_but_not_told(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api)
    _pass_at(p, clock, 0)
    _cancel_active(api, schedule.id)
    _pass_at(p, clock, 4)  # the server was down from 09:00 to 13:00
    log = api.ok("GET", f"/api/schedules/{schedule.id}/occurrences")["items"]
    assert [i["reason"] for i in log] == [None, "skipped: missed", None]
    assert _notices(api) == []


def test_consecutive_failures_pause_with_one_notice(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api, pause_after_failures=2)
    owner = p.user_id(api)
    for hour in range(2):
        _pass_at(p, clock, hour)
        log = api.ok("GET", f"/api/schedules/{schedule.id}/occurrences")["items"]
        ending = JobEnding(log[0]["job_id"], owner, "benchmark", {}, JobStatus.FAILED, "boom")
        p.run(schedule_follows_job, ServiceContext.for_owner(p.context().db, owner), ending)
    (notice,) = _notices(api)
    assert _told(notice, schedule.id) == (
        "schedule.paused",
        "Hourly: paused",
        "The schedule switched itself off: its last 2 runs failed. Switch it on again on its "
        "page once that is fixed; it resumes from its next occurrence.",
        None,
    )


def _keyed_provider(api: Api) -> str:
    body = {"name": "Keyed", "protocol": "openai", "base_url": "http://127.0.0.1:9/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)
    api.ok("PUT", f"/api/providers/{provider['id']}/key", json={"api_key": "sk-test-abcdef"})
    api.ok("POST", "/api/models", 201, json={"provider_id": provider["id"], "model_id": "m-1"})
    return str(provider["id"])


def test_a_removed_key_pauses_with_one_notice(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    provider_id = _keyed_provider(api)
    body = {**benchmark_body(api), "targets": [{"provider_id": provider_id, "model_id": "m-1"}]}
    schedule = _create(p, api, benchmark=body)
    api.ok("DELETE", f"/api/providers/{provider_id}/key")
    for hour in range(2):  # paused at the first pass; the second has nothing due
        _pass_at(p, clock, hour)
    (notice,) = _notices(api)
    assert _told(notice, schedule.id)[:3] == (
        "schedule.paused",
        "Hourly: paused",
        "The schedule switched itself off: the API key of provider 'Keyed' was removed. "
        "Switch it on again on its page once that is fixed; it resumes from its next "
        "occurrence.",
    )


def test_a_spent_budget_pauses_with_one_notice(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api, monthly_budget_usd=0)
    _pass_at(p, clock, 0)
    (notice,) = _notices(api)
    assert _told(notice, schedule.id)[:2] == ("schedule.paused", "Hourly: paused")
    assert notice["body"].startswith(
        "The schedule switched itself off: its monthly budget of $0.00 is used up ($0.00 this "
        "month)."
    )


def test_a_run_that_cannot_start_is_told_as_the_pause_only(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    models = api.ok("GET", "/api/models")
    sim = next(m for m in models if m["model_id"] == "benchstudio-sim")
    params = api.ok(
        "POST", "/api/parameter-sets", 201, json={"name": "p", "model_ref_id": sim["id"]}
    )
    target = {**api.demo_target(), "parameter_set_id": params["id"]}
    schedule = _create(p, api, benchmark={**benchmark_body(api), "targets": [target]})
    api.ok("DELETE", f"/api/parameter-sets/{params['id']}", 204)
    _pass_at(p, clock, 0)
    (skipped,) = api.ok("GET", f"/api/schedules/{schedule.id}/occurrences")["items"]
    assert skipped["status"] == "skipped"
    (notice,) = _notices(api)
    reason = api.ok("GET", f"/api/schedules/{schedule.id}")["paused_reason"]
    assert reason.startswith("it cannot start its run: ")
    assert _told(notice, schedule.id)[:2] == ("schedule.paused", "Hourly: paused")
    assert notice["body"].startswith(f"The schedule switched itself off: {reason}. ")


def test_notices_are_the_owners_alone(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api, monthly_budget_usd=0)
    _pass_at(p, clock, 0)
    other = Api(p.client).sign_up("other@example.com")
    assert _notices(other) == []
    (notice,) = _notices(api)
    assert notice["link"] == f"/schedules/{schedule.id}"
    assert other.ok("POST", "/api/notifications/read", json={"ids": [notice["id"]]}) == {
        "marked": 0
    }
    assert api.ok("GET", "/api/notifications/unread-count") == {"unread": 1}


def test_webhooks_hear_of_a_pause_signed_like_alerts(settings: Settings, clock: Clock) -> None:
    for p in alert_platform(quiet_settings(settings), clock):
        api = p.api.sign_up("owner@example.com")
        schedule = _create(p, api, monthly_budget_usd=0)
        with Receiver() as receiver:
            hook = api.ok("POST", "/api/webhooks", 201, json={"name": "ops", "url": receiver.url()})
            other = {"name": "other", "url": receiver.url("/other"), "schedule_id": None}
            api.ok(
                "PATCH",
                f"/api/webhooks/{api.ok('POST', '/api/webhooks', 201, json=other)['id']}",
                json={"enabled": False},
            )
            _pass_at(p, clock, 0)
            assert p.alert_pass().delivered == 1  # the disabled endpoint hears nothing
            (got,) = receiver.received
        (notice,) = _notices(api)
        assert got.headers["x-benchstudio-event"] == "schedule.paused"
        assert verify(
            hook["secret"], got.headers["x-benchstudio-signature"], got.body, now=int(time.time())
        )
        assert json.loads(got.body) == {
            "event": "schedule.paused",
            "schedule": {"id": schedule.id, "name": "Hourly"},
            "title": notice["title"],
            "body": notice["body"],
            "link": f"/schedules/{schedule.id}",
        }
        (attempt,) = api.ok("GET", f"/api/webhooks/{hook['id']}/deliveries")["items"]
        assert (attempt["event"], attempt["status_code"], attempt["error"]) == (
            "schedule.paused",
            200,
            None,
        )


def test_the_owner_is_emailed_once_unless_the_rules_say_no(
    settings: Settings, clock: Clock
) -> None:
    for p in alert_platform(quiet_settings(settings), clock):
        api = p.api.sign_up("owner@example.com")
        mailed = _create(p, api, monthly_budget_usd=0)
        quiet = _create(p, api, monthly_budget_usd=0)
        rules = {"rules": [], "email": False}
        api.ok("PUT", f"/api/schedules/{quiet.id}/alert-rules", json=rules)
        _pass_at(p, clock, 0)  # both pause
        assert len(_notices(api)) == 2
        assert p.alert_pass().mailed == 1
        assert p.alert_pass().mailed == 0  # sent once
        (mail,) = p.mailer.sent
        notice = next(n for n in _notices(api) if n["link"] == f"/schedules/{mailed.id}")
        assert (mail.to, mail.subject) == ("owner@example.com", notice["title"])
        assert mail.body.startswith(notice["body"])
        assert f"/schedules/{mailed.id}" in mail.body
