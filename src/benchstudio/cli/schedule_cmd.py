"""`benchstudio schedule`: scheduled benchmarks and evals of your account on a BenchStudio
server (token from BENCHSTUDIO_TOKEN): list, show, create, update, enable, disable, delete, the
next occurrences (of a saved schedule or a draft), the occurrence log, regression alerts, alert
rules and mutes.

Times are shown in this machine's time zone (or `--timezone`), next to UTC; a date and time
given without an offset (`--start 2026-12-08T09:00`) is read in that zone too, and a cron rule
runs in it. The server computes every occurrence; the command prints what it answered.

Exit codes: 0 done, 1 the server refused (a 422 lists each field at fault: an invalid cron,
an unknown zone, an interval below the administrator's minimum) or could not be reached, 2 a
bad option or a deletion not confirmed. `--output json` prints the server's answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from benchstudio.cli import schedule_view, schedule_watch_cmd
from benchstudio.cli.schedule_options import (
    TimingOptions,
    model_spec,
    run_configuration,
    timing_body,
)
from benchstudio.cli.schedule_server import (
    EXIT_NOT_CONFIRMED,
    ID_ARGUMENT,
    OUTPUT_OPTION,
    SERVER_OPTION,
    TIMEZONE_OPTION,
    OutputFormat,
    console,
    err_console,
    on_server,
    print_json,
    zone_or_local,
)

app = typer.Typer(
    help="Scheduled runs: a benchmark or eval every N minutes or on a cron rule, with alerts.",
    no_args_is_help=True,
)

NEXT_SHOWN = 5
EVERY_OPTION = typer.Option(None, "--every", help="Interval from the start: 30m, 6h, 1d.")
CRON_OPTION = typer.Option(
    None, "--cron", help="Cron expression read in --timezone, e.g. '0 9 * * MON-FRI'."
)
START_OPTION = typer.Option(
    None, "--start", help="now (default), +10m, or a date and time (2026-12-08T09:00)."
)
END_OPTION = typer.Option(None, "--end", help="Nothing runs after it (same forms as --start).")
MAX_RUNS_OPTION = typer.Option(None, "--max-runs", min=0, help="Stop after N runs (0: no cap).")
CATCH_UP_OPTION = typer.Option(
    None, "--catch-up", help="Missed runs: skip (default) | run_once (the latest, once)."
)
OVERLAP_OPTION = typer.Option(
    None, "--overlap", help="Due while one runs: skip (default) | queue (one waits)."
)
BUDGET_OPTION = typer.Option(
    None, "--monthly-budget", min=0, help="USD per calendar month; the schedule pauses at it."
)
PAUSE_AFTER_OPTION = typer.Option(
    None, "--pause-after", min=1, max=100, help="Consecutive failed runs that pause it (3)."
)
BENCH_OPTION = typer.Option(
    None, "--bench", help="Benchmark configuration (JSON or YAML: the POST /api/benchmarks body)."
)
EVAL_OPTION = typer.Option(
    None, "--eval", help="Eval configuration (JSON or YAML: the POST /api/evals body)."
)
SUITE_OPTION = typer.Option(None, "--suite", help="Eval on this suite (name or id), with --model.")
MODEL_OPTION = typer.Option(
    None, "--model", help="With --suite: PROVIDER=MODEL (provider name or id); repeat for more."
)
PARAMETER_SET_OPTION = typer.Option(
    None, "--parameter-set", help="With --suite: a parameter set (name or id) for every model."
)


def _suite_eval(
    client: Any, suite: str | None, models: list[str] | None, parameter_set: str | None
) -> dict[str, Any] | None:
    """The eval body `--suite` and `--model` describe (names resolved on the server)."""
    if suite is None:
        if models:
            raise typer.BadParameter("--model goes with --suite", param_hint="--model")
        return None
    if not models:
        raise typer.BadParameter("--suite needs --model PROVIDER=MODEL", param_hint="--suite")
    targets = []
    for provider, model in (model_spec(m) for m in models):
        targets.append({"provider_id": client.resolve_provider(provider), "model_id": model})
    if parameter_set:
        set_id = str(client.resolve_parameter_set(parameter_set)["id"])
        for target in targets:
            target["parameter_set_id"] = set_id
    return {"suite_id": client.resolve_suite(suite), "targets": targets}


def _extras(budget: float | None, pause_after: int | None) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if budget is not None:
        extras["monthly_budget_usd"] = budget or None  # 0: no budget
    if pause_after is not None:
        extras["pause_after_failures"] = pause_after
    return extras


@app.command("list")
def list_command(
    limit: int = typer.Option(50, "--limit", min=1, max=200),
    offset: int = typer.Option(0, "--offset", min=0),
    timezone: str | None = TIMEZONE_OPTION,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Your schedules, newest first: rule, next due, last run, status."""
    params = {"limit": limit, "offset": offset}
    page = on_server(server, lambda c: c.schedule_action("GET", None, params=params))
    if output == "json":
        print_json(page)
    else:
        schedule_view.print_list(page, zone_or_local(timezone), console)


@app.command("show")
def show_command(
    schedule_id: str = ID_ARGUMENT,
    timezone: str | None = TIMEZONE_OPTION,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """One schedule: rule, state, bounds, policies and its next five occurrences."""
    zone = zone_or_local(timezone)
    params = {"count": NEXT_SHOWN, "timezone": zone}

    def fetch(client: Any) -> dict[str, Any]:
        return {
            "schedule": client.schedule_action("GET", schedule_id),
            "next": client.schedule_action("GET", schedule_id, "/next", params=params),
        }

    found = on_server(server, fetch)
    if output == "json":
        print_json(found)
        return
    schedule_view.print_schedule(found["schedule"], zone, console)
    schedule_view.print_next(found["next"], console)


@app.command("create")
def create_command(
    name: str = typer.Option(..., "--name", help="The schedule's name."),
    bench: Path | None = BENCH_OPTION,
    eval_file: Path | None = EVAL_OPTION,
    suite: str | None = SUITE_OPTION,
    model: list[str] | None = MODEL_OPTION,
    parameter_set: str | None = PARAMETER_SET_OPTION,
    every: str | None = EVERY_OPTION,
    cron: str | None = CRON_OPTION,
    timezone: str | None = TIMEZONE_OPTION,
    start: str | None = START_OPTION,
    end: str | None = END_OPTION,
    max_runs: int | None = MAX_RUNS_OPTION,
    catch_up: str | None = CATCH_UP_OPTION,
    overlap: str | None = OVERLAP_OPTION,
    monthly_budget: float | None = BUDGET_OPTION,
    pause_after: int | None = PAUSE_AFTER_OPTION,
    disabled: bool = typer.Option(False, "--disabled", help="Save it switched off."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show the next five and the cost estimate; save nothing."
    ),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Save a schedule; print it, its next five occurrences (your zone, UTC) and its cost.

    `--dry-run` prints the next five and the cost per run and per month without saving."""
    zone = zone_or_local(timezone)
    flags = TimingOptions(every, cron, timezone, start, end, max_runs, catch_up, overlap)
    timing = timing_body(flags, zone)
    if disabled:
        timing["enabled"] = False

    def create(client: Any) -> dict[str, Any]:
        found = run_configuration(
            bench, eval_file, _suite_eval(client, suite, model, parameter_set)
        )
        if found is None:
            raise typer.BadParameter(
                "say what runs: --bench FILE, --eval FILE, or --suite S --model P=M",
                param_hint="--bench",
            )
        kind, config = found
        body = {"name": name, "kind": kind, kind: config, "timing": timing}
        body |= _extras(monthly_budget, pause_after)
        draft = {"timing": timing, "count": NEXT_SHOWN, "timezone": zone}
        estimate = client.schedule_action("POST", None, "/estimate", json=body)
        if dry_run:
            preview = client.schedule_action("POST", None, "/next", json=draft)
            return {"schedule": None, "next": preview, "estimate": estimate}
        created = client.schedule_action("POST", None, json=body)
        params = {"count": NEXT_SHOWN, "timezone": zone}
        coming = client.schedule_action("GET", created["id"], "/next", params=params)
        return {"schedule": created, "next": coming, "estimate": estimate}

    outcome = on_server(server, create)
    if output == "json":
        print_json(outcome)
        return
    if outcome["schedule"] is None:
        console.print(f"Dry run: {name!r} not saved.")
    else:
        schedule_view.print_schedule(outcome["schedule"], zone, console, "Created")
    schedule_view.print_next(outcome["next"], console)
    schedule_view.print_estimate(outcome["estimate"], console)


@app.command("update")
def update_command(
    schedule_id: str = ID_ARGUMENT,
    name: str | None = typer.Option(None, "--name", help="A new name."),
    bench: Path | None = BENCH_OPTION,
    eval_file: Path | None = EVAL_OPTION,
    suite: str | None = SUITE_OPTION,
    model: list[str] | None = MODEL_OPTION,
    parameter_set: str | None = PARAMETER_SET_OPTION,
    every: str | None = EVERY_OPTION,
    cron: str | None = CRON_OPTION,
    timezone: str | None = TIMEZONE_OPTION,
    start: str | None = START_OPTION,
    end: str | None = typer.Option(
        None, "--end", help="A new end (same forms as --start); '' removes it."
    ),
    max_runs: int | None = MAX_RUNS_OPTION,
    catch_up: str | None = CATCH_UP_OPTION,
    overlap: str | None = OVERLAP_OPTION,
    monthly_budget: float | None = typer.Option(
        None, "--monthly-budget", min=0, help="USD per calendar month; 0 removes the budget."
    ),
    pause_after: int | None = PAUSE_AFTER_OPTION,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Change a schedule: only the options given change.

    A new timing or configuration starts it from its next occurrence (the server clears a
    pause and its failure count)."""
    zone = zone_or_local(timezone)
    flags = TimingOptions(every, cron, timezone, start, end, max_runs, catch_up, overlap)

    def update(client: Any) -> dict[str, Any]:
        changes: dict[str, Any] = {"name": name} if name is not None else {}
        found = run_configuration(
            bench, eval_file, _suite_eval(client, suite, model, parameter_set)
        )
        current = client.schedule_action("GET", schedule_id) if found or flags.given() else None
        if found is not None and current is not None:
            if found[0] != current["kind"]:
                raise typer.BadParameter(
                    f"this is a {current['kind']} schedule; its kind cannot change",
                    param_hint="--bench" if found[0] == "benchmark" else "--eval",
                )
            changes[found[0]] = found[1]
        if flags.given() and current is not None:
            changes["timing"] = timing_body(flags, zone, current["timing"])
        changes |= _extras(monthly_budget, pause_after)
        if not changes:
            raise typer.BadParameter("nothing to change: give an option to update")
        patched: dict[str, Any] = client.schedule_action("PATCH", schedule_id, json=changes)
        return patched

    updated = on_server(server, update)
    if output == "json":
        print_json(updated)
    else:
        schedule_view.print_schedule(updated, zone, console, "Updated")


def _switch(schedule_id: str, enabled: bool, server: str, output: OutputFormat) -> None:
    body = {"enabled": enabled}
    changed = on_server(server, lambda c: c.schedule_action("PATCH", schedule_id, json=body))
    if output == "json":
        print_json(changed)
        return
    zone = zone_or_local(None)
    verb = "Enabled" if enabled else "Disabled"
    schedule_view.print_schedule(changed, zone, console, verb)


@app.command("enable")
def enable_command(
    schedule_id: str = ID_ARGUMENT,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Switch a schedule on (again): it starts from its next occurrence; a pause is cleared."""
    _switch(schedule_id, True, server, output)


@app.command("disable")
def disable_command(
    schedule_id: str = ID_ARGUMENT,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Switch a schedule off; what falls due meanwhile is neither run nor reported missed."""
    _switch(schedule_id, False, server, output)


@app.command("delete")
def delete_command(
    schedule_id: str = ID_ARGUMENT,
    yes: bool = typer.Option(False, "--yes", "-y", help="Delete without asking."),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Delete a schedule and its occurrence log; its runs stay in history."""
    if not yes and not typer.confirm(f"Delete schedule {schedule_id}? Its runs stay.", False):
        err_console.print("Nothing deleted.")
        raise typer.Exit(EXIT_NOT_CONFIRMED)
    on_server(server, lambda c: c.schedule_action("DELETE", schedule_id))
    if output == "json":
        print_json({"deleted": "schedule", "id": schedule_id})
    else:
        console.print(f"Deleted schedule {schedule_id}")


@app.command("next")
def next_command(
    schedule_id: str | None = typer.Argument(
        None, help="A saved schedule's id; without it, the draft --every/--cron describes."
    ),
    count: int = typer.Option(NEXT_SHOWN, "--count", min=1, max=50),
    every: str | None = EVERY_OPTION,
    cron: str | None = CRON_OPTION,
    timezone: str | None = TIMEZONE_OPTION,
    start: str | None = START_OPTION,
    end: str | None = END_OPTION,
    max_runs: int | None = MAX_RUNS_OPTION,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """The next occurrences in your zone and UTC, of a saved schedule or of a draft rule.

    A draft: `--every 6h` or `--cron '30 1 * * *' --timezone Europe/London`, from --start."""
    zone = zone_or_local(timezone)
    flags = TimingOptions(every, cron, timezone, start, end, max_runs)
    if schedule_id is not None:
        if flags.given() and (every or cron or start or end or max_runs is not None):
            raise typer.BadParameter("a saved schedule's rule is its own: drop --every/--cron")
        params = {"count": count, "timezone": zone}
        found = on_server(
            server, lambda c: c.schedule_action("GET", schedule_id, "/next", params=params)
        )
    else:
        draft = {"timing": timing_body(flags, zone), "count": count, "timezone": zone}
        found = on_server(server, lambda c: c.schedule_action("POST", None, "/next", json=draft))
    if output == "json":
        print_json(found)
    else:
        schedule_view.print_next(found, console)


app.command("runs")(schedule_watch_cmd.runs_command)
app.command("alerts")(schedule_watch_cmd.alerts_command)
app.command("rules")(schedule_watch_cmd.rules_command)
app.command("mute")(schedule_watch_cmd.mute_command)
app.command("unmute")(schedule_watch_cmd.unmute_command)
