"""Bad timing input gets a message that says what is wrong (the 422s of issue 22)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from benchstudio.core.errors import AppError
from benchstudio.schedules.domain import (
    CronRule,
    IntervalRule,
    IntervalUnit,
    SpecProblem,
    TimingSpec,
    spec_problems,
)
from benchstudio.schedules.schemas import NextQuery, TimingIn

START = datetime(2026, 1, 1, tzinfo=UTC)
FORMS = "a list (1,15), a range (1-5) or a step (*/10)"
FIVE = "a cron expression has 5 fields (minute hour day-of-month month day-of-week)"
SHORTCUTS = "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly"


def _cron_problems(expression: str, zone: str = "UTC", floor_minutes: int = 1) -> list[str]:
    spec = TimingSpec(CronRule(expression, zone), starts_at=START)
    return [p.message for p in spec_problems(spec, timedelta(minutes=floor_minutes))]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "61 * * * *",
            f"the minute field '61' is not valid: use 0-59, {FORMS}",
        ),
        (
            "0 24 * * *",
            f"the hour field '24' is not valid: use 0-23, {FORMS}",
        ),
        (
            "0 9 * 13 *",
            f"the month field '13' is not valid: use 1-12 or JAN-DEC, {FORMS}",
        ),
        (
            "0 9 * * FUNDAY",
            "the day-of-week field 'FUNDAY' is not valid: "
            f"use 0-7 or SUN-SAT (0 and 7 are Sunday), {FORMS}",
        ),
        (
            "0 9 * *",
            f"{FIVE}, this one has 4",
        ),
        (
            "0 0 9 * * *",
            f"{FIVE}, this one has 6",
        ),
        ("0 0 30 2 *", "day '30' never occurs in month '2'"),
        (
            "@reboot",
            f"unknown shortcut '@reboot': use one of {SHORTCUTS}",
        ),
    ],
)
def test_an_invalid_cron_expression_says_what_is_wrong(expression: str, message: str) -> None:
    assert _cron_problems(expression) == [message]


def test_shortcuts_and_names_are_accepted() -> None:
    for expression in ("@daily", "@hourly", "0 9 * * MON-FRI", "0 0 L * *", "0 9 * * MON#1"):
        assert _cron_problems(expression) == []


def test_an_unknown_time_zone_is_named() -> None:
    assert _cron_problems("0 9 * * *", "Europe/Atlantis") == [
        "unknown time zone 'Europe/Atlantis': use an IANA name such as Europe/London or UTC"
    ]
    assert _cron_problems("0 9 * * *", "localtime") != []  # a file name, not an IANA zone


def test_an_interval_below_the_admins_minimum_is_refused_with_both_figures() -> None:
    spec = TimingSpec(IntervalRule(5, IntervalUnit.MINUTES), starts_at=START)
    assert spec_problems(spec, timedelta(minutes=15)) == [
        SpecProblem(
            "every",
            "interval_below_minimum",
            "every 5 minutes is more often than allowed: the minimum interval is 15 minutes",
        )
    ]
    assert spec_problems(spec, timedelta(minutes=5)) == []


def test_a_cron_rule_is_held_to_the_minimum_by_its_closest_two_runs() -> None:
    # Twice an hour, 10 minutes apart at :00 and :10.
    assert _cron_problems("0,10 * * * *", floor_minutes=60) == [
        "this expression runs every 10 minutes at its closest, more often than allowed: "
        "the minimum interval is 1 hour"
    ]
    # Hourly stays hourly on the wall clock, DST or not.
    assert _cron_problems("0 * * * *", "Europe/London", floor_minutes=60) == []


def test_end_before_start_is_refused() -> None:
    spec = TimingSpec(
        IntervalRule(1, IntervalUnit.DAYS), starts_at=START, ends_at=START - timedelta(days=1)
    )
    assert [p.code for p in spec_problems(spec, timedelta(minutes=1))] == ["end_before_start"]


def _body(**changes: Any) -> dict[str, Any]:
    return (
        {"rule": {"kind": "cron", "cron": "0 9 * * *", "timezone": "Europe/London"}}
        | {"starts_at": "2026-01-01T00:00:00Z"}
        | changes
    )


def _errors(body: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, str]]:
    with pytest.raises(ValidationError) as caught:
        TimingIn.model_validate(body)
    return [(e["loc"], e["type"], e["msg"]) for e in caught.value.errors()]


def test_the_input_shape_names_the_field_at_fault() -> None:
    body = _body(rule={"kind": "cron", "cron": "0 25 * * *", "timezone": "Mars/Olympus"})
    assert _errors(body) == [
        (
            ("rule", "cron", "cron"),
            "invalid_cron",
            f"the hour field '25' is not valid: use 0-23, {FORMS}",
        ),
        (
            ("rule", "cron", "timezone"),
            "unknown_timezone",
            "unknown time zone 'Mars/Olympus': use an IANA name such as Europe/London or UTC",
        ),
    ]


def test_the_input_shape_refuses_an_end_before_the_start_and_a_naive_start() -> None:
    assert _errors(_body(ends_at="2025-12-31T00:00:00Z")) == [
        ((), "end_before_start", "the end must come after the start")
    ]
    assert _errors(_body(starts_at="2026-01-01T00:00:00"))[0][1] == "timezone_aware"


def test_the_admins_minimum_is_a_422_in_the_validation_envelope() -> None:
    timing = TimingIn.model_validate(
        _body(rule={"kind": "interval", "every": 2, "unit": "minutes"})
    )
    with pytest.raises(AppError) as caught:
        timing.check(timedelta(minutes=10))
    error = caught.value
    assert (error.status_code, error.code) == (422, "validation_error")
    assert error.details == [
        {
            "loc": ["body", "rule", "interval", "every"],
            "msg": "every 2 minutes is more often than allowed: the minimum interval is 10 minutes",
            "type": "interval_below_minimum",
        }
    ]


def test_a_valid_input_becomes_the_domain_spec() -> None:
    timing = TimingIn.model_validate(
        _body(rule={"kind": "cron", "cron": "  0  9 * *   MON ", "timezone": "Europe/London"})
    )
    spec = timing.check(timedelta(hours=1))
    assert spec.rule == CronRule("0 9 * * MON", "Europe/London")
    assert spec.starts_at == START


def test_the_preview_query_checks_the_viewers_zone() -> None:
    assert NextQuery.model_validate({"count": 3, "timezone": "Asia/Kolkata"}).count == 3
    with pytest.raises(ValidationError, match="unknown time zone 'Asia/Atlantis'"):
        NextQuery.model_validate({"timezone": "Asia/Atlantis"})
    with pytest.raises(ValidationError):
        NextQuery.model_validate({"count": 51})
