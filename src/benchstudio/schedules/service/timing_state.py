"""A stored schedule read as the pure domain's spec and state, and its next due instant."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from benchstudio.schedules.domain import ScheduleState, TimingSpec
from benchstudio.schedules.domain.occurrences import at_or_after
from benchstudio.schedules.models import Schedule
from benchstudio.schedules.schemas import TimingIn


def timing_in(row: Schedule) -> TimingIn:
    return TimingIn.model_validate({**row.timing, "enabled": row.enabled})


def spec_of(row: Schedule) -> TimingSpec:
    return timing_in(row).to_spec()


def state_of(row: Schedule, active: int) -> ScheduleState:
    return ScheduleState(
        spec=spec_of(row),
        decided_through=row.decided_through,
        runs_so_far=row.runs_so_far,
        active=active,
        active_since=row.active_since,
    )


def first_due(state: ScheduleState, now: datetime) -> datetime | None:
    """The first occurrence a dispatcher pass at or after `now` would decide (None: none)."""
    spec = state.spec
    if not spec.enabled or (spec.max_runs is not None and state.runs_so_far >= spec.max_runs):
        return None
    lower = max(now, state.active_since or now, spec.starts_at)
    after = state.decided_through
    for at in at_or_after(spec, lower):
        if after is None or at > after:
            return at
    return None


def restarted(row: Schedule, now: datetime) -> None:
    """Created, switched on again or retimed at `now`: what fell due before is neither run nor
    reported as missed; a pause and its failure count are cleared."""
    row.active_since = now
    row.paused_reason = None
    row.consecutive_failures = 0
    row.finished = None
    state = dataclasses.replace(state_of(row, 0), active_since=now)
    row.next_due_at = first_due(state, now)


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


STALE_CLAIM = timedelta(minutes=10)
