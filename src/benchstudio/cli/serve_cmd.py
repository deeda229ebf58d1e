"""`benchstudio serve`: the API and web app (migrates SQLite on start)."""

from __future__ import annotations

import signal
from types import FrameType

import typer

from benchstudio.cli.demo_simulator import demo_simulator
from benchstudio.cli.runtime import database_config, err_console, load_settings
from benchstudio.cli.wiring import installed_wiring


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


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
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            proxy_headers=False,
        )
