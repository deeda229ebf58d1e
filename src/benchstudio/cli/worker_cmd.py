"""`benchstudio worker`: runs jobs from the Redis queue (scale-out mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from benchstudio.cli.runtime import database_config, err_console, load_settings
from benchstudio.cli.wiring import installed_wiring

if TYPE_CHECKING:
    from benchstudio.config import Settings


def worker(
    concurrency: int | None = typer.Option(
        None, help="Jobs this worker runs at once (default from settings)."
    ),
    dispatch: bool = typer.Option(
        True, "--dispatch/--no-dispatch", help="Also hand out queued jobs (one dispatcher ticks)."
    ),
) -> None:
    """Run jobs from the Redis queue; start as many as you like, on any machine."""
    import asyncio

    settings = load_settings()
    if settings.broker_url.startswith("memory"):
        err_console.print(
            "[bold red]A worker needs a shared queue:[/] set BENCHSTUDIO_BROKER_URL=redis://… "
            "(and a PostgreSQL BENCHSTUDIO_DATABASE_URL). The embedded server runs jobs itself."
        )
        raise typer.Exit(2)
    if concurrency is not None:
        settings.worker_concurrency = concurrency
    settings.jobs_dispatcher = dispatch
    asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    import asyncio
    import signal

    from benchstudio.benchruns.tasks.child_processes import start_child_processes
    from benchstudio.core.heap import freeze_heap
    from benchstudio.jobs.runtime import JobRuntime
    from benchstudio.realtime.hub import build_hub
    from benchstudio.storage.engine import open_database

    # The fork server and the summary worker ready before the first job (issue 17).
    await asyncio.to_thread(start_child_processes)
    wiring = installed_wiring()
    database = open_database(database_config(settings))
    hub = build_hub(settings.broker_url, listen=False)
    runtime = JobRuntime(
        settings,
        database,
        hub,
        limits=wiring.job_limits(database, settings),
        auditor=wiring.job_auditor,
        registry=wiring.job_registry(settings),
        execute=True,
        dispatch=settings.jobs_dispatcher,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await hub.start()
    await runtime.start()
    freeze_heap()
    err_console.print(f"worker ready id={runtime.worker_id}")
    try:
        await stop.wait()
    finally:
        # Jobs running here end as interrupted (their stored units kept) before we exit.
        await runtime.stop()
        await hub.stop()
        await database.dispose()
