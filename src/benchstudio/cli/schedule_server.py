"""What the `benchstudio schedule` and `notifications` commands share: the consoles, the
server and output options, and one way to call the server and report its refusals (a 422's
field problems listed one per line, exit 1 as the other server commands use)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

import typer
from rich.console import Console
from rich.markup import escape

from benchstudio.cli.local_zone import local_zone_name

console = Console()
err_console = Console(stderr=True)

EXIT_REFUSED = 1
EXIT_NOT_CONFIRMED = 2
OutputFormat = Literal["text", "json"]
SERVER_OPTION = typer.Option(..., help="BenchStudio server URL (token from BENCHSTUDIO_TOKEN).")
OUTPUT_OPTION = typer.Option("text", "--output", help="text | json")
ID_ARGUMENT = typer.Argument(..., help="The schedule's id (shown by `schedule list`).")
TIMEZONE_OPTION = typer.Option(
    None,
    "--timezone",
    help="IANA zone (Europe/London) for times shown and read; default: this machine's.",
)


def zone_or_local(timezone: str | None) -> str:
    """The zone times are shown and read in: `--timezone`, else the machine's."""
    return timezone or local_zone_name()


def _where(loc: list[Any]) -> str:
    """`["body", "timing", "rule", "cron", "cron"]` → `timing.rule.cron` (the request part and
    the repeated union tag dropped: what a user can map to a flag)."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    deduped = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
    return ".".join(deduped) or "request"


def report_refusal(exc: Any) -> None:
    """The server's message; for a 422 with field problems, one line per field instead."""
    details = getattr(exc, "details", [])
    if not details:
        err_console.print(f"[bold red]server:[/] {escape(str(exc))}")
        return
    err_console.print(f"[bold red]server:[/] invalid input (HTTP {exc.status})")
    for detail in details:
        where = _where(list(detail.get("loc") or []))
        err_console.print(f"  {escape(where)}: {escape(str(detail.get('msg', '')))}")


def on_server(server: str, action: Callable[[Any], Any]) -> Any:
    from benchstudio.cli.server_client import ServerClient, ServerError, token_from_env

    try:
        with ServerClient(server, token_from_env()) as client:
            return action(client)
    except ServerError as exc:
        report_refusal(exc)
        raise typer.Exit(EXIT_REFUSED) from None


def print_json(value: Any) -> None:
    console.print_json(json.dumps(value))


def fail(message: str) -> None:
    err_console.print(f"[bold red]{escape(message)}[/]")
    raise typer.Exit(EXIT_REFUSED)
