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


def _chat_requests(simulator: SimulatorServer, before: int) -> list[dict[str, Any]]:
    items = httpx.get(f"{simulator.base_url}/_sim/requests?limit=1000").json()["items"]
    return [item for item in items[before:] if item["path"] == "/v1/chat/completions"]


def _logged(simulator: SimulatorServer) -> int:
    return len(httpx.get(f"{simulator.base_url}/_sim/requests?limit=1000").json()["items"])


def test_eval_score_with_a_chat_model_as_the_judge(
    tmp_path: Path, scripted_simulator: SimulatorServer
) -> None:
    """The simulator's equivalence judge says "equivalent" when its embeddings' cosine is at
    least 0.5: "Paris, France" vs "Paris" (0.69) is, "Tokyo" vs "Paris" (0.0) is not."""
    suite, outputs = _files(tmp_path)
    verdicts = tmp_path / "verdicts.jsonl"
    before = _logged(scripted_simulator)
    args = ["eval", "score", "--suite", str(suite), "--outputs", str(outputs)]
    args += ["--semantic-source", "judge", "--judge-model", "sim-judge"]
    args += ["--judge-base-url", f"{scripted_simulator.base_url}/v1", "--output", str(verdicts)]
    scored = RUNNER.invoke(app, args)
    assert scored.exit_code == 0, scored.output
    rows = {row["case_id"]: row for row in map(json.loads, verdicts.read_text().splitlines())}
    assert rows["france"]["pass"] and rows["again"]["pass"] and not rows["japan"]["pass"]
    assert rows["france"]["semantic"][0]["similarity"] == 1.0
    assert rows["japan"]["semantic"][0]["similarity"] == 0.0
    chats = _chat_requests(scripted_simulator, before)
    # One question per distinct pair ("again" is equal once normalised: no question).
    assert sorted(item["model"] for item in chats) == ["sim-judge", "sim-judge"]
    said = " ".join(scored.output.split())
    assert "semantic (judge, sim-judge): 2 call(s)" in said


def test_eval_score_judge_source_needs_a_judge_model(tmp_path: Path) -> None:
    suite, outputs = _files(tmp_path)
    args = ["eval", "score", "--suite", str(suite), "--outputs", str(outputs)]
    refused = RUNNER.invoke(app, [*args, "--semantic-source", "judge"])
    assert refused.exit_code == 1
    said = " ".join(refused.output.split())
    assert "--judge-model MODEL" in said and "(first: france: get_weather.city)" in said
    no_url = RUNNER.invoke(app, [*args, "--judge-model", "m"])  # judge implied by the model
    assert no_url.exit_code == 1
    assert "--judge-model needs --judge-base-url" in " ".join(no_url.output.split())
    wrong = RUNNER.invoke(app, [*args, "--semantic-source", "vibes"])
    assert wrong.exit_code == 1 and "--semantic-source must be one of" in wrong.output


def test_eval_run_judges_semantic_arguments_on_the_run_endpoint(
    tmp_path: Path, scripted_simulator: SimulatorServer
) -> None:
    """`eval run --semantic-source judge`: the judge defaults to the run's --base-url."""
    suite = tmp_path / "suite.json"
    # The scripted `good` model calls get_weather(city="Paris") for prompts "… in Paris …".
    cases = [
        {**_case("france", "Paris, France"), "prompt": "Weather in Paris, France?"},
        {**_case("tokyo", "Tokyo"), "prompt": "Weather in Paris or Tokyo?"},
    ]
    suite.write_text(json.dumps({"name": "semantic", "tools": [TOOL], "cases": cases}))
    verdicts = tmp_path / "verdicts.jsonl"
    before = _logged(scripted_simulator)
    args = ["eval", "run", "--suite", str(suite), "--model", "good", "--concurrency", "1"]
    args += ["--base-url", f"{scripted_simulator.base_url}/v1", "--verdicts", str(verdicts)]
    ran = RUNNER.invoke(app, [*args, "--semantic-source", "judge", "--judge-model", "sim-judge"])
    assert ran.exit_code == 0, ran.output
    rows = {row["case_id"]: row for row in map(json.loads, verdicts.read_text().splitlines())}
    assert rows["france"]["pass"] and not rows["tokyo"]["pass"]
    assert [r["similarity"] for r in rows["tokyo"]["semantic"]] == [0.0]
    judged = [
        item for item in _chat_requests(scripted_simulator, before) if item["model"] == "sim-judge"
    ]
    assert len(judged) == 2
