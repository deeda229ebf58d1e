"""`benchstudio eval run` sends the request options it is given, and warns (then runs) when
cases still hold MCP-drafted `<your value>` placeholders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchstudio.cli.eval_run_options import parse_params
from benchstudio.cli.main import app
from benchstudio.simulator import SimulatorServer
from benchstudio.toolcall.samples import sample_suite_text

RUNNER = CliRunner()


def _suite(tmp_path: Path, placeholder: bool = False) -> Path:
    suite = json.loads(sample_suite_text())
    if placeholder:
        suite["cases"][1]["prompt"] = "Use get_weather with city = <your value>."
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(suite))
    return path


def test_request_options_reach_every_request(
    scripted_simulator: SimulatorServer, tmp_path: Path
) -> None:
    results = tmp_path / "results.json"
    outcome = RUNNER.invoke(
        app,
        [
            "eval", "run", "--suite", str(_suite(tmp_path)),
            "--base-url", scripted_simulator.base_url + "/v1", "--model", "good",
            "--tool-choice", "required", "--system-prompt", "Answer with tools only.",
            "--temperature", "0.3", "--top-p", "0.8", "--param", "seed=7",
            "--param", "stop=[\"END\"]", "--max-tokens", "256", "--concurrency", "2",
            "--timeout", "45", "--output", str(results),
        ],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    assert "placeholder" not in outcome.output
    report = json.loads(results.read_text())
    target = report["targets"][0]["target"]
    assert target["concurrency"] == 2 and target["timeout_s"] == 45
    request = report["results"][0]["exchanges"][0]["request"]
    assert request["messages"][0] == {"role": "system", "content": "Answer with tools only."}
    assert request["tool_choice"] == "required"
    assert (request["temperature"], request["max_tokens"]) == (0.3, 256)
    assert request["params"] == {"top_p": 0.8, "seed": 7, "stop": ["END"]}


def test_placeholders_warn_and_still_run_without_a_terminal(
    scripted_simulator: SimulatorServer, tmp_path: Path
) -> None:
    base = ["eval", "run", "--suite", str(_suite(tmp_path, placeholder=True))]
    base += ["--base-url", scripted_simulator.base_url + "/v1", "--model", "good"]
    for extra in ([], ["--yes"]):
        outcome = RUNNER.invoke(app, [*base, *extra])
        assert outcome.exit_code == 0, outcome.output
        assert "1 case still holds <your value> placeholders: " in outcome.output
        assert "pass rate" in outcome.output


def test_param_pairs_read_json_values_or_text() -> None:
    assert parse_params(["top_p=0.9", 'stop=["x"]', "name=plain text", "flag=true"]) == {
        "top_p": 0.9,
        "stop": ["x"],
        "name": "plain text",
        "flag": True,
    }
    with pytest.raises(Exception, match="name=value"):
        parse_params(["top_p"])
