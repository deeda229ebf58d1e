"""`benchstudio bench --server URL` and `bench import --server URL` against a live uvicorn
server (started here on a free port) whose demo provider is an in-process simulator."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
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
