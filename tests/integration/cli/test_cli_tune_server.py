"""`benchstudio tune --server URL` against a live server (uvicorn on a free port) whose provider
is the demo simulator: the run is submitted by names, followed to its end and written in the
same shape as a local study, every figure equal to the server's own detail."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from test_cli_tune import MODEL, DemoSimulator, _text, _tune
from test_experiment_cli import _sign_up, server_url
from typer.testing import CliRunner

from benchstudio.cli import tune_cmd
from benchstudio.toolcall.samples import sample_suite_text

RUNNER = CliRunner()
__all__ = ["server_url"]  # the live-server fixture, shared with the experiment CLI tests


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with DemoSimulator() as sim:
        yield sim.base_url


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tune_cmd, "console", Console(width=220))
    monkeypatch.setattr(tune_cmd, "err_console", Console(width=220, stderr=True))


GRID = ("--param", "temperature=0.2:1.0:0.4", "--param", "top_p=0.6:1:0.4", "--strategy", "grid")


def test_a_server_tune_matches_the_servers_detail_and_the_local_shape(
    server_url: str, sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, token = _sign_up(server_url, "cli-tune@example.com")
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", token)
    suite = http.post("/api/suites/sample").json()
    body = {"name": "Sim", "protocol": "openai", "base_url": sim_url}
    assert http.post("/api/providers", json=body).status_code == 201
    output = tmp_path / "server.json"
    outcome = _tune(
        "--server", server_url, "--suite", suite["name"], "--provider", "sim", "--model", MODEL,
        *GRID, "--no-prune", "--trials", "20", "--output", str(output),
    )  # fmt: skip
    text = _text(outcome)
    assert "Search space for benchstudio-sim-tunable" in text
    assert "trials planned" in text and "submitted: tuner run" in text
    data = json.loads(output.read_text())
    detail = http.get(f"/api/tuning/runs/{data['run']['id']}").json()
    assert data["stop_reason"] == detail["run"]["stop_reason"] == "space_exhausted"
    # The provider-default baseline and the 3 x 2 grid.
    assert len(data["trials"]) == len(detail["trials"]) == 7
    stored = {t["number"]: t for t in detail["trials"]}
    for trial in data["trials"]:
        twin = stored[trial["number"]]
        for key in ("kind", "state", "point", "effective", "score", "score_ci95", "calls"):
            assert trial[key] == twin[key], key
    best = detail["results"]["best_trial_id"]
    assert data["best"]["number"] == next(t["number"] for t in detail["trials"] if t["id"] == best)
    assert data["best"]["score"] == max(t["score"] for t in data["trials"])
    assert [b["kind"] for b in data["baselines"]] == ["baseline_default"]
    # The same document as a local study of the same space.
    local = tmp_path / "local.json"
    suite_file = tmp_path / "suite.json"
    suite_file.write_text(sample_suite_text())
    _tune(
        "--suite", str(suite_file), "--base-url", sim_url, "--model", MODEL, *GRID,
        "--no-prune", "--output", str(local),
    )  # fmt: skip
    mine = json.loads(local.read_text())
    assert set(mine) == set(data)
    assert set(mine["trials"][0]) == set(data["trials"][0])
    assert set(mine["best"]) == set(data["best"])
    assert set(mine["baselines"][0]) == set(data["baselines"][0])


def test_server_refusals(
    server_url: str, sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, token = _sign_up(server_url, "cli-tune-refusals@example.com")
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", token)
    suite = http.post("/api/suites/sample").json()
    outcome = _tune(
        "--server", server_url, "--suite", suite["id"], "--provider", "nobody", "--model", MODEL,
        *GRID, code=1,
    )  # fmt: skip
    assert "no single provider named 'nobody'" in _text(outcome)
    outcome = _tune(
        "--server", server_url, "--suite", suite["id"], "--base-url", sim_url, "--model", MODEL,
        *GRID, code=2,
    )  # fmt: skip
    assert "--server runs the server's providers" in _text(outcome)


def test_ctrl_c_cancels_the_job_and_resume_continues_the_study(
    server_url: str, sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, token = _sign_up(server_url, "cli-tune-cancel@example.com")
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", token)
    suite = http.post("/api/suites/sample").json()
    body = {"name": "Sim", "protocol": "openai", "base_url": sim_url}
    assert http.post("/api/providers", json=body).status_code == 201
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    command = [
        str(Path(sys.executable).with_name("benchstudio")), "tune", "--server", server_url,
        "--suite", suite["id"], "--provider", "Sim", "--model", MODEL,
        "--param", "temperature=0:1.5", "--param", "top_p=0.5:1", "--strategy", "random",
        "--trials", "8", "--concurrency", "1", "--no-prune", "--output", str(first),
    ]  # fmt: skip
    env = {**os.environ, "BENCHSTUDIO_TOKEN": token, "COLUMNS": "200"}
    process = subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stderr is not None
    for line in process.stderr:  # the first finished trial: interrupt the study
        if line.strip().startswith("trial 0 "):
            process.send_signal(signal.SIGINT)
            break
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 130, rest
    cancelled = json.loads(first.read_text())
    assert cancelled["stop_reason"] == "cancelled"
    kept = [t for t in cancelled["trials"] if t["state"] == "complete"]
    assert kept and kept[0]["kind"] == "baseline_default" and len(cancelled["trials"]) < 8
    [job_id] = re.findall(r"benchstudio tune resume (\w+) --server", rest)
    _tune("resume", job_id, "--server", server_url, "--output", str(second))
    resumed = json.loads(second.read_text())
    assert resumed["stop_reason"] == "max_trials" and len(resumed["trials"]) == 8
    numbers = [t["number"] for t in resumed["trials"]]
    assert numbers == sorted(set(numbers))
    by_number = {t["number"]: t for t in resumed["trials"]}
    for trial in kept:  # finished trials were kept as they were, under their numbers
        assert by_number[trial["number"]]["point"] == trial["point"]
        assert by_number[trial["number"]]["score"] == trial["score"]
    assert [t["kind"] for t in resumed["trials"]].count("baseline_default") == 1
