"""The timing spec of a schedule: when it runs, within which bounds, and what to do when late.

Every datetime here is timezone-aware UTC; a cron rule names its own IANA zone, in which its
expression is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class IntervalUnit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"


_UNIT_LENGTH = {
    IntervalUnit.MINUTES: timedelta(minutes=1),
    IntervalUnit.HOURS: timedelta(hours=1),
    IntervalUnit.DAYS: timedelta(days=1),
}


class CatchUp(StrEnum):
    """What happens to occurrences missed while nothing dispatched (an outage, a restart)."""

    SKIP = "skip"  # record them as skipped; the next run is the next occurrence on time
    RUN_ONCE = "run_once"  # run the most recent one, once; record the others as skipped


class Overlap(StrEnum):
    """What happens to an occurrence that falls due while earlier ones are queued or running."""

    SKIP = "skip"  # record it as skipped
    QUEUE = "queue"  # dispatch it to wait its turn (one waiting occurrence at most)


@dataclass(frozen=True)
class IntervalRule:
    """Every `every` units, anchored to the schedule's start in UTC: start + k × period."""

    every: int
    unit: IntervalUnit

    @property
    def period(self) -> timedelta:
        return self.every * _UNIT_LENGTH[self.unit]


@dataclass(frozen=True)
class CronRule:
    """A five-field cron expression read in an IANA time zone (wall-clock times)."""

    expression: str
    timezone: str


Rule = IntervalRule | CronRule

# How long after its instant an occurrence still counts as on time (the dispatcher may be a
# pass behind, or restarting); past that it is missed and the catch-up policy decides.
DEFAULT_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class TimingSpec:
    """When a schedule runs.

    `max_running` is how many occurrences may be queued or running at once before the overlap
    policy applies (one by default).
    """

    rule: Rule
    starts_at: datetime
    ends_at: datetime | None = None
    enabled: bool = True
    max_runs: int | None = None
    catch_up: CatchUp = CatchUp.SKIP
    overlap: Overlap = Overlap.SKIP
    max_running: int = 1

    def __post_init__(self) -> None:
        for name in ("starts_at", "ends_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware")
        object.__setattr__(self, "starts_at", self.starts_at.astimezone(UTC))
        if self.ends_at is not None:
            object.__setattr__(self, "ends_at", self.ends_at.astimezone(UTC))
