"""`benchstudio serve` stopped with SIGTERM, or killed with SIGKILL, stops the demo simulator
it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from free_ports import free_port

pytestmark = pytest.mark.slow
BENCHSTUDIO = str(Path(sys.executable).parent / "benchstudio")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _wait_for(condition: object, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def _serve_with_simulator(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int, int]:
    port, simulator_port = free_port(), free_port()
    env = dict(os.environ)
    env.update(
        {
            "BENCHSTUDIO_ENV": "test",
            "BENCHSTUDIO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
            "BENCHSTUDIO_SECRETS_FILE": str(tmp_path / "secrets.env"),
            "BENCHSTUDIO_DEMO_SIMULATOR": "true",
            "BENCHSTUDIO_DEMO_SIMULATOR_PORT": str(simulator_port),
            "BENCHSTUDIO_WEB_DIST": str(tmp_path / "no-web"),
            "BENCHSTUDIO_LOG_LEVEL": "WARNING",
        }
    )
    server = subprocess.Popen(
        [BENCHSTUDIO, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return server, port, simulator_port


def test_sigterm_stops_the_demo_simulator_too(tmp_path: Path) -> None:
    server, port, simulator_port = _serve_with_simulator(tmp_path)
    simulator_health = f"http://127.0.0.1:{simulator_port}/_sim/health"
    try:
        assert _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60)
        assert _answers(simulator_health), "serve did not start the demo simulator"
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert _wait_for(lambda: not _answers(simulator_health), 10), "simulator left running"
    finally:
        if server.poll() is None:
            server.kill()


def test_a_killed_serve_takes_its_demo_simulator_with_it(tmp_path: Path) -> None:
    """SIGKILL runs no handler: the simulator notices the end of its lifeline pipe."""
    server, port, simulator_port = _serve_with_simulator(tmp_path)
    simulator_health = f"http://127.0.0.1:{simulator_port}/_sim/health"
    try:
        assert _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60)
        assert _answers(simulator_health), "serve did not start the demo simulator"
        server.kill()
        server.wait(timeout=30)
        assert _wait_for(lambda: not _answers(simulator_health), 10), "simulator left running"
    finally:
        if server.poll() is None:
            server.kill()
