"""Cron rules in a time zone across DST changes: a missing local time runs once, at the moment
the clocks jump; an ambiguous one runs once, at its first instant. Expected instants are worked
out by hand from the 2026 transitions:

- Europe/London: 01:00 GMT → 02:00 BST on 29 March (01:00Z); 02:00 BST → 01:00 GMT on
  25 October (01:00Z).
- America/New_York: 02:00 EST → 03:00 EDT on 8 March (07:00Z); 02:00 EDT → 01:00 EST on
  1 November (06:00Z).
- Australia/Lord_Howe (a 30-minute shift): 02:00 (+11) → 01:30 (+10:30) on 5 April (15:00Z,
  4 April); 02:00 (+10:30) → 02:30 (+11) on 4 October (15:30Z, 3 October).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchstudio.schedules.domain import CronRule, TimingSpec, next_occurrences
from benchstudio.schedules.schemas import OccurrenceOut


def _z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _next(expression: str, zone: str, after: str, count: int) -> list[str]:
    spec = TimingSpec(CronRule(expression, zone), starts_at=_z("2026-01-01T00:00"))
    return [f"{at:%m-%d %H:%M}" for at in next_occurrences(spec, _z(after), count)]


@pytest.mark.parametrize(
    ("expression", "zone", "after", "expected"),
    [
        # 01:30 does not exist on 29 March: it runs at 02:00 BST, the moment the clocks jump.
        (
            "30 1 * * *",
            "Europe/London",
            "2026-03-27T12:00",
            ["03-28 01:30", "03-29 01:00", "03-30 00:30"],
        ),
        # 02:30 does not exist on 8 March in New York: 03:00 EDT.
        (
            "30 2 * * *",
            "America/New_York",
            "2026-03-06T12:00",
            ["03-07 07:30", "03-08 07:00", "03-09 06:30"],
        ),
        # 02:15 does not exist on Lord Howe on 4 October: 02:30 (+11), the jump.
        (
            "15 2 * * *",
            "Australia/Lord_Howe",
            "2026-10-02T00:00",
            ["10-02 15:45", "10-03 15:30", "10-04 15:15"],
        ),
    ],
)
def test_a_missing_local_time_runs_once_when_the_clocks_jump(
    expression: str, zone: str, after: str, expected: list[str]
) -> None:
    assert _next(expression, zone, after, 3) == expected


@pytest.mark.parametrize(
    ("expression", "zone", "after", "expected"),
    [
        # 01:30 happens twice on 25 October; it runs at the first, 01:30 BST (00:30Z).
        (
            "30 1 * * *",
            "Europe/London",
            "2026-10-23T12:00",
            ["10-24 00:30", "10-25 00:30", "10-26 01:30"],
        ),
        (
            "30 1 * * *",
            "America/New_York",
            "2026-10-30T12:00",
            ["10-31 05:30", "11-01 05:30", "11-02 06:30"],
        ),
        # 01:45 happens twice on Lord Howe on 5 April, 30 minutes apart: first at +11.
        (
            "45 1 * * *",
            "Australia/Lord_Howe",
            "2026-04-03T00:00",
            ["04-03 14:45", "04-04 14:45", "04-05 15:15"],
        ),
    ],
)
def test_an_ambiguous_local_time_runs_once_at_its_first_instant(
    expression: str, zone: str, after: str, expected: list[str]
) -> None:
    assert _next(expression, zone, after, 3) == expected


def test_an_hourly_rule_runs_once_per_local_hour_when_the_clocks_spring_forward() -> None:
    # 00:30 GMT, then 01:30 (missing) at the 02:00 BST jump, then 02:30 BST, 03:30 BST.
    # cronsim's zone-aware mode would leave out the missing 01:30 altogether.
    assert _next("30 * * * *", "Europe/London", "2026-03-29T00:00", 4) == [
        "03-29 00:30",
        "03-29 01:00",
        "03-29 01:30",
        "03-29 02:30",
    ]


def test_an_hourly_rule_runs_once_per_local_hour_when_the_clocks_fall_back() -> None:
    # 00:00 EDT, 01:00 EDT, (01:00 EST is the same local time: not again), 02:00 EST.
    # cronsim's zone-aware mode would run 01:00 twice.
    assert _next("0 * * * *", "America/New_York", "2026-11-01T03:59", 4) == [
        "11-01 04:00",
        "11-01 05:00",
        "11-01 07:00",
        "11-01 08:00",
    ]


def test_several_missing_times_collapse_into_one_run_at_the_jump() -> None:
    # Every 15 minutes: 01:00, 01:15, 01:30, 01:45 and 02:00 local all map to 01:00Z, once.
    assert _next("*/15 * * * *", "Europe/London", "2026-03-29T00:30", 3) == [
        "03-29 00:45",
        "03-29 01:00",
        "03-29 01:15",
    ]


def test_a_thirty_minute_shift_back_and_forth_on_lord_howe() -> None:
    # Every 20 minutes across the April fall-back: 01:40 (+11) is not repeated at +10:30.
    assert _next("*/20 * * * *", "Australia/Lord_Howe", "2026-04-04T14:10", 4) == [
        "04-04 14:20",
        "04-04 14:40",
        "04-04 15:30",
        "04-04 15:50",
    ]
    # Across the October spring-forward: 02:00 and 02:20 are missing, one run at 02:30 (+11).
    assert _next("*/20 * * * *", "Australia/Lord_Howe", "2026-10-03T15:05", 3) == [
        "10-03 15:10",
        "10-03 15:30",
        "10-03 15:40",
    ]


def test_the_preview_keeps_the_local_time_across_a_dst_change_and_shows_both_forms() -> None:
    spec = TimingSpec(CronRule("0 9 * * *", "Europe/London"), starts_at=_z("2026-01-01T00:00"))
    found = next_occurrences(spec, _z("2026-03-27T12:00"), 3)
    shown = [OccurrenceOut.of(at, "Europe/London").model_dump(mode="json") for at in found]
    assert shown == [
        {
            "utc": "2026-03-28T09:00:00Z",
            "local": "2026-03-28T09:00:00Z",
            "timezone": "Europe/London",
        },
        {
            "utc": "2026-03-29T08:00:00Z",
            "local": "2026-03-29T09:00:00+01:00",
            "timezone": "Europe/London",
        },
        {
            "utc": "2026-03-30T08:00:00Z",
            "local": "2026-03-30T09:00:00+01:00",
            "timezone": "Europe/London",
        },
    ]


def test_the_preview_in_another_viewers_zone() -> None:
    spec = TimingSpec(CronRule("0 9 * * MON", "Europe/London"), starts_at=_z("2026-01-01T00:00"))
    (first,) = next_occurrences(spec, _z("2026-06-01T00:00"), 1)
    assert OccurrenceOut.of(first, "America/New_York").model_dump(mode="json")["local"] == (
        "2026-06-01T04:00:00-04:00"
    )
