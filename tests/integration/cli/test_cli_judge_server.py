"""`benchstudio judge run|compare|report --server` against a live server (uvicorn on a free
port) whose judge is the simulator's scripted judge: submit, follow, print, write JSON."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from test_cli_judge import _evals_driver
from typer.testing import CliRunner

from benchstudio.app import create_app
from benchstudio.cli.main import app
from benchstudio.config import Settings
from benchstudio.judge.service import prompt_source
from benchstudio.storage.service_context import ServiceContext

RUNNER = CliRunner()
BODIES = {
    "builtin-judge-compare": (
        "Which is better (judge_comparison)? [sim-judge: favour;position=A]\n"
        "{case_prompt}\nA:\n{transcript_a}\nB:\n{transcript_b}"
    ),
    "builtin-judge-verdict": (
        "Grade (judge_verdict). [sim-judge: verdict;verdict=fail;score=1]\n"
        "{case_prompt}\n{expected_calls}\n{transcript}"
    ),
    "builtin-judge-report": "Review.\n{figures}\n{chunk}\n---REDUCE---\nMerge.\n{partials}",
}


@dataclass(frozen=True)
class _Prompt:
    entry_id: str
    version: int
    body: str


async def _resolve(ctx: ServiceContext, entry_id: str, version: int | None) -> _Prompt:
    from benchstudio.core.errors import NotFoundError

    if entry_id not in BODIES:
        raise NotFoundError("No such prompt.")
    return _Prompt(entry_id, 1, BODIES[entry_id])


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with _evals_driver().SimulatorThread() as sim:
        yield sim.base_url + "/v1"


@pytest.fixture
def server_url(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(prompt_source, "_resolver", [_resolve])
    # The app wires the real library at start-up: keep these scripted bodies.
    monkeypatch.setattr("benchstudio.app.register_prompt_source", lambda *_: None)
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


def _world(url: str, sim_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A user with a token, the sample suite run by `good` and `sloppy`, a judge model."""
    with httpx.Client(base_url=url, timeout=30) as http:
        signed = http.post(
            "/api/auth/register",
            json={"email": "cli-judge@example.com", "password": "password-123"},
        )
        http.headers["Authorization"] = f"Bearer {signed.json()['access_token']}"
        token = http.post("/api/auth/tokens", json={"name": "cli", "scopes": ["read", "run"]})
        monkeypatch.setenv("BENCHSTUDIO_TOKEN", token.json()["token"])
        suite = http.post("/api/suites/sample").json()
        body = {"name": "Sim", "protocol": "openai", "base_url": sim_url}
        provider = http.post("/api/providers", json=body).json()
        judge = http.post("/api/models", json={"provider_id": provider["id"], "model_id": "judge"})
        targets = [{"provider_id": provider["id"], "model_id": m} for m in ("good", "sloppy")]
        run = http.post("/api/evals", json={"suite_id": suite["id"], "targets": targets}).json()
        deadline = time.monotonic() + 60
        while http.get(f"/api/jobs/{run['job_id']}").json()["status"] != "done":
            assert time.monotonic() < deadline, "the eval did not finish"
            time.sleep(0.1)
    return {"run": run["run"]["id"], "judge": judge.json()["id"]}


def _cli(*args: str) -> Any:
    outcome = RUNNER.invoke(app, ["judge", *args])
    assert outcome.exit_code == 0, outcome.output
    return outcome


def test_run_compare_and_report_through_the_server(
    server_url: str, sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(server_url, sim_url, monkeypatch)
    common = ["--server", server_url, "--judge-model-id", world["judge"]]

    compared = tmp_path / "compare.json"
    outcome = _cli(
        "compare", world["run"], "--target-a", "good", "--target-b", "sloppy",
        *common, "--output", str(compared),
    )  # fmt: skip
    result = json.loads(compared.read_text())
    assert result["summary"]["win_rate"] == 0.5
    assert result["summary"]["inconsistency_rate"] == 1.0
    assert len(result["pairs"]) == 8
    assert "position inconsistency 100.0%" in outcome.output

    judged = tmp_path / "cases.json"
    _cli("run", world["run"], "--target", "good", *common, "--output", str(judged))
    cases = json.loads(judged.read_text())
    assert cases["kind"] == "cases" and len(cases["cases"]) == 8
    assert {c["verdict"] for c in cases["cases"]} == {"fail"}

    # The simulator writes the findings from the cases it is shown: the judge failed all eight,
    # so the grade is F whatever the automated pass rate, and every finding cites real cases.
    reported = RUNNER.invoke(app, ["judge", "report", world["run"], "--target", "good", *common])
    assert reported.exit_code == 0, reported.output
    assert "grade F" in reported.output
    assert "weakness: Fails 2 of 2 simple cases." in reported.output
    assert "Calls  with" not in reported.output
    assert "8 cases used · 0 unknown citations dropped" in reported.output


def test_server_mode_needs_the_targets_and_the_judge(server_url: str) -> None:
    outcome = RUNNER.invoke(app, ["judge", "compare", "run-id", "--server", server_url])
    assert outcome.exit_code == 1
    assert "--target-a, --target-b, --judge-model-id" in outcome.output
