"""`benchstudio experiment …` and `eval run --server --experiment` against a live server (uvicorn
on a free port) whose provider is the scripted tool-calling simulator: on the shipped sample
suite (8 cases) `good` passes every case and `sloppy` none, so every score, difference and
p-value below is known by hand."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import Result
from rich.console import Console
from test_cli_judge import _evals_driver
from typer.testing import CliRunner

from benchstudio.app import create_app
from benchstudio.cli import eval_cmd, experiment_cmd
from benchstudio.cli.main import app
from benchstudio.config import Settings

RUNNER = CliRunner()
CASES = 8  # the sample suite's
# McNemar exact, two-sided, 8 discordant cases all one way: 2 * (1/2)^8.
P_ALL_EIGHT = 2 * 0.5**8
# Newcombe's paired interval for 8/8 vs 0/8 (phi is 0: a margin is empty): the Wilson bound of
# 0/8 is z²/(n+z²) = 3.8415/11.8415 = 0.32441, so the lower end is 1 - √2·0.32441 = 0.54121.
CI_LOW = 1 - (2 * (1.959964**2 / (8 + 1.959964**2)) ** 2) ** 0.5


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with _evals_driver().SimulatorThread() as sim:
        yield sim.base_url + "/v1"


@pytest.fixture
def server_url(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # Wide consoles that write wherever the runner captures (no wrapping of long lines).
    for module in (experiment_cmd, eval_cmd):
        monkeypatch.setattr(module, "console", Console(width=220))
        monkeypatch.setattr(module, "err_console", Console(width=220, stderr=True))
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


def _sign_up(url: str, email: str) -> tuple[httpx.Client, str]:
    """A signed-in API client and a personal token (read, run) of a new user."""
    http = httpx.Client(base_url=url, timeout=30)
    signed = http.post("/api/auth/register", json={"email": email, "password": "password-123"})
    assert signed.status_code == 201, signed.text
    http.headers["Authorization"] = f"Bearer {signed.json()['access_token']}"
    token = http.post("/api/auth/tokens", json={"name": "cli", "scopes": ["read", "run"]})
    assert token.status_code == 201, token.text
    return http, str(token.json()["token"])


def _world(url: str, sim_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    http, token = _sign_up(url, "cli-experiments@example.com")
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", token)
    suite = http.post("/api/suites/sample").json()
    body = {"name": "Sim", "protocol": "openai", "base_url": sim_url}
    provider = http.post("/api/providers", json=body).json()
    return {"http": http, "token": token, "suite": suite, "provider": provider["id"]}


def _cli(*args: str, code: int = 0) -> Result:
    outcome = RUNNER.invoke(app, list(args))
    assert outcome.exit_code == code, outcome.output
    return outcome


def _json(*args: str) -> Any:
    return json.loads(_cli(*args, "--output", "json").stdout)


def _wait(http: httpx.Client, job_id: str) -> None:
    deadline = time.monotonic() + 60
    while http.get(f"/api/jobs/{job_id}").json()["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, "the eval did not finish"
        time.sleep(0.05)


def _results(detail: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["eval_run_id"], r["target"]): r for r in detail["results"] if r["kind"] == "eval"}


def _run_ids(http: httpx.Client, experiment_id: str) -> list[str]:
    page = http.get("/api/evals", params={"experiment_id": experiment_id, "limit": 50}).json()
    return [r["id"] for r in reversed(page["items"])]  # oldest first


def test_create_run_compare_baseline_and_rerun_best(
    server_url: str, sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(server_url, sim_url, monkeypatch)
    http: httpx.Client = world["http"]
    server = ["--server", server_url]
    created = _json(
        "experiment", "create", "--name", "Prompt trial", "--suite", world["suite"]["name"],
        "--model", "Sim=sloppy=Sloppy", "--model", f"{world['provider']}=good=Good",
        "--description", "sloppy first", *server,
    )  # fmt: skip
    exp = created["id"]
    assert (created["suite_id"], created["suite_version"], created["profile"]) == (
        world["suite"]["id"],
        1,
        "lenient",
    )
    assert [(m["label"], m["model_id"]) for m in created["models"]] == [
        ("Sloppy", "sloppy"),
        ("Good", "good"),
    ]
    assert created["results"] == [] and created["comparison"] is None

    # Nothing to re-run yet: the server's 409 is exit 1 with its words.
    refused = _cli("experiment", "rerun-best", exp, *server, code=1)
    assert "server:" in refused.output and "409" in refused.output

    # The first run (sloppy, 0/8) is the baseline; it is also the only, so the best.
    first = _cli("eval", "run", "--experiment", exp, "--model", "Sloppy", *server)
    assert f"filed under experiment Prompt trial ({exp})" in first.output
    assert "0/8" in first.output and "baseline: Sloppy 0.0% (0/8)" in first.output
    # A strict-profile run of good (8/8) is shown apart: never the best.
    strict = _cli("eval", "run", "--experiment", exp, "--model", "good", "--profile", "strict",
                  *server)  # fmt: skip
    assert "this experiment uses lenient, so the run is shown apart" in strict.output
    detail = _json("experiment", "show", exp, *server)
    sloppy_run, strict_run = _run_ids(http, exp)
    results = _results(detail)
    assert results[(strict_run, "Good")]["on_scale"] is False
    assert results[(strict_run, "Good")]["off_scale_reason"] == (
        "scored with profile strict; this experiment uses lenient"
    )
    assert results[(strict_run, "Good")]["is_best"] is False
    assert results[(sloppy_run, "Sloppy")]["is_baseline"] is True
    assert results[(sloppy_run, "Sloppy")]["is_best"] is True
    assert detail["comparison"] is None

    # Good on the scale, with explicit settings the re-run must carry over.
    export = tmp_path / "good.json"
    _cli("eval", "run", "--experiment", exp, "--model", "Good", "--temperature", "0.2",
         "--system-prompt", "Use the tools.", "--seed", "7", "--output", str(export),
         *server)  # fmt: skip
    assert json.loads(export.read_text())["targets"][0]["label"] == "Good"
    good_run = _run_ids(http, exp)[-1]
    detail = _json("experiment", "show", exp, *server)
    assert (detail["baseline_score"], detail["best_score"]) == (0.0, 1.0)
    comparison = detail["comparison"]
    assert comparison["baseline"]["eval_run_id"] == sloppy_run
    assert comparison["best"]["eval_run_id"] == good_run
    assert comparison["difference"] == 1.0 and comparison["paired"] is True
    assert comparison["test"] == "mcnemar_exact" and comparison["significant"] is True
    assert comparison["p_value"] == pytest.approx(P_ALL_EIGHT)
    assert comparison["ci95"] == pytest.approx([CI_LOW, 1.0], abs=1e-4)
    shown = _cli("experiment", "show", exp, *server).output
    assert "best:     Good 100.0% (8/8)" in shown
    assert "best vs baseline: +100.0 points, 95% CI +54.1 points to +100.0 points" in shown
    assert "McNemar exact, paired by case p = 0.00781 (significant at 5%)" in shown
    assert "scored with profile strict; this experiment uses lenient" in shown

    # Choose the good run as baseline (its only target here), then go back to the first.
    chosen = _json("experiment", "baseline", exp, "--run", good_run, *server)
    assert chosen["baseline_chosen"] is True and chosen["comparison"] is None
    assert _results(chosen)[(good_run, "Good")]["is_baseline"] is True
    off = _cli("experiment", "baseline", exp, "--run", strict_run, "--target", "Good", *server,
               code=1)  # fmt: skip
    assert "422" in off.output
    back = _json("experiment", "baseline", exp, "--first", *server)
    assert back["baseline_chosen"] is False
    assert _results(back)[(sloppy_run, "Sloppy")]["is_baseline"] is True

    # Re-run best: the same configuration, filed here; a tie leaves the best where it was.
    rerun = _json("experiment", "rerun-best", exp, *server)
    assert rerun["job"]["status"] == "done"
    assert rerun["best"]["eval_run_id"] == good_run
    assert (rerun["result"]["score"], rerun["result"]["passed"]) == (1.0, CASES)
    run = rerun["run"]
    assert (run["suite_version"], run["profile"], run["models"]) == (1, "lenient", ["Good"])
    assert run["settings"]["temperature"] == 0.2
    assert run["settings"]["system_prompt"] == "Use the tools."
    assert run["settings"]["params"]["seed"] == 7
    after = _json("experiment", "show", exp, *server)
    assert _results(after)[(good_run, "Good")]["is_best"] is True
    assert _results(after)[(run["id"], "Good")]["is_best"] is False
    text = _cli("experiment", "rerun-best", exp, *server).output
    assert "re-run Good: 100.0% (8/8) vs best 100.0% (8/8) (+0.0 points)" in text
    queued = _json("experiment", "rerun-best", exp, "--no-wait", *server)
    assert queued["run"]["suite_version"] == 1 and queued["job_id"]
    _wait(http, queued["job_id"])

    listed = _json("experiment", "list", *server)
    assert [(e["id"], e["run_count"], e["baseline_score"], e["best_score"]) for e in
            listed["items"]] == [(exp, 6, 0.0, 1.0)]  # fmt: skip
    table = _cli("experiment", "list", *server).output
    assert "Prompt trial" in table and "100.0%" in table


def test_file_unfile_move_and_isolation(
    server_url: str, sim_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = _world(server_url, sim_url, monkeypatch)
    http: httpx.Client = world["http"]
    server = ["--server", server_url]
    model = "Sim=good=Good"
    exp = _json("experiment", "create", "--name", "One", "--suite", world["suite"]["id"],
                "--model", model, *server)["id"]  # fmt: skip
    other = _json("experiment", "create", "--name", "Two", "--suite", world["suite"]["id"],
                  "--model", model, *server)["id"]  # fmt: skip
    # A run on the suite's next version, started outside the experiment, then filed.
    renamed = http.patch(f"/api/suites/{world['suite']['id']}", json={"name": "Trips"})
    assert renamed.json()["version"] == 2
    targets = [{"provider_id": world["provider"], "model_id": "good", "label": "Good"}]
    submitted = http.post("/api/evals", json={"suite_id": world["suite"]["id"], "targets": targets})
    assert submitted.status_code == 202, submitted.text
    run_id = submitted.json()["run"]["id"]
    _wait(http, submitted.json()["job_id"])

    filed = _json("experiment", "file", exp, "--eval", run_id, *server)
    result = _results(filed)[(run_id, "Good")]
    assert result["off_scale_reason"] == "suite version 2; this experiment is on version 1"
    assert (result["is_best"], result["is_baseline"], result["score"]) == (False, False, 1.0)
    assert (
        "suite version 2; this experiment is on version 1"
        in _cli("experiment", "show", exp, *server).output
    )
    assert http.get(f"/api/evals/{run_id}").json()["experiment_id"] == exp

    # Filed elsewhere: refused (409, naming it) unless moved.
    taken = _cli("experiment", "file", other, "--eval", run_id, *server, code=1)
    assert "409" in taken.output
    moved = _json("experiment", "file", other, "--eval", run_id, "--move", *server)
    assert [r["eval_run_id"] for r in moved["results"]] == [run_id]
    assert _json("experiment", "show", exp, *server)["results"] == []
    unfiled = _json("experiment", "unfile", other, "--eval", run_id, *server)
    assert unfiled["results"] == []
    assert http.get(f"/api/evals/{run_id}").json()["experiment_id"] is None

    # Another user: every command answers as for a missing experiment; nothing changes.
    _, foreign = _sign_up(server_url, "cli-experiments-b@example.com")
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", foreign)
    for args in (
        ("show", exp),
        ("file", exp, "--eval", run_id),
        ("baseline", exp, "--first"),
        ("rerun-best", exp),
        ("delete", exp, "--yes"),
    ):
        refused = _cli("experiment", *args, *server, code=1)
        assert "404" in refused.output, args
    assert _json("experiment", "list", *server)["items"] == []
    stolen = _cli("eval", "run", "--experiment", exp, *server, code=1)
    assert "404" in stolen.output

    # Back as the owner: delete keeps the runs.
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", world["token"])
    _cli("experiment", "file", exp, "--eval", run_id, *server)
    gone = _json("experiment", "delete", exp, "--yes", *server)
    assert gone == {"deleted": "experiment", "id": exp}
    assert http.get(f"/api/evals/{run_id}").json()["experiment_id"] is None
    assert _cli("experiment", "show", exp, *server, code=1)


def test_refusals_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", "bst_unused")
    server = ["--server", "http://127.0.0.1:9"]
    bad_model = RUNNER.invoke(app, ["experiment", "create", "--name", "x", "--suite", "s",
                                    "--model", "no-equals", *server])  # fmt: skip
    assert bad_model.exit_code == 2 and "PROVIDER=MODEL[=LABEL]" in bad_model.output
    both = RUNNER.invoke(app, ["experiment", "file", "e", "--eval", "r", "--judge", "j", *server])
    assert both.exit_code == 1 and "Give one of --eval RUN_ID or --judge REPORT_ID" in both.output
    no_server = RUNNER.invoke(app, ["eval", "run", "--experiment", "e"])
    assert no_server.exit_code == 1 and "--experiment needs --server" in no_server.output
    local = RUNNER.invoke(app, ["eval", "run", "--experiment", "e", "--base-url", "http://x",
                                *server])  # fmt: skip
    assert local.exit_code == 1 and "drop --suite, --base-url" in local.output
    unreachable = RUNNER.invoke(app, ["experiment", "list", *server])
    assert unreachable.exit_code == 1 and "cannot reach the server" in unreachable.output
