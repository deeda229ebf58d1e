"""`benchstudio bench --server URL` and `bench import --server URL` against a live uvicorn
server (started here on a free port) whose demo provider is an in-process simulator."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from benchruns_driver import SimulatorThread, fast_settings, simulator_config

from benchstudio.app import create_app
from benchstudio.config import Settings

CLI = [sys.executable, "-m", "benchstudio"]


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[self._socket])), daemon=True
        )

    def __enter__(self) -> LiveServer:
        self._thread.start()
        for _ in range(200):
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code < 500:
                    return self
            except httpx.HTTPError:
                pass
            threading.Event().wait(0.05)
        raise AssertionError("server did not start")

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(30)
        self._socket.close()


@pytest.fixture
def server(settings: Settings) -> Iterator[LiveServer]:
    with (
        SimulatorThread(simulator_config()) as sim,
        LiveServer(fast_settings(settings, sim.base_url)) as live,
    ):
        yield live


def _token(url: str) -> str:
    with httpx.Client(base_url=url) as http:
        signed = http.post(
            "/api/auth/register", json={"email": "cli@example.com", "password": "password-123"}
        )
        assert signed.status_code == 201, signed.text
        created = http.post(
            "/api/auth/tokens",
            json={"name": "cli", "scopes": ["read", "run"]},
            headers={"Authorization": f"Bearer {signed.json()['access_token']}"},
        )
        assert created.status_code == 201, created.text
        return str(created.json()["token"])


def _cli(token: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCHSTUDIO_")}
    env.update(BENCHSTUDIO_TOKEN=token, HOME=str(tmp_path), COLUMNS="200")
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_bench_server_runs_a_job_and_import_uploads_a_local_result(
    server: LiveServer, tmp_path: Path
) -> None:
    token = _token(server.url)
    output = tmp_path / "results.json"
    done = _cli(
        token, tmp_path,
        "bench", "--server", server.url, "--provider", "Simulator (demo)",
        "--model", "benchstudio-sim", "--runs", "3", "--warmup", "1", "--max-tokens", "8",
        "--output", str(output),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Speed results (completed)" in done.stdout and "submitted: run" in done.stderr
    data = json.loads(output.read_text())
    assert data["schema"] == "benchstudio.bench/1" and len(data["requests"]) == 4
    headers = {"Authorization": f"Bearer {token}"}
    history = httpx.get(f"{server.url}/api/benchmarks", headers=headers).json()
    assert [r["id"] for r in history["items"]] == [data["run_id"]]
    imported = _cli(token, tmp_path, "bench", "import", str(output), "--server", server.url)
    assert imported.returncode == 0, imported.stderr
    assert "imported run" in imported.stderr
    history = httpx.get(f"{server.url}/api/benchmarks", headers=headers).json()
    assert history["total"] == 2 and history["items"][0]["source"] == "import"
    unknown = _cli(token, tmp_path, "bench", "--server", server.url, "--provider", "nope",
                   "--model", "x")  # fmt: skip
    assert unknown.returncode == 1 and "no single provider" in unknown.stderr
    no_token = _cli("", tmp_path, "bench", "import", str(output), "--server", server.url)
    assert no_token.returncode == 1 and "BENCHSTUDIO_TOKEN" in no_token.stderr


def _measuring_pid(timeout_s: float = 60.0) -> int:
    """The pid of the server's (only) measuring child, once it has stored some requests."""
    deadline = time.monotonic() + timeout_s
    while True:
        children = [c for c in multiprocessing.active_children() if c.name.startswith("benchmark-")]
        if children and children[0].pid is not None:
            return children[0].pid
        assert time.monotonic() < deadline, "no measuring child"
        time.sleep(0.05)


def test_bench_server_reports_an_interrupted_job_and_bench_resume_finishes_it(
    server: LiveServer, tmp_path: Path
) -> None:
    token = _token(server.url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCHSTUDIO_")}
    env.update(BENCHSTUDIO_TOKEN=token, HOME=str(tmp_path), COLUMNS="200")
    err_log = tmp_path / "bench.err"
    following = subprocess.Popen(
        [*CLI, "bench", "--server", server.url, "--provider", "Simulator (demo)",
         "--model", "slow-sim", "--runs", "15", "--warmup", "0", "--max-tokens", "64"],
        stdout=subprocess.DEVNULL, stderr=err_log.open("w"), text=True, env=env,
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    pid = _measuring_pid()
    deadline = time.monotonic() + 60
    while True:  # some requests stored first, so there is something to keep
        runs = httpx.get(f"{server.url}/api/benchmarks", headers=headers).json()["items"]
        if runs:
            rows = httpx.get(f"{server.url}/api/benchmarks/{runs[0]['id']}/requests?limit=1",
                             headers=headers).json()  # fmt: skip
            if rows["total"] >= 2:
                break
        assert time.monotonic() < deadline, "no rows stored"
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    following.wait(timeout=120)
    stderr = err_log.read_text()
    assert following.returncode == 1, stderr
    assert "KeyError" not in stderr and "Traceback" not in stderr
    assert "job interrupted:" in stderr and "stopped unexpectedly" in stderr
    job_id = runs[0]["job_id"]
    assert f"benchstudio bench resume {job_id} --server {server.url}" in stderr
    kept = int(stderr.split("kept: ")[1].split()[0])
    assert kept >= 2
    resumed = _cli(token, tmp_path, "bench", "resume", job_id, "--server", server.url)
    assert resumed.returncode == 0, resumed.stderr
    assert "Speed results (completed)" in resumed.stdout
    again = _cli(token, tmp_path, "bench", "resume", job_id, "--server", server.url)
    assert again.returncode == 1 and "Only interrupted jobs" in again.stderr
