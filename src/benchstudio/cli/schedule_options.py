"""From `benchstudio schedule` options to the bodies the schedule routes take: the timing
(`--every 30m` or `--cron EXPR --timezone Z`, start, end, bounds, policies), the run's
configuration (a JSON or YAML file, or an eval built from `--suite` and `--model`), and the
changes `update` sends. No server calls here; the server checks everything again (422)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer

_SPAN = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*$")
_UNITS = {
    "s": "seconds", "sec": "seconds", "second": "seconds", "seconds": "seconds",
    "m": "minutes", "min": "minutes", "minute": "minutes", "minutes": "minutes",
    "h": "hours", "hour": "hours", "hours": "hours",
    "d": "days", "day": "days", "days": "days",
}  # fmt: skip


def _span(text: str, hint: str) -> tuple[int, str]:
    match = _SPAN.match(text.lower())
    unit = _UNITS.get(match.group(2)) if match else None
    if match is None or unit is None or int(match.group(1)) < 1:
        raise typer.BadParameter(
            f"write a number and a unit (30m, 6h, 1d), got {text!r}", param_hint=hint
        )
    return int(match.group(1)), unit


def interval_rule(every: str) -> dict[str, Any]:
    """`--every 30m|6h|1d` → `{"kind": "interval", "every": 30, "unit": "minutes"}`."""
    count, unit = _span(every, "--every")
    if unit == "seconds":
        raise typer.BadParameter("the shortest unit is minutes (30m)", param_hint="--every")
    return {"kind": "interval", "every": count, "unit": unit}


def instant(text: str, zone: str, hint: str, now: datetime | None = None) -> str:
    """An ISO 8601 instant for the server: `now`, `+10m` (from now), or a date and time; one
    without an offset is read in `zone` (the machine's or `--timezone`)."""
    moment = now or datetime.now(UTC)
    value = text.strip()
    if value.lower() == "now":
        return moment.replace(microsecond=0).isoformat()
    if value.startswith("+"):
        count, unit = _span(value[1:], hint)
        return (moment + timedelta(**{unit: count})).replace(microsecond=0).isoformat()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"write now, +10m or a date and time (2026-12-08T09:00), got {text!r}",
            param_hint=hint,
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.isoformat()


def read_config(path: Path, hint: str) -> dict[str, Any]:
    """A run configuration file: JSON, or YAML (`.yaml`/`.yml`), holding one object."""
    import yaml  # only when a file is read: the CLI starts without it

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=hint) from None
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise typer.BadParameter(f"{path} is not valid: {exc}", param_hint=hint) from None
    if not isinstance(data, dict):
        raise typer.BadParameter(f"{path} must hold one object", param_hint=hint)
    return data


@dataclass(frozen=True)
class TimingOptions:
    """The timing flags as given (None: not given)."""

    every: str | None = None
    cron: str | None = None
    timezone: str | None = None
    start: str | None = None
    end: str | None = None
    max_runs: int | None = None
    catch_up: str | None = None
    overlap: str | None = None

    def given(self) -> bool:
        return any(value is not None for value in vars(self).values())


def _rule(options: TimingOptions, zone: str) -> dict[str, Any] | None:
    if options.every is not None and options.cron is not None:
        raise typer.BadParameter("give --every or --cron, not both", param_hint="--every")
    if options.every is not None:
        return interval_rule(options.every)
    if options.cron is not None:
        return {"kind": "cron", "cron": options.cron, "timezone": zone}
    return None


def timing_body(
    options: TimingOptions,
    zone: str,
    current: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The `timing` to send: `current` (a saved schedule's, for update) with the flags given
    applied over it; a new one needs a rule and starts now unless `--start` says when."""
    timing = dict(current or {})
    timing.pop("enabled", None)  # `enable` / `disable` switch a schedule, not an update
    rule = _rule(options, zone)
    if rule is None and options.timezone is not None and timing.get("rule", {}).get("cron"):
        rule = {**timing["rule"], "timezone": zone}  # a cron rule moved to another zone
    if rule is not None:
        timing["rule"] = rule
    if "rule" not in timing:
        raise typer.BadParameter("give --every 1h or --cron EXPR", param_hint="--every")
    if options.start is not None or "starts_at" not in timing:
        timing["starts_at"] = instant(options.start or "now", zone, "--start", now)
    if options.end is not None:
        timing["ends_at"] = None if options.end == "" else instant(options.end, zone, "--end", now)
    if options.max_runs is not None:
        timing["max_runs"] = options.max_runs or None  # 0: no maximum
    if options.catch_up is not None:
        timing["catch_up"] = options.catch_up
    if options.overlap is not None:
        timing["overlap"] = options.overlap
    return timing


def run_configuration(
    bench: Path | None, eval_file: Path | None, suite_eval: dict[str, Any] | None
) -> tuple[str, dict[str, Any]] | None:
    """(kind, body) from `--bench FILE`, `--eval FILE` or the eval `--suite`/`--model` build;
    None when none was given; more than one is refused."""
    given = [
        ("benchmark", read_config(bench, "--bench")) if bench else None,
        ("eval", read_config(eval_file, "--eval")) if eval_file else None,
        ("eval", suite_eval) if suite_eval is not None else None,
    ]
    found = [g for g in given if g is not None]
    if len(found) > 1:
        raise typer.BadParameter(
            "give one of --bench FILE, --eval FILE or --suite with --model", param_hint="--bench"
        )
    return found[0] if found else None


def model_spec(spec: str) -> tuple[str, str]:
    """`PROVIDER=MODEL` (provider name or id)."""
    provider, sep, model = spec.partition("=")
    if not sep or not provider.strip() or not model.strip():
        raise typer.BadParameter(f"write PROVIDER=MODEL, got {spec!r}", param_hint="--model")
    return provider.strip(), model.strip()
