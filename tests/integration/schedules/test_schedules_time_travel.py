"""The dispatcher on an injected clock (time travel), through the real app and services: on
time, missed runs (skip, run once), overlap (skip, queue), end dates, maximum runs, refusals
recorded as skipped, and the reasons a schedule pauses itself. Jobs stay queued here (no job
dispatcher), so a dispatched occurrence stays active until its job is cancelled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
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


def _create(p: Platform, api: Api, timing: dict[str, Any], **extra: Any) -> ScheduleOut:
    body = {
        "name": "Hourly",
        "kind": "benchmark",
        "benchmark": extra.pop("benchmark", None) or benchmark_body(api),
        "timing": timing,
        **extra,
    }
    owner = p.context(p.user_id(api))
    return p.run(crud.create, owner, ScheduleIn.model_validate(body))


def _log(api: Api, schedule_id: str) -> list[dict[str, Any]]:
    """The occurrence log, oldest first."""
    items = api.ok("GET", f"/api/schedules/{schedule_id}/occurrences?limit=200")["items"]
    return list(reversed(items))


def _at(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["occurrence_at"])


def _schedule(api: Api, schedule_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.ok("GET", f"/api/schedules/{schedule_id}")
    return found


def _cancel_active(api: Api, schedule_id: str) -> None:
    for item in _log(api, schedule_id):
        if item["status"] == "dispatched":
            api.ok("POST", f"/api/jobs/{item['job_id']}/cancel")


def test_runs_on_time_and_each_occurrence_once(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api, interval_timing())
    assert schedule.next_due_at == START
    assert p.dispatch().dispatched == []  # 08:59: nothing yet
    clock.now = START + timedelta(seconds=20)
    report = p.dispatch()
    assert len(report.dispatched) == 1
    assert p.dispatch().dispatched == []  # the same instant again: nothing new
    (first,) = _log(api, schedule.id)
    assert (first["status"], first["run_number"], _at(first)) == ("dispatched", 1, START)
    run = api.ok("GET", f"/api/benchmarks/{first['run_id']}")
    assert run["job_id"] == first["job_id"] == report.dispatched[0]
    assert run["schedule"] == {
        "schedule_id": schedule.id,
        "occurrence_at": "2026-03-02T09:00:00Z",
        "run_number": 1,
    }
    assert run["title"] == "Hourly (run 1)"
    history = api.ok("GET", f"/api/benchmarks?schedule_id={schedule.id}")
    assert [r["id"] for r in history["items"]] == [first["run_id"]]
    assert _schedule(api, schedule.id)["next_due_at"] == "2026-03-02T10:00:00Z"


@pytest.mark.parametrize("catch_up", ["skip", "run_once"])
def test_missed_runs_after_an_outage(p: Platform, clock: Clock, catch_up: str) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api, interval_timing(catch_up=catch_up))
    clock.now = START + timedelta(seconds=1)
    p.dispatch()
    _cancel_active(api, schedule.id)
    clock.now = START + timedelta(hours=3, minutes=30)  # down from 09:01 to 12:30
    p.dispatch()
    log = _log(api, schedule.id)[1:]
    if catch_up == "skip":
        (missed,) = log
        assert (missed["status"], missed["reason"]) == ("skipped", "skipped: missed")
        assert _at(missed) == START + timedelta(hours=1)
        assert (missed["skipped_until"], missed["skipped_count"]) == ("2026-03-02T12:00:00Z", 3)
        assert _schedule(api, schedule.id)["runs_so_far"] == 1
    else:
        missed, late = log
        assert (missed["reason"], missed["skipped_count"]) == ("skipped: missed", 2)
        assert (late["status"], late["catch_up"], late["run_number"]) == ("dispatched", True, 2)
        assert _at(late) == START + timedelta(hours=3)
    assert _schedule(api, schedule.id)["next_due_at"] == "2026-03-02T13:00:00Z"


def test_overlap_skip_records_the_skip_and_runs_again_once_free(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api, interval_timing())
    for hour in range(3):
        clock.now = START + timedelta(hours=hour, seconds=5)
        p.dispatch()
        if hour == 1:
            _cancel_active(api, schedule.id)  # the 09:00 run ends after the 10:00 occurrence
    statuses = [(i["status"], i["reason"], i["run_number"]) for i in _log(api, schedule.id)]
    assert statuses == [
        ("cancelled", None, 1),
        ("skipped", "skipped: overlap", None),
        ("dispatched", None, 2),
    ]


def test_overlap_queue_waits_for_the_running_one(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api, interval_timing(overlap="queue"))
    clock.now = START + timedelta(seconds=5)
    p.dispatch()
    clock.now = START + timedelta(hours=1, seconds=5)
    p.dispatch()
    clock.now = START + timedelta(hours=2, seconds=5)
    p.dispatch()
    log = _log(api, schedule.id)
    assert [(i["status"], i["reason"]) for i in log] == [
        ("dispatched", None),
        ("waiting", None),
        ("skipped", "skipped: overlap"),  # one waits at most
    ]
    _cancel_active(api, schedule.id)  # the first ends: the waiting one gets its turn
    assert len(p.dispatch().dispatched) == 1
    waited = _log(api, schedule.id)[1]
    assert (waited["status"], waited["run_number"]) == ("dispatched", 2)
    assert api.ok("GET", f"/api/benchmarks/{waited['run_id']}")["schedule"]["run_number"] == 2


def test_end_date_and_maximum_runs_finish_the_schedule(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    ending = _create(p, api, interval_timing(ends_at=(START + timedelta(hours=1)).isoformat()))
    capped = _create(p, api, interval_timing(max_runs=2))
    for hour in range(4):
        clock.now = START + timedelta(hours=hour, seconds=5)
        p.dispatch()
        _cancel_active(api, ending.id)
        _cancel_active(api, capped.id)
    for schedule, finished in ((ending, "ended"), (capped, "max_runs")):
        state = _schedule(api, schedule.id)
        assert (state["finished"], state["next_due_at"], state["runs_so_far"]) == (
            finished,
            None,
            2,
        )
        assert [_at(i) for i in _log(api, schedule.id)] == [START, START + timedelta(hours=1)]


def test_a_refused_run_is_skipped_with_the_reason(settings: Settings, clock: Clock) -> None:
    for p in platform(quiet_settings(settings, default_jobs_per_hour=1), clock):
        api = p.api.sign_up("owner@example.com")
        schedule = _create(p, api, interval_timing())
        clock.now = START + timedelta(seconds=5)
        p.dispatch()
        _cancel_active(api, schedule.id)
        clock.now = START + timedelta(hours=1, seconds=5)
        report = p.dispatch()
        assert report.dispatched == []
        refused = _log(api, schedule.id)[-1]
        assert refused["status"] == "skipped"
        assert refused["reason"].startswith("skipped: You can start 1 jobs per hour")
        state = _schedule(api, schedule.id)
        assert state["runs_so_far"] == 1 and state["enabled"]
        assert state["next_due_at"] == "2026-03-02T11:00:00Z"


def test_consecutive_failures_pause_and_switching_on_resumes(p: Platform, clock: Clock) -> None:
    api = p.api.sign_up("owner@example.com")
    schedule = _create(p, api, interval_timing(), pause_after_failures=2)
    owner = p.user_id(api)
    for hour in range(2):
        clock.now = START + timedelta(hours=hour, seconds=5)
        p.dispatch()
        job_id = _log(api, schedule.id)[-1]["job_id"]
        ending = JobEnding(job_id, owner, "benchmark", {}, JobStatus.FAILED, "boom")
        p.run(schedule_follows_job, ServiceContext.for_owner(p.context().db, owner), ending)
    state = _schedule(api, schedule.id)
    assert not state["enabled"] and state["paused_reason"] == "its last 2 runs failed"
    assert state["next_due_at"] is None
    assert [i["status"] for i in _log(api, schedule.id)] == ["failed", "failed"]
    clock.now = START + timedelta(hours=2, seconds=5)
    assert p.dispatch().due == 0
    on = api.ok("PATCH", f"/api/schedules/{schedule.id}", json={"enabled": True})
    assert on["paused_reason"] is None and on["consecutive_failures"] == 0


def _keyed_provider(api: Api) -> tuple[str, str]:
    body = {"name": "Keyed", "protocol": "openai", "base_url": "http://127.0.0.1:9/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)
    api.ok("PUT", f"/api/providers/{provider['id']}/key", json={"api_key": "sk-test-abcdef"})
    model = api.ok(
        "POST", "/api/models", 201, json={"provider_id": provider["id"], "model_id": "m-1"}
    )
    return provider["id"], model["id"]


@pytest.mark.parametrize("change", ["key_removed", "model_archived", "provider_archived"])
def test_a_schedule_pauses_when_what_it_runs_goes(p: Platform, clock: Clock, change: str) -> None:
    api = p.api.sign_up("owner@example.com")
    provider_id, model_id = _keyed_provider(api)
    body = {**benchmark_body(api), "targets": [{"provider_id": provider_id, "model_id": "m-1"}]}
    schedule = _create(p, api, interval_timing(), benchmark=body)
    if change == "key_removed":
        api.ok("DELETE", f"/api/providers/{provider_id}/key")
    elif change == "model_archived":
        api.ok("DELETE", f"/api/models/{model_id}", 204)
    else:
        api.ok("DELETE", f"/api/providers/{provider_id}", 204)
    clock.now = START + timedelta(seconds=5)
    report = p.dispatch()
    assert report.paused == [schedule.id] and report.dispatched == []
    reason = _schedule(api, schedule.id)["paused_reason"]
    expected = {
        "key_removed": "the API key of provider 'Keyed' was removed",
        "model_archived": "its model 'm-1' was archived",
        "provider_archived": "its provider 'Keyed' was archived",
    }[change]
    assert reason == expected
    assert _log(api, schedule.id) == []


def test_a_disabled_owner_or_a_spent_budget_pauses(p: Platform, clock: Clock) -> None:
    admin = p.api.sign_up("admin@example.com")
    api = Api(p.client).sign_up("owner@example.com")
    owner = p.user_id(api)
    disabled = _create(p, api, interval_timing())
    budgeted = _create(p, api, interval_timing(), monthly_budget_usd=0)
    clock.now = START + timedelta(seconds=5)
    assert p.dispatch().paused == [budgeted.id]  # nothing spent yet, but nothing may be
    state = _schedule(api, budgeted.id)
    assert state["paused_reason"] == "its monthly budget of $0.00 is used up ($0.00 this month)"
    _cancel_active(api, disabled.id)
    admin.ok("PATCH", f"/api/admin/users/{owner}", json={"is_active": False})
    clock.now = START + timedelta(hours=1, seconds=5)
    assert p.dispatch().paused == [disabled.id]
    paused = p.run(crud.get, p.context(owner), disabled.id)
    assert paused.paused_reason == "its owner's account is disabled" and not paused.enabled


def test_a_restart_loses_nothing_and_repeats_nothing(settings: Settings, clock: Clock) -> None:
    """A new server on the same database carries on from the stored state alone."""
    quiet = quiet_settings(settings)
    for first in platform(quiet, clock):
        api = first.api.sign_up("owner@example.com")
        schedule = _create(first, api, interval_timing())
        clock.now = START + timedelta(seconds=5)
        first.dispatch()
        _cancel_active(api, schedule.id)
        token = api.token
    for second in platform(quiet, clock):
        api = second.api
        api.token = token  # the same user, signed in before the restart
        assert second.dispatch().dispatched == []  # 09:00 again: already decided
        clock.now = START + timedelta(hours=1, seconds=5)
        assert len(second.dispatch().dispatched) == 1
        assert len(second.dispatch().dispatched) == 0
        log = _log(api, schedule.id)
        assert [(i["status"], i["run_number"], _at(i)) for i in log] == [
            ("cancelled", 1, START),
            ("dispatched", 2, START + timedelta(hours=1)),
        ]
