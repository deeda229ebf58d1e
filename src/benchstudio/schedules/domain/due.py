"""What a schedule dispatches now: `due(state, now)`, pure, everything from the stored state.

The dispatcher stores the decision (its jobs, its skips, `record(state, decision)`, the next
due instant) in one transaction; a restart reads the same state back and loses nothing. Calling
`due` again at the same `now` after recording returns nothing new.

At most one occurrence is dispatched per call: the most recent one that has come due. Earlier
undecided occurrences were overtaken by it and are recorded as missed. The most recent one runs
if it is on time (within the grace), or, late, if the catch-up policy is "run once".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from benchstudio.schedules.domain.occurrences import (
    at_or_after,
    count_between,
    latest_at_or_before,
)
from benchstudio.schedules.domain.timing import DEFAULT_GRACE, CatchUp, Overlap, TimingSpec

# With the "queue" overlap policy, how many occurrences may wait behind the running ones.
QUEUE_DEPTH = 1
_TICK = timedelta(microseconds=1)


class SkipReason(StrEnum):
    MISSED = "missed"  # came due while nothing dispatched; the catch-up policy passed it over
    OVERLAP = "overlap"  # earlier occurrences were still queued or running
    MAX_RUNS = "max_runs"  # the schedule had had its maximum number of runs
    ENDED = "ended"  # a late catch-up run would start after the schedule's end


class Finished(StrEnum):
    MAX_RUNS = "max_runs"
    ENDED = "ended"  # past the end date, or the rule matches no later instant


@dataclass(frozen=True)
class ScheduleState:
    """What the dispatcher stores for a schedule, beside its spec.

    `decided_through`: the latest occurrence already dispatched or skipped. `active`:
    dispatched occurrences still queued or running. `active_since`: when the schedule was
    created or last re-enabled; occurrences before it are neither run nor counted as missed.
    """

    spec: TimingSpec
    decided_through: datetime | None = None
    runs_so_far: int = 0
    active: int = 0
    active_since: datetime | None = None


@dataclass(frozen=True)
class Dispatch:
    occurrence: datetime  # the scheduled instant: with the schedule, the uniqueness key
    run_number: int  # 1 for the schedule's first run
    catch_up: bool  # late, run by the "run once" catch-up policy
    waits: bool  # queued behind earlier occurrences (the "queue" overlap policy)


@dataclass(frozen=True)
class Skip:
    """Consecutive occurrences passed over for one reason; `count` is None when a long cron
    outage held more than `occurrences.COUNT_LIMIT` of them."""

    reason: SkipReason
    first: datetime
    last: datetime
    count: int | None


@dataclass(frozen=True)
class DueDecision:
    dispatch: tuple[Dispatch, ...]
    skipped: tuple[Skip, ...]
    decided_through: datetime | None
    next_due: datetime | None  # None: nothing more to do until the spec or state changes
    finished: Finished | None


def due(state: ScheduleState, now: datetime, grace: timedelta = DEFAULT_GRACE) -> DueDecision:
    """The occurrences to dispatch at `now`, those skipped, and the next due instant."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    spec = state.spec
    if not spec.enabled:
        return DueDecision((), (), state.decided_through, None, None)
    lower = _lower_bound(state)
    latest = latest_at_or_before(spec, now)
    undecided = _first_after(spec, state.decided_through, lower)
    if latest is None or undecided is None or latest < undecided:
        return _outcome(state, now, (), (), state.decided_through)
    skipped: list[Skip] = []
    if undecided < latest:
        before = latest_at_or_before(spec, latest - _TICK)
        assert before is not None  # undecided lies before latest
        skipped.append(_span(spec, SkipReason.MISSED, undecided, before))
    on_time = now - latest <= grace
    dispatch: tuple[Dispatch, ...] = ()
    if not on_time and spec.catch_up is CatchUp.SKIP:
        skipped = [_span(spec, SkipReason.MISSED, undecided, latest)]
    elif not on_time and spec.ends_at is not None and now > spec.ends_at:
        skipped.append(Skip(SkipReason.ENDED, latest, latest, 1))
    else:
        verdict = _run_or_skip(state, latest, catch_up=not on_time)
        if isinstance(verdict, Skip):
            skipped.append(verdict)
        else:
            dispatch = (verdict,)
    return _outcome(state, now, dispatch, tuple(skipped), latest)


def record(state: ScheduleState, decision: DueDecision) -> ScheduleState:
    """The state after the dispatcher stored `decision`."""
    dispatched = len(decision.dispatch)
    return dataclasses.replace(
        state,
        decided_through=decision.decided_through,
        runs_so_far=state.runs_so_far + dispatched,
        active=state.active + dispatched,
    )


def occurrence_ended(state: ScheduleState) -> ScheduleState:
    """The state after one dispatched occurrence finished (done, failed or cancelled)."""
    return dataclasses.replace(state, active=max(0, state.active - 1))


def resume(state: ScheduleState, now: datetime) -> ScheduleState:
    """The state of a schedule created or re-enabled at `now`: what fell due before is
    neither run nor reported as missed."""
    return dataclasses.replace(state, active_since=now)


def _lower_bound(state: ScheduleState) -> datetime:
    since = state.active_since
    return state.spec.starts_at if since is None else max(since, state.spec.starts_at)


def _first_after(spec: TimingSpec, after: datetime | None, lower: datetime) -> datetime | None:
    """The first occurrence at or after `lower` and strictly after `after`."""
    start = lower if after is None else max(lower, after)
    return next((at for at in at_or_after(spec, start) if after is None or at > after), None)


def _span(spec: TimingSpec, reason: SkipReason, first: datetime, last: datetime) -> Skip:
    return Skip(reason, first, last, count_between(spec, first, last))


def _run_or_skip(state: ScheduleState, occurrence: datetime, *, catch_up: bool) -> Dispatch | Skip:
    spec = state.spec
    if spec.max_runs is not None and state.runs_so_far >= spec.max_runs:
        return Skip(SkipReason.MAX_RUNS, occurrence, occurrence, 1)
    waits = state.active >= spec.max_running
    if waits and (spec.overlap is Overlap.SKIP or state.active >= spec.max_running + QUEUE_DEPTH):
        return Skip(SkipReason.OVERLAP, occurrence, occurrence, 1)
    return Dispatch(occurrence, state.runs_so_far + 1, catch_up=catch_up, waits=waits)


def _outcome(
    state: ScheduleState,
    now: datetime,
    dispatch: tuple[Dispatch, ...],
    skipped: tuple[Skip, ...],
    decided_through: datetime | None,
) -> DueDecision:
    spec = state.spec
    runs = state.runs_so_far + len(dispatch)
    if spec.max_runs is not None and runs >= spec.max_runs:
        return DueDecision(dispatch, skipped, decided_through, None, Finished.MAX_RUNS)
    after = now if decided_through is None else max(now, decided_through)
    following = _first_after(spec, after, _lower_bound(state))
    finished = Finished.ENDED if following is None else None
    return DueDecision(dispatch, skipped, decided_through, following, finished)
