"""`benchstudio suite create|rename|delete` and `eval delete` against a live server (uvicorn on a
free port), with a personal API token."""

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

from benchstudio.app import create_app
from benchstudio.config import Settings

CLI = [sys.executable, "-m", "benchstudio"]


@pytest.fixture
def server_url(settings: Settings) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                threading.Event().wait(0.05)
        yield url
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def _token(url: str, email: str) -> str:
    with httpx.Client(base_url=url) as http:
        signed = http.post("/api/auth/register", json={"email": email, "password": "password-123"})
        assert signed.status_code == 201, signed.text
        created = http.post(
            "/api/auth/tokens",
            json={"name": "cli", "scopes": ["read", "run"]},
            headers={"Authorization": f"Bearer {signed.json()['access_token']}"},
        )
        assert created.status_code == 201, created.text
        return str(created.json()["token"])


def _cli(
    token: str, tmp_path: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCHSTUDIO_")}
    env.update(BENCHSTUDIO_TOKEN=token, HOME=str(tmp_path), COLUMNS="200")
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120,
        check=False,
    )  # fmt: skip


def test_suite_create_rename_delete_and_eval_delete(server_url: str, tmp_path: Path) -> None:
    token = _token(server_url, "cli@example.com")
    created = _cli(token, tmp_path, "suite", "create", "--name", "Scratch", "--description",
                   "tries", "--server", server_url, "--output", "json")  # fmt: skip
    assert created.returncode == 0, created.stderr
    suite = json.loads(created.stdout)
    assert (suite["name"], suite["description"], suite["case_count"]) == ("Scratch", "tries", 0)
    renamed = _cli(token, tmp_path, "suite", "rename", suite["id"], "Trips",
                   "--server", server_url)  # fmt: skip
    assert renamed.returncode == 0, renamed.stderr
    assert f"Renamed suite Trips (id {suite['id']}, version 2, 0 cases)" in renamed.stdout
    # Another user's token finds nothing to rename or delete.
    other = _token(server_url, "other@example.com")
    foreign = _cli(other, tmp_path, "suite", "rename", suite["id"], "Mine", "--server", server_url)
    assert foreign.returncode == 1 and "No such suite" in foreign.stderr
    kept = _cli(
        token, tmp_path, "suite", "delete", suite["id"], "--server", server_url, stdin="n\n"
    )
    assert kept.returncode == 2 and "Nothing deleted" in kept.stderr
    deleted = _cli(token, tmp_path, "suite", "delete", suite["id"], "--yes",
                   "--server", server_url, "--output", "json")  # fmt: skip
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {"deleted": "suite", "id": suite["id"]}
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server_url}/api/suites", headers=headers).json()["total"] == 0
    missing = _cli(token, tmp_path, "eval", "delete", "0" * 26, "--yes", "--server", server_url)
    assert missing.returncode == 1 and "server:" in missing.stderr
