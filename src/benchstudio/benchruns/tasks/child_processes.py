"""Processes forked from one preloaded fork server: measuring children and the summary worker.

Both keep CPU-heavy Python off the API process. A thread would not do: computing a run's
summaries (bootstrap intervals for every metric, per step and per target) holds the GIL for
tens to hundreds of milliseconds, and every `await` of the event loop then queues behind it,
which showed as a tail of 0.5-1.5 s on ordinary API reads while jobs finished
(`benchmarks/load_platform.py`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, TypeVar

# Everything a child imports, its lazy imports included (adapters and their `ProviderAccess`,
# the event loop, the statistics): imported once by the fork server, never by a child. A child
# opens no database (it is handed its providers' access), so no database driver is preloaded.
CHILD_PRELOAD = (
    "benchstudio.benchruns.tasks.measuring",
    "benchstudio.benchruns.domain.summaries",
    "benchstudio.credentials.service",
    "benchstudio.speed.launch",
    "benchstudio.speed.runner",
    "benchstudio.speed.slo_search",
    "uvloop",
)

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def child_context() -> Any:
    """A fork server with the app's measuring and statistics code imported once.

    Each child then starts in milliseconds instead of importing the app again (about 2 s of
    CPU under "spawn", taken from the API while a job starts), and still begins from a clean
    process: none of the server's threads, sockets or event loop.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(CHILD_PRELOAD))
    return context


def _summary_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # One worker: summaries are short and rare (a run's end, an import); a second core
            # is better left to the measuring children and the API.
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=child_context())
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


async def in_summary_worker(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` in the summary worker process (picklable in and out).

    A worker that died (killed, out of memory) is replaced and the call tried once more.
    """
    loop = asyncio.get_running_loop()
    for attempt in range(2):
        pool = _summary_pool()
        try:
            return await loop.run_in_executor(pool, partial(function, *args, **kwargs))
        except BrokenProcessPool:
            _discard(pool)
            if attempt:
                raise
    raise AssertionError("unreachable")
