"""Properties of the timing core over generated specs and times (HYPOTHESIS_PROFILE sets the
example count): occurrences strictly increase within the bounds; `due` is idempotent; a
dispatcher that calls `due` at arbitrary moments accounts for every occurrence exactly once."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim
from hypothesis import given
from hypothesis import strategies as st

from benchstudio.schedules.domain import (
    CatchUp,
    CronRule,
    IntervalRule,
    IntervalUnit,
    Overlap,
    ScheduleState,
    TimingSpec,
    due,
    next_occurrences,
    occurrence_ended,
    record,
)
from benchstudio.schedules.domain.occurrences import at_or_after

# Zones with DST changes of one hour, 30 minutes, in both hemispheres, and none.
ZONES = ("Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC")
EXPRESSIONS = (
    "*/20 * * * *",
    "30 * * * *",
    "0,45 1-3 * * *",
    "30 1 * * *",
    "15 2 * * 0",
    "0 0 L * *",
    "@daily",
)
BASE = datetime(2026, 1, 1, tzinfo=UTC)

instants = st.integers(min_value=0, max_value=365 * 24 * 60).map(
    lambda minutes: BASE + timedelta(minutes=minutes)
)
interval_rules = st.builds(
    IntervalRule, st.integers(min_value=1, max_value=90), st.sampled_from(list(IntervalUnit))
)
cron_rules = st.builds(CronRule, st.sampled_from(EXPRESSIONS), st.sampled_from(ZONES))


@st.composite
def specs(draw: st.DrawFn) -> TimingSpec:
    starts_at = draw(instants) + timedelta(seconds=draw(st.integers(0, 59)))
    length = draw(st.none() | st.integers(min_value=1, max_value=60 * 24 * 60))
    return TimingSpec(
        rule=draw(interval_rules | cron_rules),
        starts_at=starts_at,
        ends_at=None if length is None else starts_at + timedelta(minutes=length),
        max_runs=draw(st.none() | st.integers(min_value=1, max_value=40)),
        catch_up=draw(st.sampled_from(list(CatchUp))),
        overlap=draw(st.sampled_from(list(Overlap))),
    )


@given(specs(), instants, st.integers(min_value=1, max_value=40))
def test_occurrences_strictly_increase_and_stay_within_the_bounds(
    spec: TimingSpec, after: datetime, count: int
) -> None:
    found = next_occurrences(spec, after, count)
    assert all(a < b for a, b in itertools.pairwise(found))
    assert all(at > after and at >= spec.starts_at for at in found)
    assert spec.ends_at is None or all(at <= spec.ends_at for at in found)
    assert all(at.utcoffset() == timedelta(0) for at in found)


@given(specs(), instants, st.integers(min_value=0, max_value=3))
def test_due_is_idempotent_once_its_decision_is_recorded(
    spec: TimingSpec, now: datetime, active: int
) -> None:
    state = ScheduleState(spec, active=active)
    first = due(state, now)
    after = record(state, first)
    second = due(after, now)
    assert (second.dispatch, second.skipped) == ((), ())
    assert second.next_due == first.next_due
    assert first.next_due is None or first.next_due > now


@given(
    specs(),
    st.lists(st.integers(min_value=1, max_value=6 * 60), min_size=1, max_size=40),
    st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_every_occurrence_is_dispatched_or_skipped_exactly_once(
    spec: TimingSpec, gaps: list[int], ends: list[bool]
) -> None:
    """A dispatcher passing at arbitrary moments (runs finishing at random): the dispatched
    and skipped occurrences, put together, are each occurrence up to the last decision, once."""
    state = ScheduleState(spec)
    now = spec.starts_at - timedelta(minutes=30)
    dispatched: list[datetime] = []
    accounted = 0
    for gap, ended in zip(gaps, ends, strict=False):
        now += timedelta(minutes=gap)
        decision = due(state, now)
        dispatched += [d.occurrence for d in decision.dispatch]
        accounted += len(decision.dispatch)
        for skip in decision.skipped:
            assert skip.count is not None
            accounted += skip.count
        state = record(state, decision)
        if ended and state.active:
            state = occurrence_ended(state)
    assert all(a < b for a, b in itertools.pairwise(dispatched))
    assert spec.max_runs is None or len(dispatched) <= spec.max_runs
    assert all(
        spec.starts_at <= at and (spec.ends_at is None or at <= spec.ends_at) for at in dispatched
    )
    through = state.decided_through
    expected = 0 if through is None else sum(1 for _ in _until(spec, through))
    assert accounted == expected


def _until(spec: TimingSpec, through: datetime) -> list[datetime]:
    found = []
    for at in at_or_after(spec, spec.starts_at):
        if at > through:
            break
        found.append(at)
    return found


# The 2026 DST changes of three zones, as UTC instants (see test_schedules_dst.py).
TRANSITIONS = {
    "Europe/London": ("2026-03-29T01:00", "2026-10-25T01:00"),
    "America/New_York": ("2026-03-08T07:00", "2026-11-01T06:00"),
    "Australia/Lord_Howe": ("2026-04-04T15:00", "2026-10-03T15:30"),
}


@given(
    st.sampled_from(sorted(TRANSITIONS)),
    st.integers(min_value=0, max_value=1),
    st.integers(min_value=-180, max_value=60),
    st.sampled_from(EXPRESSIONS[:5]),
)
def test_around_a_dst_change_each_wall_clock_time_runs_once_at_its_time_or_the_jump(
    zone: str, which: int, minutes: int, expression: str
) -> None:
    tz = ZoneInfo(zone)
    change = datetime.fromisoformat(TRANSITIONS[zone][which]).replace(tzinfo=UTC)
    spec = TimingSpec(CronRule(expression, zone), starts_at=BASE)
    found = next_occurrences(spec, change + timedelta(minutes=minutes), 12)
    walls = [at.astimezone(tz).replace(tzinfo=None) for at in found]
    assert len(set(walls)) == len(walls)  # an ambiguous time runs once
    for at, wall in zip(found, walls, strict=True):
        matches = next(CronSim(expression, wall - timedelta(seconds=1))) == wall
        at_the_jump = at == change and which == _SPRING[zone]
        assert matches or at_the_jump, (at, wall)


# Which of the two changes moves the clocks forward (a gap): March in the north, October in
# the south.
_SPRING = {"Europe/London": 0, "America/New_York": 0, "Australia/Lord_Howe": 1}
