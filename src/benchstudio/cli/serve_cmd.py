"""`benchstudio serve`: the API and web app (migrates SQLite on start)."""

from __future__ import annotations

import ipaddress
import signal
from types import FrameType
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from benchstudio.cli.demo_simulator import demo_simulator
from benchstudio.cli.runtime import database_config, err_console, load_settings
from benchstudio.cli.wiring import installed_wiring

if TYPE_CHECKING:
    from benchstudio.config import Settings


def server_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves the app: no access log, forwarded headers handled by our own
    trusted-proxy middleware, and WebSocket messages capped at the protocol layer, so an
    oversized frame is refused (close 1009) before it is buffered; the default reads up to
    16 MiB before the endpoint's own 16 KiB check sees it."""
    from benchstudio.realtime.frame_limits import MAX_CLIENT_FRAME

    return {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": False,
        # Room above the endpoint's limit so slightly larger frames still get its clear error.
        "ws_max_size": 4 * MAX_CLIENT_FRAME,
        "ws_max_queue": 8,
    }


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name or wildcard: assume other machines can reach it


def dev_exposure_warning(settings: Settings) -> str | None:
    """What dev mode exposes when it listens beyond loopback (docs/security.md), or None."""
    from benchstudio.config import Environment

    if settings.env is Environment.PRODUCTION or _is_loopback(settings.host):
        return None
    exposed = []
    if settings.effective_signup_policy == "open":
        exposed.append("anyone who reaches it can sign up (open sign-up)")
    if settings.effective_egress_mode == "dev":
        exposed.append(
            "signed-in users can make it send requests to loopback and private addresses "
            "(dev egress)"
        )
    if not exposed:
        return None
    return (
        f"Dev mode is listening on {settings.host}, not a loopback address: "
        + "; ".join(exposed)
        + ". Bind 127.0.0.1, or set BENCHSTUDIO_ENV=production."
    )


def serve(
    host: str | None = typer.Option(None, help="Bind address (default from settings)."),
    port: int | None = typer.Option(None, help="Port (default 8501)."),
    migrate: bool = typer.Option(
        True, help="Apply database migrations on start (embedded SQLite mode)."
    ),
) -> None:
    """Start the BenchStudio server."""
    from contextlib import ExitStack

    import uvicorn

    from benchstudio.core.heap import freeze_heap
    from benchstudio.storage.migrate import upgrade_to_head

    settings = load_settings()
    if host is not None:
        settings.host = host
    if port is not None:
        settings.port = port
    if warning := dev_exposure_warning(settings):
        err_console.print(f"[bold yellow]Warning:[/] {escape(warning)}")
    if migrate and settings.is_sqlite:
        upgrade_to_head(database_config(settings))
    # uvicorn re-raises SIGTERM once it has shut down; with the default handler that kills the
    # process before the exit stack stops the demo simulator, leaving it orphaned.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    with ExitStack() as stack:
        if settings.demo_simulator and settings.demo_simulator_url is None:
            url = stack.enter_context(demo_simulator(settings.demo_simulator_port))
            if url is None:
                err_console.print("[yellow]The demo simulator did not start; continuing.[/]")
            else:
                settings.demo_simulator_url = url
                err_console.print(f"Demo simulator on {url}")
        err_console.print(
            f"[bold green]BenchStudio[/] serving on http://{settings.host}:{settings.port}"
        )
        app = installed_wiring().create_app(settings)
        freeze_heap()
        uvicorn.run(app, **server_options(settings))
