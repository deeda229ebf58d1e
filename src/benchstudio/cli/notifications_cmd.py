"""`benchstudio notifications`: your notices from a BenchStudio server (regressions,
recoveries, schedule notices), newest first with the unread count; `--mark-read` marks the
ones listed read once shown."""

from __future__ import annotations

from typing import Any

import typer

from benchstudio.cli import schedule_view
from benchstudio.cli.schedule_server import (
    OUTPUT_OPTION,
    SERVER_OPTION,
    TIMEZONE_OPTION,
    OutputFormat,
    console,
    on_server,
    print_json,
    zone_or_local,
)


def notifications(
    unread: bool = typer.Option(False, "--unread", help="Only the unread ones."),
    mark_read: bool = typer.Option(
        False, "--mark-read", help="Mark the notifications listed read."
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=200),
    offset: int = typer.Option(0, "--offset", min=0),
    timezone: str | None = TIMEZONE_OPTION,
    server: str = SERVER_OPTION,
    output: OutputFormat = OUTPUT_OPTION,
) -> None:
    """Your notifications, newest first, with the unread count."""
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if unread:
        params["unread_only"] = "true"

    def fetch(client: Any) -> dict[str, Any]:
        page: dict[str, Any] = client.notification_action("GET", params=params)
        ids = [n["id"] for n in page["items"] if n["read_at"] is None]
        marked = 0
        if mark_read and ids:
            body = {"ids": ids}
            marked = int(client.notification_action("POST", "/read", json=body)["marked"])
        return {"page": page, "marked": marked}

    found = on_server(server, fetch)
    if output == "json":
        print_json({**found["page"], "marked": found["marked"]} if mark_read else found["page"])
        return
    schedule_view.print_notifications(found["page"], zone_or_local(timezone), console)
    if mark_read:
        console.print(f"Marked {found['marked']} read.")
