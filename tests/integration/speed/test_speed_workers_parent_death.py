"""`--workers` pool processes end with their parent: a `kill -9` of the CLI leaves no worker
measuring (or waiting on its call queue) for good (issue 16)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil

from benchstudio.simulator import SimulatorServer

PARENT_SCRIPT = Path(__file__).with_name("workers_parent.py")
GONE_WITHIN_S = 10.0


def _alive(process: psutil.Process) -> bool:
    try:  # an orphan that exited may linger as a zombie until init reaps it: gone too
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _pool_workers(parent: psutil.Process, timeout_s: float = 60) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        workers = [
            child
            for child in parent.children()
            if "spawn_main" in " ".join(child.cmdline()) and _alive(child)
        ]
        if len(workers) == 2:
            return workers
        time.sleep(0.1)
    raise AssertionError("the two pool workers did not start")


def test_pool_workers_exit_when_their_parent_is_killed(
    threaded_simulator: SimulatorServer,
) -> None:
    parent = psutil.Popen(
        [sys.executable, str(PARENT_SCRIPT), threaded_simulator.base_url],
        stdout=subprocess.PIPE,
        text=True,
    )
    workers: list[psutil.Process] = []
    try:
        workers = _pool_workers(parent)
        deadline = time.monotonic() + 30
        while not threaded_simulator.request_log() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threaded_simulator.request_log(), "the workers are measuring before the kill"
        parent.kill()  # kill -9: no clean-up of any kind in the parent
        parent.wait(10)
        deadline = time.monotonic() + GONE_WITHIN_S
        while (left := [w for w in workers if _alive(w)]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, f"pool workers still running after their parent died: {left}"
    finally:
        for process in [parent, *workers]:
            if _alive(process):
                process.kill()
