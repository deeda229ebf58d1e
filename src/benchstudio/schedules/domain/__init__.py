"""The pure timing core of schedules: specs, occurrences in time zones, `due(state, now)`.

No database, no web and no clock: the caller passes `now`.
"""

from benchstudio.schedules.domain.cron_zone import CronExpressionError, ZonedCron
from benchstudio.schedules.domain.due import (
    Dispatch,
    DueDecision,
    Finished,
    ScheduleState,
    Skip,
    SkipReason,
    due,
    occurrence_ended,
    record,
    resume,
)
from benchstudio.schedules.domain.occurrences import next_occurrences
from benchstudio.schedules.domain.timing import (
    DEFAULT_GRACE,
    CatchUp,
    CronRule,
    IntervalRule,
    IntervalUnit,
    Overlap,
    Rule,
    TimingSpec,
)
from benchstudio.schedules.domain.validation import SpecProblem, spec_problems

__all__ = [
    "DEFAULT_GRACE",
    "CatchUp",
    "CronExpressionError",
    "CronRule",
    "Dispatch",
    "DueDecision",
    "Finished",
    "IntervalRule",
    "IntervalUnit",
    "Overlap",
    "Rule",
    "ScheduleState",
    "Skip",
    "SkipReason",
    "SpecProblem",
    "TimingSpec",
    "ZonedCron",
    "due",
    "next_occurrences",
    "occurrence_ended",
    "record",
    "resume",
    "spec_problems",
]
