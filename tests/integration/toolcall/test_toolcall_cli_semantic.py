"""`eval score` and `eval run` with `semantic` arguments: refused without an embeddings model
(with the hint), scored with one against the simulator's `/v1/embeddings` in one batch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from benchstudio.cli.main import app
from benchstudio.simulator import SimulatorServer

RUNNER = CliRunner()
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def _case(case_id: str, city: str) -> dict[str, Any]:
    return {
        "id": case_id,
        "prompt": f"Weather in {city}?",
        "expected_calls": [
            {
                "name": "get_weather",
                "arguments": {"city": {"acceptable": [city], "match": "semantic"}},
            }
        ],
    }


def _files(tmp_path: Path) -> tuple[Path, Path]:
    suite = tmp_path / "suite.json"
    cases = [_case("france", "Paris, France"), _case("japan", "Tokyo"), _case("again", "Paris")]
    suite.write_text(json.dumps({"name": "semantic", "tools": [TOOL], "cases": cases}))
    outputs = tmp_path / "outputs.jsonl"
    lines = [
        {"case_id": case_id, "tool_calls": [{"name": "get_weather", "arguments": arguments}]}
        for case_id, arguments in (
            ("france", '{"city": "Paris"}'),
            ("japan", '{"city": "Paris"}'),
            ("again", '{"city": "paris!"}'),  # equal once normalised: no similarity needed
        )
    ]
    outputs.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return suite, outputs


def test_eval_score_and_run_refuse_semantic_suites_without_an_embeddings_model(
    tmp_path: Path,
) -> None:
    suite, outputs = _files(tmp_path)
    scored = RUNNER.invoke(app, ["eval", "score", "--suite", str(suite), "--outputs", str(outputs)])
    assert scored.exit_code == 1
    said = " ".join(scored.output.split())  # rich wraps long lines
    assert "--embedding-model" in said and "(first: france: get_weather.city)" in said
    ran = RUNNER.invoke(
        app,
        ["eval", "run", "--suite", str(suite), "--base-url", "http://127.0.0.1:9", "--model", "m"],
    )
    assert ran.exit_code == 1 and "--embedding-model" in ran.output


def test_eval_score_with_an_embeddings_model_batches_every_case(
    tmp_path: Path, scripted_simulator: SimulatorServer
) -> None:
    suite, outputs = _files(tmp_path)
    verdicts = tmp_path / "verdicts.jsonl"
    log = f"{scripted_simulator.base_url}/_sim/requests?limit=1000"
    before = len(httpx.get(log).json()["items"])
    args = ["eval", "score", "--suite", str(suite), "--outputs", str(outputs)]
    args += ["--embedding-model", "embed-small", "--output", str(verdicts)]
    args += ["--embedding-base-url", f"{scripted_simulator.base_url}/v1"]
    scored = RUNNER.invoke(app, [*args, "--semantic-threshold", "0.5"])
    assert scored.exit_code == 0, scored.output
    rows = {row["case_id"]: row for row in map(json.loads, verdicts.read_text().splitlines())}
    assert rows["france"]["pass"] and rows["again"]["pass"] and not rows["japan"]["pass"]
    assert rows["france"]["semantic"][0]["similarity"] > 0.5
    assert rows["again"]["semantic"][0]["similarity"] == 1.0
    new = httpx.get(log).json()["items"][before:]
    assert [item["path"] for item in new] == ["/v1/embeddings"]  # every case in one batch
