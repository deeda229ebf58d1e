"""The demo simulator that `serve` runs beside the platform, in a process of its own.

A separate process keeps the simulator's token schedules off the API's event loop, and the API's
work off the simulator's, so neither distorts the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

STARTUP_TIMEOUT_S = 20.0
# The demo model's profile: plain streamed words, plus scripted tool calls for the sample suite.
DEMO_CONFIG_FILE = "demo_models.yaml"


def demo_config() -> Traversable:
    """The profile file inside the simulator package (imported only when a server starts)."""
    return files("benchstudio.simulator").joinpath(DEMO_CONFIG_FILE)


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_sim/health", timeout=1) as response:  # noqa: S310 (loopback URL we built)
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def demo_simulator(port: int) -> Iterator[str | None]:
    """Run `benchstudio simulate` on 127.0.0.1:`port`; yields its base URL (None if it failed)."""
    base_url = f"http://127.0.0.1:{port}"
    if _healthy(base_url):  # one is already running (e.g. a second `make run`)
        yield base_url
        return
    with as_file(demo_config()) as config_path, _simulator_process(port, config_path) as process:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                yield None
                return
            time.sleep(0.1)
        yield base_url


@contextmanager
def _simulator_process(port: int, config_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    # The simulator exits when this process does, however it ends: it holds the read end of a
    # pipe whose write end only this process has (kill -9 of `serve` closes it).
    lifeline_read, lifeline_write = os.pipe()
    process = subprocess.Popen(  # noqa: S603 (our own CLI, fixed arguments)
        [
            sys.executable,
            "-m",
            "benchstudio",
            "simulate",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--config",
            str(config_path),
            "--parent-fd",
            str(lifeline_read),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(lifeline_read,),
    )
    os.close(lifeline_read)
    try:
        yield process
    finally:
        os.close(lifeline_write)
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
