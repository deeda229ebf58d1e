"""Rich live progress for the CLI: requests done, errors, rate and the current p50 TTFT.

Rendered from the run's event loop twice a second (cheap: a few counters and a median of at
most 512 recent values), never per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from benchstudio.core.stats import percentile
from benchstudio.speed.engine import RunControl

REFRESH_S = 0.5


def progress_line(control: RunControl, elapsed_s: float) -> str:
    rate = control.completed / elapsed_s if elapsed_s > 0 else 0.0
    # The same percentile definition as every other figure (core.stats, linear).
    p50 = percentile(control.recent_ttft_ms[-256:], 50)
    ttft = "-" if p50 is None else f"{p50:.1f} ms"
    line = (
        f"requests done {control.completed}  errors {control.errors}  "
        f"rate {rate:.1f}/s  p50 TTFT {ttft}  elapsed {elapsed_s:.1f} s"
    )
    if control.stopped:
        line += f"  stopping: {control.stop_reason}"
    return line


@asynccontextmanager
async def live_progress(control: RunControl, *, enabled: bool) -> AsyncIterator[None]:
    """Show progress while the body runs (no-op when disabled, e.g. not a terminal)."""
    if not enabled:
        yield
        return
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    started = time.perf_counter()
    live = Live(Text("starting…"), console=Console(stderr=True), auto_refresh=False)

    async def refresh() -> None:
        while True:
            live.update(Text(progress_line(control, time.perf_counter() - started)), refresh=True)
            await asyncio.sleep(REFRESH_S)

    with live:
        task = asyncio.get_running_loop().create_task(refresh())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            live.update(Text(progress_line(control, time.perf_counter() - started)), refresh=True)
