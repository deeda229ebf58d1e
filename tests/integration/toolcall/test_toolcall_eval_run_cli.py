"""`benchstudio eval run` end to end against the simulator's scripted tool-calling models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchstudio.cli.main import app
from benchstudio.simulator import SimulatorServer
from benchstudio.toolcall.samples import sample_suite_text

RUNNER = CliRunner()


@pytest.fixture
def suite_file(tmp_path: Path) -> Path:
    path = tmp_path / "suite.json"
    path.write_text(sample_suite_text())
    return path


def eval_run(sim: SimulatorServer, suite: Path, *extra: str) -> object:
    return RUNNER.invoke(
        app,
        ["eval", "run", "--suite", str(suite), "--base-url", sim.base_url + "/v1", *extra],
    )


def test_two_models_with_results_and_verdict_files(
    scripted_simulator: SimulatorServer,
    suite_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIM_TEST_KEY", "sk-test-0123456789abcdef")
    results_path, verdicts_path = tmp_path / "results.json", tmp_path / "verdicts.jsonl"
    outcome = eval_run(
        scripted_simulator,
        suite_file,
        "--model", "good", "--model", "sloppy",
        "--api-key-env", "SIM_TEST_KEY",
        "--concurrency", "3",
        "--temperature", "0",
        "--tool-choice", "auto",
        "--output", str(results_path),
        "--verdicts", str(verdicts_path),
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    assert "pass rate" in outcome.output and "100.0% (8/8)" in outcome.output
    assert "McNemar" in outcome.output
    text = results_path.read_text()
    assert "sk-test-0123456789abcdef" not in text
    report = json.loads(text)
    assert report["finished_cases"] == report["total_cases"] == 16
    assert not report["cancelled"]
    assert [t["target"]["label"] for t in report["targets"]] == ["good", "sloppy"]
    assert "api_key" not in report["targets"][0]["target"]
    assert report["summaries"]["good"]["pass_rate"]["successes"] == 8
    first = report["results"][0]
    assert first["target"] == "good" and first["case_id"] == "weather-single"
    request = first["exchanges"][0]["request"]
    assert request["temperature"] == 0 and request["tool_choice"] == "auto"
    assert first["exchanges"][0]["response"]["tool_calls"][0]["name"] == "get_weather"
    assert first["verdict"]["pass"] is True
    lines = [json.loads(line) for line in verdicts_path.read_text().splitlines()]
    assert len(lines) == 16 and {"case_id", "pass", "error_category"} <= lines[0].keys()


def test_api_failures_count_in_the_summary(
    scripted_simulator: SimulatorServer, suite_file: Path
) -> None:
    outcome = eval_run(
        scripted_simulator,
        suite_file,
        "--model",
        "limited",
        "--attempts",
        "1",
        "--profile",
        "strict",
    )
    assert outcome.exit_code == 0, outcome.output
    assert "0.0% (0/8)" in outcome.output
    assert "api_error" in outcome.output


def test_invalid_input_exits_1(scripted_simulator: SimulatorServer, suite_file: Path) -> None:
    bad_profile = eval_run(scripted_simulator, suite_file, "--model", "good", "--profile", "x")
    assert bad_profile.exit_code == 1
    missing_key = eval_run(
        scripted_simulator, suite_file, "--model", "good", "--api-key-env", "NO_SUCH_VAR_4242"
    )
    assert missing_key.exit_code == 1
    bad_protocol = eval_run(
        scripted_simulator, suite_file, "--model", "good", "--protocol", "smoke-signals"
    )
    assert bad_protocol.exit_code == 1
