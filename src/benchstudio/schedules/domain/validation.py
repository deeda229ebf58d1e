"""What is wrong with a timing spec, in words for a 422: one problem per field at most.

`min_interval` is the administrator's minimum time between two runs. A cron expression is held
to it as well, on its wall-clock times (so a DST change does not make an hourly rule "too
frequent"): its closest two occurrences over a sample of them must be that far apart.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from cronsim import CronSim

from benchstudio.schedules.domain.cron_zone import CronExpressionError, normalize, zone
from benchstudio.schedules.domain.timing import CronRule, IntervalRule, TimingSpec

# The longest interval: a run a year apart is the most a schedule is for.
MAX_INTERVAL = timedelta(days=366)
# Wall-clock occurrences sampled for a cron rule's closest gap: a day of a rule with more runs
# than this has gaps shorter than 15 minutes, which the sample meets anyway.
GAP_SAMPLE = 200


@dataclass(frozen=True)
class SpecProblem:
    field: str  # the input field at fault, as the API names it
    code: str
    message: str


def describe(span: timedelta) -> str:
    """`span` in words: 90 minutes → "1 hour 30 minutes"."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) if words else f"{int(span.total_seconds())} seconds"


def cron_problem(expression: str) -> str | None:
    try:
        normalize(expression)
    except CronExpressionError as error:
        return str(error)
    return None


def timezone_problem(name: str) -> str | None:
    try:
        zone(name)
    except ValueError:
        return f"unknown time zone {name!r}: use an IANA name such as Europe/London or UTC"
    return None


def wall_times(expression: str, start: datetime, count: int = GAP_SAMPLE) -> list[datetime]:
    """The first `count` wall-clock times (naive) the expression matches from `start`; fewer
    when cronsim finds no match within 50 years of the previous one."""
    return list(itertools.islice(CronSim(normalize(expression), start), count))


def closest_gap(times: list[datetime]) -> timedelta | None:
    """The shortest gap between consecutive times; None when fewer than two."""
    return min((b - a for a, b in itertools.pairwise(times)), default=None)


def spec_problems(spec: TimingSpec, min_interval: timedelta) -> list[SpecProblem]:
    """Every problem with `spec` (empty when it is valid)."""
    problems = _rule_problems(spec, min_interval)
    if spec.ends_at is not None and spec.ends_at <= spec.starts_at:
        problems.append(
            SpecProblem("ends_at", "end_before_start", "the end must come after the start")
        )
    if spec.max_runs is not None and spec.max_runs < 1:
        problems.append(SpecProblem("max_runs", "max_runs", "the maximum of runs is at least 1"))
    if spec.max_running < 1:
        problems.append(
            SpecProblem("max_running", "max_running", "at least one occurrence may run at once")
        )
    return problems


def _rule_problems(spec: TimingSpec, min_interval: timedelta) -> list[SpecProblem]:
    rule = spec.rule
    if isinstance(rule, IntervalRule):
        return _interval_problems(rule, min_interval)
    return _cron_problems(rule, spec.starts_at, min_interval)


def _interval_problems(rule: IntervalRule, min_interval: timedelta) -> list[SpecProblem]:
    if rule.every < 1:
        return [SpecProblem("every", "interval_not_positive", "the interval is at least 1")]
    if rule.period < min_interval:
        message = (
            f"every {describe(rule.period)} is more often than allowed: "
            f"the minimum interval is {describe(min_interval)}"
        )
        return [SpecProblem("every", "interval_below_minimum", message)]
    if rule.period > MAX_INTERVAL:
        message = f"the interval is at most {describe(MAX_INTERVAL)}"
        return [SpecProblem("every", "interval_too_long", message)]
    return []


def _cron_problems(rule: CronRule, starts_at: datetime, floor: timedelta) -> list[SpecProblem]:
    problems = []
    zone_problem = timezone_problem(rule.timezone)
    if zone_problem:
        problems.append(SpecProblem("timezone", "unknown_timezone", zone_problem))
    expression_problem = cron_problem(rule.expression)
    if expression_problem:
        problems.append(SpecProblem("cron", "invalid_cron", expression_problem))
        return problems
    times = wall_times(rule.expression, starts_at.replace(tzinfo=None))
    if not times:
        problems.append(SpecProblem("cron", "cron_never_runs", "this expression never runs"))
    gap = closest_gap(times)
    if gap is not None and gap < floor:
        message = (
            f"this expression runs every {describe(gap)} at its closest, more often than "
            f"allowed: the minimum interval is {describe(floor)}"
        )
        problems.append(SpecProblem("cron", "interval_below_minimum", message))
    return problems
