from __future__ import annotations

import os

import psutil

from benchstudio.benchruns.tasks.child_processes import in_summary_worker


async def test_work_runs_in_another_process_and_survives_a_killed_worker() -> None:
    first = await in_summary_worker(os.getpid)
    assert first != os.getpid()
    # One handle, taken while the worker is alive: once killed, the fork server may reap it at
    # any moment, and looking the pid up again would then raise NoSuchProcess.
    worker = psutil.Process(first)
    worker.kill()
    worker.wait(timeout=10)  # a reaped process counts as gone, not as an error
    # The pool notices its dead worker and is replaced; the call is retried once.
    second = await in_summary_worker(os.getpid)
    assert second not in (first, os.getpid())
    assert await in_summary_worker(divmod, 7, 2) == (3, 1)
