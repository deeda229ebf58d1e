"""No orphans: a server's or worker's helper processes end with it, and a measuring child stops
sending when its parent is paused (it could no longer hold its job's lease)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from benchruns_driver import SimulatorThread

from benchstudio.simulator import ModelProfile, SimulatorConfig

PARENT_SCRIPT = Path(__file__).with_name("orphan_parent.py")
GONE_WITHIN_S = 20.0


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    # Slow enough that what a child measures during a pause fits its pipe (64 KB): its last
    # message then reaches the resumed parent instead of being cut off by the grace period.
    config = SimulatorConfig(default=ModelProfile(ttft_ms=50, itl_ms=10, output_tokens=4))
    with SimulatorThread(config) as sim:
        yield sim


def _requests_seen(simulator: SimulatorThread) -> int:
    url = simulator.base_url + "/_sim/requests?limit=1"
    with urllib.request.urlopen(url, timeout=30) as response:
        page = json.loads(response.read())
    return int(page["total"]) + int(page["evicted"])  # every request it ever read


def _start_parent(
    simulator: SimulatorThread, silence_s: float
) -> tuple[psutil.Popen, dict[str, int]]:
    parent = psutil.Popen(
        [sys.executable, str(PARENT_SCRIPT), simulator.base_url, str(silence_s)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    pids = json.loads(parent.stdout.readline())
    return parent, pids


def _alive(process: psutil.Process) -> bool:
    try:  # an exited child of init may linger as a zombie until reaped: that is gone too
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(processes: list[psutil.Process], timeout_s: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout_s
    while (alive := [p for p in processes if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def _kill_all(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.send_signal(signal.SIGCONT)
            process.kill()
        except psutil.NoSuchProcess:
            pass


def test_a_killed_parent_leaves_no_fork_server_tracker_summary_worker_or_child(
    simulator: SimulatorThread,
) -> None:
    parent, pids = _start_parent(simulator, silence_s=30.0)
    # Handles taken while all are alive: later a pid may be reaped (and even reused).
    helpers = parent.children(recursive=True)
    try:
        names = {p.pid: " ".join(p.cmdline()) for p in helpers}
        assert pids["summary"] in names and pids["child"] in names
        assert any("forkserver" in line for line in names.values())
        assert any("resource_tracker" in line for line in names.values())
        start = _requests_seen(simulator)
        deadline = time.monotonic() + GONE_WITHIN_S
        while _requests_seen(simulator) == start and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _requests_seen(simulator) > start, "the child is measuring before the kill"

        parent.kill()  # kill -9: no clean-up of any kind in the parent
        parent.wait(10)
        left = _wait_gone(helpers, GONE_WITHIN_S)
        assert not left, f"still running after their parent died: {[p.pid for p in left]}"
        stopped = _requests_seen(simulator)
        time.sleep(0.5)
        assert _requests_seen(simulator) == stopped
    finally:
        _kill_all([parent, *helpers])


def test_a_child_stops_sending_while_its_parent_is_paused(simulator: SimulatorThread) -> None:
    silence_s = 2.0
    parent, pids = _start_parent(simulator, silence_s=silence_s)
    helpers = parent.children(recursive=True)
    child = next(p for p in helpers if p.pid == pids["child"])
    try:
        start = _requests_seen(simulator)
        deadline = time.monotonic() + GONE_WITHIN_S
        while _requests_seen(simulator) == start and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _requests_seen(simulator) > start

        parent.send_signal(signal.SIGSTOP)  # a paused worker: no keep-alives, no lease renewal
        # Silence, then at most the child's grace period to end (bounded, not timed exactly).
        assert not _wait_gone([child], GONE_WITHIN_S), "the child kept measuring for nobody"
        stopped = _requests_seen(simulator)
        time.sleep(0.5)
        assert _requests_seen(simulator) == stopped

        parent.send_signal(signal.SIGCONT)  # back: it learns why, and does not take it as done
        assert parent.stdout is not None
        last = json.loads(parent.stdout.readline())["last"]
        assert last is not None and "stopped answering" in last["message"]
    finally:
        parent.send_signal(signal.SIGCONT)
        _kill_all([parent, *helpers])
        parent.wait(10)
