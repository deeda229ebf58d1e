"""How `benchstudio schedule` prints schedules: the list, one schedule (rule in words, state,
bounds), its next occurrences (the viewer's zone and UTC, as the server computed them), the
cost estimate, the occurrence log, alerts and rules, and notifications. Times come from the
server as ISO 8601 and are shown as they are, so what you read is what the API said."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

_UNIT_ONE = {"minutes": "minute", "hours": "hour", "days": "day"}
METRIC_NAMES = {
    "ttft_p50": "TTFT p50 (ms)",
    "ttft_p95": "TTFT p95 (ms)",
    "output_tps": "output tokens/s",
    "error_rate": "error rate",
    "cost": "cost per request (USD)",
    "score": "tool-eval score",
}


def rule_words(timing: dict[str, Any]) -> str:
    rule = timing["rule"]
    if rule["kind"] == "interval":
        every, unit = int(rule["every"]), str(rule["unit"])
        return f"every {_UNIT_ONE.get(unit, unit)}" if every == 1 else f"every {every} {unit}"
    return f"cron {rule['cron']} ({rule['timezone']})"


def status_words(schedule: dict[str, Any]) -> str:
    if schedule.get("finished"):
        return f"finished ({schedule['finished'].replace('_', ' ')})"
    if schedule.get("paused_reason"):
        return f"paused: {schedule['paused_reason']}"
    return "enabled" if schedule["enabled"] else "disabled"


def when(value: str | None, zone: str) -> str:
    """An instant from the server in `zone`, e.g. `2026-12-08 09:00:00+01:00`."""
    if value is None:
        return "–"
    instant = datetime.fromisoformat(value.replace("Z", "+00:00")).replace(microsecond=0)
    return instant.astimezone(ZoneInfo(zone)).isoformat(sep=" ")


def money(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.4f}"


def print_list(page: dict[str, Any], zone: str, console: Console) -> None:
    items = page["items"]
    if not items:
        console.print(
            "No schedules. Create one with `benchstudio schedule create --name N "
            "--bench CONFIG.json --every 1h --server URL`."
        )
        return
    table = Table("id", "name", "kind", "rule", f"next due ({zone})", "last run", "status")
    for s in items:
        table.add_row(
            s["id"], escape(s["name"]), s["kind"], escape(rule_words(s["timing"])),
            when(s["next_due_at"], zone), when(s["last_occurrence_at"], zone),
            escape(status_words(s)),
        )  # fmt: skip
    console.print(table)
    shown = page["offset"] + len(items)
    if shown < page["total"]:
        console.print(f"[dim]{shown} of {page['total']}; more with --offset {shown}[/]")


def print_schedule(schedule: dict[str, Any], zone: str, console: Console, verb: str = "") -> None:
    timing = schedule["timing"]
    head = f"{verb} " if verb else ""
    console.print(
        f"{head}[bold]{escape(schedule['name'])}[/] (id {schedule['id']}) · {schedule['kind']} · "
        f"{escape(rule_words(timing))}"
    )
    console.print(f"status: {escape(status_words(schedule))}")
    console.print(
        f"starts: {when(timing['starts_at'], zone)}   ends: {when(timing.get('ends_at'), zone)}"
    )
    runs = f"{schedule['runs_so_far']}"
    if timing.get("max_runs"):
        runs += f" of at most {timing['max_runs']}"
    console.print(
        f"runs so far: {runs} · catch-up: {timing['catch_up']} · overlap: {timing['overlap']} · "
        f"pause after {schedule['pause_after_failures']} failures "
        f"({schedule['consecutive_failures']} now)"
    )
    budget = schedule.get("monthly_budget_usd")
    console.print(f"monthly budget: {'none' if budget is None else money(budget)}")
    console.print(
        f"last run: {when(schedule['last_occurrence_at'], zone)} · "
        f"next due: {when(schedule['next_due_at'], zone)}"
    )


def print_next(found: dict[str, Any], console: Console) -> None:
    items = found["items"]
    if not items:
        console.print("No coming occurrences (ended, finished or disabled).")
        return
    table = Table("#", f"local ({found['timezone']})", "UTC", title="next occurrences")
    for number, item in enumerate(items, 1):
        table.add_row(str(number), item["local"], item["utc"])
    console.print(table)


def print_estimate(estimate: dict[str, Any], console: Console) -> None:
    console.print(
        f"cost per run: {money(estimate['cost_per_run_usd'])} · runs in the next 30 days: "
        f"{estimate['runs_per_month']} · per month: {money(estimate['cost_per_month_usd'])}"
    )
    budget = estimate.get("monthly_budget_usd")
    per_month = estimate.get("cost_per_month_usd")
    if budget is not None and per_month is not None and per_month > budget:
        console.print(
            f"[yellow]note:[/] the monthly budget ({money(budget)}) is below the estimate: "
            "the schedule pauses once it is spent"
        )


def _occurrence_status(o: dict[str, Any]) -> str:
    if o["status"] == "skipped":
        text = str(o.get("reason") or "skipped")
        if (o.get("skipped_count") or 0) > 1:
            text += f" ({o['skipped_count']} occurrences)"
        return text
    return str(o["status"]) + (" (catch-up)" if o.get("catch_up") else "")


def print_runs(page: dict[str, Any], zone: str, console: Console) -> None:
    items = page["items"]
    if not items:
        console.print("No occurrences yet: the first run is at the schedule's next due time.")
        return
    table = Table(f"occurrence ({zone})", "run #", "status", "run id", "job id", "finished")
    for o in items:
        number = "–" if o["run_number"] is None else str(o["run_number"])
        table.add_row(
            when(o["occurrence_at"], zone), number, escape(_occurrence_status(o)),
            o["run_id"] or "–", o["job_id"] or "–", when(o["finished_at"], zone),
        )  # fmt: skip
    console.print(table)
    shown = page["offset"] + len(items)
    if shown < page["total"]:
        console.print(f"[dim]{shown} of {page['total']}; more with --offset {shown}[/]")


def figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.6g}"


def print_alerts(alerts: dict[str, Any], zone: str, console: Console) -> None:
    mutes = alerts["mutes"]
    if mutes:
        held = ", ".join(
            f"{m['metric']} until {when(m['until'], zone) if m['until'] else 'unmuted'}"
            for m in mutes
        )
        console.print(f"muted: {held}")
    episodes = alerts["episodes"]["items"]
    console.print(f"open episodes: {len(alerts['open'])} · episodes: {alerts['episodes']['total']}")
    if not episodes:
        console.print("No regressions so far.")
        return
    table = Table("metric", "state", "baseline", "value", "p", "runs", f"opened ({zone})",
                  "opened by run", "recovered", title="regression episodes")  # fmt: skip
    for e in episodes:
        state = "open" if e["closed_at"] is None else "recovered"
        if e["muted"]:
            state += " (muted)"
        recovered = "–" if e["closed_at"] is None else when(e["closed_at"], zone)
        table.add_row(
            e["metric"], state, figure(e["baseline"]), figure(e["value"]), figure(e["p_value"]),
            str(e["runs"]), when(e["opened_at"], zone), e["opened_run_id"], recovered,
        )  # fmt: skip
    console.print(table)


def print_rules(rules: dict[str, Any], console: Console) -> None:
    base = rules["baseline"]
    baseline = (
        f"fixed run {base['run_id']}"
        if base["kind"] == "fixed"
        else f"rolling median of the last {base['window']} runs"
    )
    state = "on" if rules["enabled"] else "off"
    email = "with email" if rules["email"] else "no email"
    console.print(f"alerts {state} · baseline: {baseline} · {email}")
    if not rules["rules"]:
        console.print(
            "No rules: nothing alerts. Set them with `benchstudio schedule rules ID --set "
            "rules.json`."
        )
        return
    table = Table("metric", "kind", "threshold")
    for r in rules["rules"]:
        threshold = r["threshold"]
        shown = f"{100 * threshold:g}% worse" if r["kind"] == "relative" else f"{threshold:g}"
        table.add_row(METRIC_NAMES.get(r["metric"], r["metric"]), r["kind"], shown)
    console.print(table)


def print_notifications(page: dict[str, Any], zone: str, console: Console) -> None:
    items = page["items"]
    console.print(f"unread: {page['unread']} · total: {page['total']}")
    if not items:
        console.print("No notifications: alerts, recoveries and schedule notices appear here.")
        return
    table = Table("", f"when ({zone})", "title", "body", "link", "id")
    for n in items:
        table.add_row(
            "●" if n["read_at"] is None else "", when(n["created_at"], zone), escape(n["title"]),
            escape(n["body"]), escape(n["link"] or ""), n["id"],
        )  # fmt: skip
    console.print(table)
