"""Runs in the next 30 days (the editor's per-month figure): exact for intervals and for cron
rules up to the walk limit, extrapolated from the first occurrences past it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from benchstudio.schedules.domain import CronRule, IntervalRule, IntervalUnit, TimingSpec
from benchstudio.schedules.service.estimate import MONTH, runs_in

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_intervals_and_short_cron_walks_are_exact() -> None:
    hourly = TimingSpec(IntervalRule(1, IntervalUnit.HOURS), starts_at=START)
    assert runs_in(hourly, START, MONTH) == 720
    ending = TimingSpec(
        IntervalRule(1, IntervalUnit.DAYS), starts_at=START, ends_at=START + timedelta(days=9)
    )
    assert runs_in(ending, START, MONTH) == 10  # the end date's occurrence included
    nightly = TimingSpec(CronRule("0 2 * * *", "Europe/London"), starts_at=START)
    assert runs_in(nightly, START, MONTH) == 30


def test_a_frequent_cron_rule_is_counted_by_its_rate() -> None:
    minutely = TimingSpec(CronRule("* * * * *", "UTC"), starts_at=START)
    assert abs(runs_in(minutely, START, MONTH) - 30 * 1440) <= 50
    weekdays = TimingSpec(CronRule("*/5 9-17 * * MON-FRI", "UTC"), starts_at=START)
    # 108 a weekday, 22 weekdays from 1 January 2026: the first 1,000 span 9-10 weekdays.
    assert 2000 <= runs_in(weekdays, START, MONTH) <= 3200
