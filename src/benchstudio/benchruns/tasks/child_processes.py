"""Processes forked from one preloaded fork server: measuring children and the summary worker.

Both keep CPU-heavy Python off the API process. A thread would not do: computing a run's
summaries (bootstrap intervals for every metric, per step and per target) holds the GIL for
tens to hundreds of milliseconds, and every `await` of the event loop then queues behind it,
which showed as a tail of 0.5-1.5 s on ordinary API reads while jobs finished
(`benchmarks/load_platform.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from benchstudio.benchruns.tasks.child_pipe import FrameReader, open_reader
from benchstudio.benchruns.tasks.measuring import ChildJob, Message, child_main
from benchstudio.core.parent_watch import (
    KEEPALIVE,
    KEEPALIVE_S,
    STOP,
    exit_with_parent,
    lifeline,
)

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
    "benchstudio.speed.tokenizer_preload",  # builds the tokenizers, not only imports them
    "uvloop",
)

CHILD_EXIT_WAIT_S = 10.0
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
            # is better left to the measuring children and the API. It ends with this process
            # (its call queue alone would keep it waiting for good after a `kill -9`).
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=child_context(),
                initializer=exit_with_parent,
                initargs=(lifeline(),),
            )
        return _pool


def start_child_processes() -> None:
    """Start the fork server and the summary worker, and return once both are ready.

    Blocking (seconds: the fork server's preload imports the measuring code and builds the
    tokenizers): the server and `benchstudio worker` call it from a thread at start-up, before
    they serve or take jobs. Left to first use, the first measuring child's start waited for
    that preload, and the API's event loop with it (issue 17).
    """
    child_context()  # sets the preload list, which the fork server reads when it starts
    multiprocessing.forkserver.ensure_running()
    # The worker is forked by the fork server once its preload is done: waiting for its
    # answer waits for both.
    _summary_pool().submit(os.getpid).result()


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


@dataclass
class Received:
    messages: list[Message]
    ended: bool  # the child closed its end: nothing more will come


class MeasuringChild:
    """The measuring process and its two pipes.

    The stop pipe also carries a keep-alive every `KEEPALIVE_S`, sent by a task of this event
    loop: a parent that is paused (SIGSTOP) or whose loop is stuck can neither renew its job's
    lease nor store what the child sends, so the child stops after `parent_silence_s` of
    silence rather than measure for nobody (`core/parent_watch.py`).
    """

    def __init__(self, job: ChildJob, name: str) -> None:
        context = child_context()
        self._messages, self._child_out = context.Pipe(duplex=False)
        self._child_stop, self._stop = context.Pipe(duplex=False)
        self.process = context.Process(
            target=child_main, args=(job, self._child_out, self._child_stop), name=name
        )
        # Never block the event loop on a child that does not read (its pipe full).
        os.set_blocking(self._stop.fileno(), False)
        self.stop_sent = False
        self._transport: asyncio.BaseTransport | None = None
        self._reader: FrameReader | None = None
        self._keepalive: asyncio.Task[None] | None = None
        self._starting: asyncio.Future[None] | None = None

    def _start(self) -> None:
        self.process.start()
        # Drop our copies of the child's ends: then EOF means "the child is gone".
        self._child_out.close()
        self._child_stop.close()

    async def open(self) -> None:
        """Start the child, then read its pipe in the event loop itself (no thread per job
        polling it).

        The start runs in a thread: it waits for the fork server, which may be (re)starting
        and running its preload for seconds; the event loop serves meanwhile.
        """
        # Shielded: a cancelled job still knows when the start is over (`reap` waits for it).
        self._starting = asyncio.ensure_future(asyncio.to_thread(self._start))
        await asyncio.shield(self._starting)
        self._keepalive = asyncio.create_task(self._keep_alive())
        self._transport, self._reader = await open_reader(self._messages)

    async def _keep_alive(self) -> None:
        while not self.stop_sent:
            self._send(KEEPALIVE)
            await asyncio.sleep(KEEPALIVE_S)

    def _send(self, word: str) -> None:
        with contextlib.suppress(OSError):  # gone, or not reading: the child's watch decides
            self._stop.send(word)

    async def collect(self, window_s: float) -> Received:
        """Messages arriving within `window_s` (returns early on the child's last message)."""
        reader = self._reader
        assert reader is not None, "open() first"
        loop = asyncio.get_running_loop()
        found: list[Message] = []
        deadline = loop.time() + window_s
        while True:
            found.extend(reader.take())
            if any(kind in ("done", "error") for kind, _ in found):
                return Received(found, False)
            if reader.ended:
                return Received(found, True)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return Received(found, False)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reader.arrived.wait(), remaining)

    def stop(self) -> None:
        if not self.stop_sent:
            self.stop_sent = True
            self._send(STOP)

    async def reap(self) -> None:
        self.stop()
        if self._keepalive is not None:
            self._keepalive.cancel()
        if self._starting is not None:
            with contextlib.suppress(Exception):  # a failed start: reported by `open`
                await self._starting
        if self.process.pid is not None:  # started
            await asyncio.to_thread(self.process.join, CHILD_EXIT_WAIT_S)
            if self.process.is_alive():
                self.process.kill()
                await asyncio.to_thread(self.process.join, CHILD_EXIT_WAIT_S)
        else:
            self._child_out.close()
            self._child_stop.close()
        if self._transport is not None:
            self._transport.close()
        else:
            self._messages.close()
        self._stop.close()
