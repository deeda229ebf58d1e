"""`benchstudio tune --server URL --objective judge`: the judge is one of the server's catalog
models, named by its display name (resolved to its id); the server judges each trial run live
and the CLI writes the judge's scores and names the judge, in the local study's shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_tune import MODEL, _text, _tune
from test_cli_tune_judge import GRID, JUDGE_MODEL, JUDGED, SUITE, sim_url, wide_consoles
from test_experiment_cli import _sign_up, server_url

# Fixtures shared with the experiment CLI tests (the live server) and the local judged tune
# tests (the simulator, wide consoles).
__all__ = ["server_url", "sim_url", "wide_consoles"]


def test_a_server_tune_scored_by_a_catalog_judge(
    server_url: str, sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, token = _sign_up(server_url, "cli-tune-judge@example.com")
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", token)
    suite = http.post("/api/suites", json=SUITE)
    assert suite.status_code == 201, suite.text
    body = {"name": "Sim", "protocol": "openai", "base_url": sim_url}
    provider = http.post("/api/providers", json=body).json()
    model = {"provider_id": provider["id"], "model_id": JUDGE_MODEL, "display_name": "Sim judge"}
    judge = http.post("/api/models", json=model)
    assert judge.status_code == 201, judge.text
    output = tmp_path / "server.json"
    outcome = _tune(
        "--server", server_url, "--suite", SUITE["name"], "--provider", "Sim", "--model", MODEL,
        *GRID, "--objective", "judge", "--judge-model-id", "sim judge",
        "--output", str(output),
    )  # fmt: skip
    data = json.loads(output.read_text())
    detail = http.get(f"/api/tuning/runs/{data['run']['id']}").json()
    assert detail["run"]["objective"]["source"] == "judge"
    assert detail["run"]["objective"]["judge_model_ref_id"] == judge.json()["id"]
    assert data["objective"] == {
        "source": "judge",
        "metric": "pass_rate",
        "minimize": [],
        "label": "judge score",
        "judge": {
            "model": JUDGE_MODEL,
            "name": "Sim judge",
            "model_ref_id": judge.json()["id"],
            "base_url": sim_url,
            "protocol": "openai",
        },
    }
    assert len(data["trials"]) == 4
    for trial in data["trials"]:
        assert trial["state"] == "complete"
        assert trial["score"] == pytest.approx(JUDGED)  # the judge's, Rome left out
        assert trial["repeat_scores"] == pytest.approx([JUDGED, JUDGED])
    assert data["best"]["score"] == pytest.approx(JUDGED)
    assert "Objective: judge score (judge: Sim judge at" in _text(outcome)


def test_an_unknown_judge_model_is_refused_by_the_server(
    server_url: str, sim_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, token = _sign_up(server_url, "cli-tune-judge-unknown@example.com")
    monkeypatch.setenv("BENCHSTUDIO_TOKEN", token)
    suite = http.post("/api/suites/sample").json()
    body = {"name": "Sim", "protocol": "openai", "base_url": sim_url}
    assert http.post("/api/providers", json=body).status_code == 201
    outcome = _tune(
        "--server", server_url, "--suite", suite["id"], "--provider", "Sim", "--model", MODEL,
        *GRID, "--objective", "judge", "--judge-model-id", "nobody", code=1,
    )  # fmt: skip
    assert "server: No such model. (HTTP 404)" in _text(outcome)
