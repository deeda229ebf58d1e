"""`benchstudio schedule runs|alerts|rules|mute|unmute`: what a schedule did and how it tells
you when its runs get worse (registered on the `schedule` group by `schedule_cmd`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from benchstudio.cli import schedule_view
from benchstudio.cli.schedule_options import instant, read_config
from benchstudio.cli.schedule_server import (
    ID_ARGUMENT,
    OUTPUT_OPTION,
    SERVER_OPTION,
    TIMEZONE_OPTION,
    OutputFormat,
    console,
    on_server,
    print_json,
    zone_or_local,
)

METRIC_ARGUMENT = typer.Argument(
    ..., help="ttft_p50 | ttft_p95 | output_tps | error_rate | cost | score"
)


def runs_command(
    schedule_id: str = ID_ARGUMENT,
    limit: int = typer.Option(50, "--limit", min=1, max=200),
    offset: int = typer.Option(0, "--offset", min=0),
    timezone: str | None = TIMEZONE_OPTION,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """The occurrence log, newest first: each run (run and job id, its state) or skip (why)."""
    params = {"limit": limit, "offset": offset}
    page = on_server(
        server, lambda c: c.schedule_action("GET", schedule_id, "/occurrences", params=params)
    )
    if output == "json":
        print_json(page)
    else:
        schedule_view.print_runs(page, zone_or_local(timezone), console)


def alerts_command(
    schedule_id: str = ID_ARGUMENT,
    limit: int = typer.Option(50, "--limit", min=1, max=200),
    offset: int = typer.Option(0, "--offset", min=0),
    timezone: str | None = TIMEZONE_OPTION,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Regression episodes, newest first (open or recovered), and the mutes in force."""
    params = {"limit": limit, "offset": offset}
    found = on_server(
        server, lambda c: c.schedule_action("GET", schedule_id, "/alerts", params=params)
    )
    if output == "json":
        print_json(found)
    else:
        schedule_view.print_alerts(found, zone_or_local(timezone), console)


def rules_command(
    schedule_id: str = ID_ARGUMENT,
    set_file: Path | None = typer.Option(
        None,
        "--set",
        help="Replace the rules with this file's (JSON or YAML: the PUT .../alert-rules body).",
    ),
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """The alert rules (thresholds per metric, the baseline), or replace them with --set."""
    if set_file is not None:
        body = read_config(set_file, "--set")
        found = on_server(
            server, lambda c: c.schedule_action("PUT", schedule_id, "/alert-rules", json=body)
        )
    else:
        found = on_server(server, lambda c: c.schedule_action("GET", schedule_id, "/alert-rules"))
    if output == "json":
        print_json(found)
    else:
        schedule_view.print_rules(found, console)


def mute_command(
    schedule_id: str = ID_ARGUMENT,
    metric: str = METRIC_ARGUMENT,
    until: str | None = typer.Option(
        None, "--until", help="+8h, or a date and time (your zone); default: until unmuted."
    ),
    timezone: str | None = TIMEZONE_OPTION,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Hold back a metric's alerts; episodes still open and close meanwhile."""
    zone = zone_or_local(timezone)
    body: dict[str, Any] = {"metric": metric}
    if until is not None:
        body["until"] = instant(until, zone, "--until")
    muted = on_server(
        server, lambda c: c.schedule_action("POST", schedule_id, "/alerts/mutes", json=body)
    )
    if output == "json":
        print_json(muted)
        return
    held = schedule_view.when(muted["until"], zone) if muted["until"] else "you unmute it"
    console.print(f"Muted {muted['metric']} on schedule {schedule_id} until {held}.")


def unmute_command(
    schedule_id: str = ID_ARGUMENT,
    metric: str = METRIC_ARGUMENT,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Let a metric's alerts through again (a regression already open does not alert anew)."""
    on_server(server, lambda c: c.schedule_action("DELETE", schedule_id, f"/alerts/mutes/{metric}"))
    if output == "json":
        print_json({"unmuted": metric, "schedule_id": schedule_id})
    else:
        console.print(f"Unmuted {metric} on schedule {schedule_id}.")
