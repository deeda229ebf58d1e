"""`due(state, now)` on injected times: interval anchoring, catch-up after an outage, overlap,
end dates, maximum runs, pausing. Every `now` is written out; nothing reads a clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from benchstudio.schedules.domain import (
    CatchUp,
    CronRule,
    Dispatch,
    DueDecision,
    Finished,
    IntervalRule,
    IntervalUnit,
    Overlap,
    ScheduleState,
    Skip,
    SkipReason,
    TimingSpec,
    due,
    occurrence_ended,
    record,
    resume,
)

HOURLY = IntervalRule(1, IntervalUnit.HOURS)


def _z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _spec(rule: IntervalRule | CronRule = HOURLY, **changes: object) -> TimingSpec:
    base = TimingSpec(rule, starts_at=_z("2026-01-01T00:00"))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _dispatched(decision: DueDecision) -> list[datetime]:
    return [d.occurrence for d in decision.dispatch]


def test_the_first_occurrence_runs_at_the_start() -> None:
    decision = due(ScheduleState(_spec()), _z("2026-01-01T00:00:02"))
    assert decision.dispatch == (Dispatch(_z("2026-01-01T00:00"), 1, catch_up=False, waits=False),)
    assert decision.skipped == ()
    assert decision.decided_through == _z("2026-01-01T00:00")
    assert decision.next_due == _z("2026-01-01T01:00")


def test_before_the_start_nothing_is_due_and_the_start_is_next() -> None:
    decision = due(ScheduleState(_spec()), _z("2025-12-31T23:00"))
    assert (decision.dispatch, decision.skipped, decision.next_due) == ((), (), _z("2026-01-01"))


def test_a_run_that_took_40_minutes_does_not_shift_the_next_one() -> None:
    spec = _spec(IntervalRule(1, IntervalUnit.HOURS), starts_at=_z("2026-01-01T09:07:13"))
    state = record(ScheduleState(spec), first := due(ScheduleState(spec), spec.starts_at))
    assert _dispatched(first) == [_z("2026-01-01T09:07:13")]
    finished = occurrence_ended(state)  # the run ended 40 minutes later
    at_end = due(finished, _z("2026-01-01T09:47:13"))
    assert (at_end.dispatch, at_end.next_due) == ((), _z("2026-01-01T10:07:13"))
    assert _dispatched(due(finished, _z("2026-01-01T10:07:20"))) == [_z("2026-01-01T10:07:13")]


def test_a_daily_interval_is_anchored_in_utc_across_a_dst_change() -> None:
    spec = _spec(IntervalRule(1, IntervalUnit.DAYS), starts_at=_z("2026-03-27T09:00"))
    state = ScheduleState(spec, decided_through=_z("2026-03-28T09:00"), runs_so_far=2)
    assert due(state, _z("2026-03-28T12:00")).next_due == _z("2026-03-29T09:00")  # 10:00 BST


def _after_outage(
    catch_up: CatchUp, now: str, rule: IntervalRule | CronRule = HOURLY
) -> DueDecision:
    # Last run at 10:00 on 1 January (finished); nothing dispatched for three days.
    spec = _spec(rule, catch_up=catch_up)
    state = ScheduleState(spec, decided_through=_z("2026-01-01T10:00"), runs_so_far=11)
    return due(state, _z(now))


def test_catch_up_skip_after_a_three_day_outage_records_every_missed_run_and_runs_none() -> None:
    decision = _after_outage(CatchUp.SKIP, "2026-01-04T10:20")
    assert decision.dispatch == ()
    assert decision.skipped == (
        Skip(SkipReason.MISSED, _z("2026-01-01T11:00"), _z("2026-01-04T10:00"), 72),
    )
    assert decision.decided_through == _z("2026-01-04T10:00")
    assert decision.next_due == _z("2026-01-04T11:00")


def test_catch_up_run_once_after_a_three_day_outage_runs_the_latest_once() -> None:
    decision = _after_outage(CatchUp.RUN_ONCE, "2026-01-04T10:20")
    assert decision.dispatch == (Dispatch(_z("2026-01-04T10:00"), 12, catch_up=True, waits=False),)
    assert decision.skipped == (
        Skip(SkipReason.MISSED, _z("2026-01-01T11:00"), _z("2026-01-04T09:00"), 71),
    )
    assert decision.next_due == _z("2026-01-04T11:00")


def test_a_cron_outage_counts_the_missed_runs_in_its_zone() -> None:
    rule = CronRule("0 * * * *", "Europe/London")  # GMT in January: the same hours as UTC
    decision = _after_outage(CatchUp.SKIP, "2026-01-04T10:20", rule)
    assert decision.skipped == (
        Skip(SkipReason.MISSED, _z("2026-01-01T11:00"), _z("2026-01-04T10:00"), 72),
    )


def test_back_within_the_grace_the_latest_runs_on_time_under_either_policy() -> None:
    for policy in CatchUp:
        decision = _after_outage(policy, "2026-01-04T10:03")
        assert decision.dispatch == (
            Dispatch(_z("2026-01-04T10:00"), 12, catch_up=False, waits=False),
        )
        assert decision.skipped[0].count == 71


def test_overlap_skip_records_the_occurrence_while_one_is_running() -> None:
    spec = _spec(IntervalRule(10, IntervalUnit.MINUTES), overlap=Overlap.SKIP)
    running = ScheduleState(spec, decided_through=_z("2026-01-01T00:00"), runs_so_far=1, active=1)
    decision = due(running, _z("2026-01-01T00:10"))
    assert decision.dispatch == ()
    assert decision.skipped == (
        Skip(SkipReason.OVERLAP, _z("2026-01-01T00:10"), _z("2026-01-01T00:10"), 1),
    )
    assert decision.next_due == _z("2026-01-01T00:20")
    # Recorded, the same pass changes nothing; the runs count did not move.
    again = record(running, decision)
    assert again.runs_so_far == 1
    assert due(again, _z("2026-01-01T00:10")).skipped == ()


def test_overlap_queue_lets_one_occurrence_wait_and_skips_the_next() -> None:
    spec = _spec(IntervalRule(10, IntervalUnit.MINUTES), overlap=Overlap.QUEUE)
    running = ScheduleState(spec, decided_through=_z("2026-01-01T00:00"), runs_so_far=1, active=1)
    queued = due(running, _z("2026-01-01T00:10"))
    assert queued.dispatch == (Dispatch(_z("2026-01-01T00:10"), 2, catch_up=False, waits=True),)
    waiting = record(running, queued)
    assert waiting.active == 2
    third = due(waiting, _z("2026-01-01T00:20"))
    assert third.dispatch == ()
    assert third.skipped[0].reason is SkipReason.OVERLAP
    # Once the running one ends, the next occurrence is queued again.
    assert due(occurrence_ended(waiting), _z("2026-01-01T00:20")).dispatch[0].waits


def test_more_than_one_running_occurrence_when_the_spec_allows_it() -> None:
    spec = _spec(IntervalRule(10, IntervalUnit.MINUTES), max_running=2)
    running = ScheduleState(spec, decided_through=_z("2026-01-01T00:00"), runs_so_far=1, active=1)
    decision = due(running, _z("2026-01-01T00:10"))
    assert decision.dispatch == (Dispatch(_z("2026-01-01T00:10"), 2, catch_up=False, waits=False),)


def test_an_occurrence_at_the_end_date_runs_and_then_the_schedule_has_ended() -> None:
    spec = _spec(ends_at=_z("2026-01-01T03:00"))
    state = ScheduleState(spec, decided_through=_z("2026-01-01T02:00"), runs_so_far=3)
    decision = due(state, _z("2026-01-01T03:01"))
    assert _dispatched(decision) == [_z("2026-01-01T03:00")]
    assert (decision.next_due, decision.finished) == (None, Finished.ENDED)


def test_a_late_catch_up_does_not_run_after_the_end_date() -> None:
    spec = _spec(ends_at=_z("2026-01-01T03:30"), catch_up=CatchUp.RUN_ONCE)
    state = ScheduleState(spec, decided_through=_z("2026-01-01T01:00"), runs_so_far=2)
    decision = due(state, _z("2026-01-01T05:00"))
    assert decision.dispatch == ()
    assert decision.skipped == (
        Skip(SkipReason.MISSED, _z("2026-01-01T02:00"), _z("2026-01-01T02:00"), 1),
        Skip(SkipReason.ENDED, _z("2026-01-01T03:00"), _z("2026-01-01T03:00"), 1),
    )
    assert decision.finished is Finished.ENDED


def test_the_last_allowed_run_finishes_the_schedule() -> None:
    spec = _spec(max_runs=3)
    state = ScheduleState(spec, decided_through=_z("2026-01-01T01:00"), runs_so_far=2)
    decision = due(state, _z("2026-01-01T02:00"))
    assert decision.dispatch == (Dispatch(_z("2026-01-01T02:00"), 3, catch_up=False, waits=False),)
    assert (decision.next_due, decision.finished) == (None, Finished.MAX_RUNS)


def test_a_maximum_lowered_below_the_runs_so_far_skips_what_falls_due() -> None:
    spec = _spec(max_runs=2)
    state = ScheduleState(spec, decided_through=_z("2026-01-01T04:00"), runs_so_far=5)
    decision = due(state, _z("2026-01-01T05:00"))
    assert decision.skipped == (
        Skip(SkipReason.MAX_RUNS, _z("2026-01-01T05:00"), _z("2026-01-01T05:00"), 1),
    )
    assert decision.finished is Finished.MAX_RUNS


def test_a_disabled_schedule_dispatches_nothing_and_has_no_next_due() -> None:
    state = ScheduleState(_spec(enabled=False), decided_through=_z("2026-01-01T00:00"))
    decision = due(state, _z("2026-01-02T00:00"))
    assert (decision.dispatch, decision.skipped, decision.next_due) == ((), (), None)
    assert decision.decided_through == _z("2026-01-01T00:00")


def test_re_enabled_a_schedule_neither_runs_nor_reports_what_fell_due_while_paused() -> None:
    spec = _spec(catch_up=CatchUp.RUN_ONCE)
    paused = ScheduleState(spec, decided_through=_z("2026-01-01T05:00"), runs_so_far=6)
    resumed = resume(paused, _z("2026-01-03T07:30"))
    decision = due(resumed, _z("2026-01-03T07:30"))
    assert (decision.dispatch, decision.skipped) == ((), ())
    assert decision.next_due == _z("2026-01-03T08:00")


def test_a_schedule_created_after_its_start_begins_with_the_next_occurrence() -> None:
    created = resume(ScheduleState(_spec(catch_up=CatchUp.RUN_ONCE)), _z("2026-02-01T10:15"))
    assert due(created, _z("2026-02-01T10:15")).next_due == _z("2026-02-01T11:00")


def test_a_cron_schedule_runs_its_missing_local_time_at_the_jump() -> None:
    spec = _spec(CronRule("30 1 * * *", "Europe/London"))
    state = ScheduleState(spec, decided_through=_z("2026-03-28T01:30"), runs_so_far=1)
    assert due(state, _z("2026-03-29T00:59")).next_due == _z("2026-03-29T01:00")
    assert _dispatched(due(state, _z("2026-03-29T01:00:30"))) == [_z("2026-03-29T01:00")]
