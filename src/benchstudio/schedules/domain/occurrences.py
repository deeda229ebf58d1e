"""The occurrences of a timing spec, as UTC instants: both rule kinds behind one small API.

Bounds are the spec's own: nothing before `starts_at`, nothing after `ends_at`. Whether a
schedule is enabled, and how many runs it has had, is `due`'s business, not this module's.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from datetime import datetime

from benchstudio.schedules.domain.cron_zone import ZonedCron
from benchstudio.schedules.domain.timing import CronRule, IntervalRule, TimingSpec

# Counting the occurrences of a long cron outage walks them one by one; past this many the
# count is reported as unknown (None) rather than spending a dispatcher pass on it.
COUNT_LIMIT = 1000


@functools.lru_cache(maxsize=1024)
def _cron(rule: CronRule) -> ZonedCron:
    return ZonedCron.of(rule.expression, rule.timezone)


def _within_end(spec: TimingSpec, moment: datetime) -> bool:
    return spec.ends_at is None or moment <= spec.ends_at


def at_or_after(spec: TimingSpec, moment: datetime) -> Iterator[datetime]:
    """Occurrences at or after `moment`, strictly increasing, ending at `ends_at`."""
    start = max(moment, spec.starts_at)
    if isinstance(spec.rule, IntervalRule):
        period = spec.rule.period
        k = -((spec.starts_at - start) // period)  # first k: starts_at + k × period ≥ start
        found: Iterator[datetime] = (spec.starts_at + i * period for i in itertools.count(k))
    else:
        found = _cron(spec.rule).at_or_after(start)
    return itertools.takewhile(lambda at: _within_end(spec, at), found)


def first_at_or_after(spec: TimingSpec, moment: datetime) -> datetime | None:
    return next(at_or_after(spec, moment), None)


def latest_at_or_before(spec: TimingSpec, moment: datetime) -> datetime | None:
    """The last occurrence at or before `moment` (and within the spec's bounds)."""
    if spec.ends_at is not None:
        moment = min(moment, spec.ends_at)
    if moment < spec.starts_at:
        return None
    if isinstance(spec.rule, IntervalRule):
        period = spec.rule.period
        return spec.starts_at + ((moment - spec.starts_at) // period) * period
    found = _cron(spec.rule).at_or_before(moment)
    return found if found is not None and found >= spec.starts_at else None


def count_between(spec: TimingSpec, first: datetime, last: datetime) -> int | None:
    """How many occurrences lie in [first, last]; None when a cron walk passes COUNT_LIMIT."""
    if last < first:
        return 0
    if isinstance(spec.rule, IntervalRule):
        low = first_at_or_after(spec, first)
        high = latest_at_or_before(spec, last)
        if low is None or high is None or high < low:
            return 0
        return (high - low) // spec.rule.period + 1
    walk = itertools.takewhile(lambda at: at <= last, at_or_after(spec, first))
    counted = sum(1 for _ in itertools.islice(walk, COUNT_LIMIT + 1))
    return None if counted > COUNT_LIMIT else counted


def next_occurrences(spec: TimingSpec, after: datetime, count: int) -> list[datetime]:
    """The next `count` occurrences strictly after `after` (the editor's preview), in UTC."""
    if count <= 0:
        return []
    found = at_or_after(spec, after)
    return list(itertools.islice((at for at in found if at > after), count))
