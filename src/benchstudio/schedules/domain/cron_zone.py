"""Cron expressions read in an IANA time zone, turned into UTC instants with our DST rules.

cronsim (ADR 0014) matches the expression against naive wall-clock times, a pure calendar
walk; this module maps each matching wall-clock time to one instant:

- a wall-clock time that does not exist (the clocks jumped over it) runs once, at the next
  valid instant: the moment the clocks jump;
- an ambiguous wall-clock time (the clocks fell back over it) runs once, at its first instant.

Several missing wall-clock times map to the same jump instant; they run once. cronsim's own
zone-aware mode differs for expressions with `*` in the minute or hour field (it skips missing
times and runs ambiguous ones twice), which is why it gets naive times only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from cronsim import CronSim, CronSimError

# Wider than any DST change (2 hours at most), so a walk that starts this far before an instant
# meets every wall-clock time that maps onto or after it.
_SLACK = timedelta(hours=3)
_ONE_SECOND = timedelta(seconds=1)

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
_FIELD_HELP = {
    "minute": "0-59",
    "hour": "0-23",
    "day-of-month": "1-31 (or L for the last day)",
    "month": "1-12 or JAN-DEC",
    "day-of-week": "0-7 or SUN-SAT (0 and 7 are Sunday)",
}


class CronExpressionError(ValueError):
    """The expression cannot be read; the message says what is wrong, for a person."""


# Found on the zone path but not places: the machine's own setting, a file of rules, and the
# IANA placeholder for "zone not yet set".
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_PLACES


@functools.cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError for anything else (no `localtime`, no paths)."""
    if name not in known_zones():
        raise ValueError(f"unknown time zone {name!r}")
    return ZoneInfo(name)


def normalize(expression: str) -> str:
    """The five-field form of `expression` (macros expanded, whitespace collapsed), or
    CronExpressionError saying which part is wrong."""
    text = " ".join(expression.split())
    if text.startswith("@"):
        if text.lower() not in MACROS:
            names = ", ".join(MACROS)
            raise CronExpressionError(f"unknown shortcut {text!r}: use one of {names}")
        return MACROS[text.lower()]
    fields = text.split(" ") if text else []
    if len(fields) != len(FIELDS):
        raise CronExpressionError(
            f"a cron expression has 5 fields (minute hour day-of-month month day-of-week), "
            f"this one has {len(fields)}"
        )
    try:
        CronSim(text, datetime(2000, 1, 1))
    except CronSimError as error:
        raise CronExpressionError(_explain(str(error), fields)) from None
    return text


def _explain(message: str, fields: list[str]) -> str:
    if message == "Bad day-of-month" and _parses([*fields[:3], "*", *fields[4:]]):
        return f"day {fields[2]!r} never occurs in month {fields[3]!r}"
    for index, name in enumerate(FIELDS):
        if message == f"Bad {name}":
            return (
                f"the {name} field {fields[index]!r} is not valid: use {_FIELD_HELP[name]}, "
                f"a list (1,15), a range (1-5) or a step (*/10)"
            )
    return f"the expression cannot be read ({message})"


def _parses(fields: list[str]) -> bool:
    try:
        CronSim(" ".join(fields), datetime(2000, 1, 1))
    except CronSimError:
        return False
    return True


@dataclass(frozen=True)
class ZonedCron:
    """A normalized expression in a zone: walks its occurrences as UTC instants."""

    expression: str
    tz: ZoneInfo

    @classmethod
    def of(cls, expression: str, timezone: str) -> ZonedCron:
        return cls(normalize(expression), zone(timezone))

    def instant(self, wall: datetime) -> datetime:
        """The one UTC instant a naive wall-clock time runs at (the DST rules above)."""
        first = wall.replace(tzinfo=self.tz, fold=0).astimezone(UTC)
        if first.astimezone(self.tz).replace(tzinfo=None) == wall:
            return first  # exists; fold=0 is the first of two when ambiguous
        return self._jump_after(wall)

    def _jump_after(self, wall: datetime) -> datetime:
        """The first instant whose wall-clock time is past `wall` (which the clocks skipped)."""
        low = wall.replace(tzinfo=self.tz, fold=1).astimezone(UTC)  # before the jump
        high = wall.replace(tzinfo=self.tz, fold=0).astimezone(UTC)  # after it
        low_s, high_s = int(low.timestamp()), int(high.timestamp())
        while high_s - low_s > 1:
            middle = (low_s + high_s) // 2
            local = datetime.fromtimestamp(middle, self.tz).replace(tzinfo=None)
            if local > wall:
                high_s = middle
            else:
                low_s = middle
        return datetime.fromtimestamp(high_s, UTC)

    def _wall(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz).replace(tzinfo=None)

    def at_or_after(self, start: datetime) -> Iterator[datetime]:
        """Occurrences at or after `start`, strictly increasing, each at most once."""
        walk = CronSim(self.expression, self._wall(start) - _SLACK - _ONE_SECOND)
        previous: datetime | None = None
        for wall in walk:
            moment = self.instant(wall)
            if moment < start or (previous is not None and moment <= previous):
                continue
            previous = moment
            yield moment

    def at_or_before(self, end: datetime) -> datetime | None:
        """The latest occurrence at or before `end`, or None within cronsim's 50-year reach."""
        walk = CronSim(self.expression, self._wall(end) + _SLACK + _ONE_SECOND, reverse=True)
        for wall in walk:
            moment = self.instant(wall)
            if moment <= end:
                return moment
        return None
