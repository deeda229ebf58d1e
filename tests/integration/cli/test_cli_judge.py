"""`benchstudio judge run|compare|report` offline: an eval export of two scripted models, judged
by the simulator's scripted judge (its directive written in the prompt file)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from benchstudio.cli.main import app
from benchstudio.toolcall.samples import sample_suite_text

RUNNER = CliRunner()
CASES = 8
COMPARE_BODY = (
    "Which transcript handled the case better (judge_comparison)? [sim-judge: favour;position=A]"
    "\nTools:\n{tools}\nCase:\n{case_prompt}\nExpected:\n{expected_calls}\n"
    "A:\n{transcript_a}\nB:\n{transcript_b}\n"
)
VERDICT_BODY = (
    "Grade this case (judge_verdict). [sim-judge: verdict;verdict=marginal;score=3]\n"
    "Tools:\n{tools}\nCase:\n{case_prompt}\nExpected:\n{expected_calls}\n"
    "Transcript:\n{transcript}\n{automated_result}\n"
)
REPORT_BODY = "Review the cases.\n{figures}\n{chunk}\n---REDUCE---\nMerge.\n{figures}\n{partials}"


def _evals_driver() -> Any:
    if "evals_driver" in sys.modules:
        return sys.modules["evals_driver"]
    path = Path(__file__).parents[1] / "evals" / "evals_driver.py"
    spec = importlib.util.spec_from_file_location("evals_driver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["evals_driver"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with _evals_driver().SimulatorThread() as sim:
        yield sim.base_url + "/v1"


@pytest.fixture(scope="module")
def export(sim_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An `eval run --output` results file: models `good` and `sloppy` on the sample suite."""
    folder = tmp_path_factory.mktemp("judge-cli")
    suite, results = folder / "suite.json", folder / "results.json"
    suite.write_text(sample_suite_text())
    outcome = RUNNER.invoke(
        app,
        ["eval", "run", "--suite", str(suite), "--base-url", sim_url,
         "--model", "good", "--model", "sloppy", "--output", str(results)],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    return results


def _prompt(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(body)
    return str(path)


def _judge(sim_url: str) -> list[str]:
    return ["--judge-base-url", sim_url, "--judge-model", "judge"]


def test_compare_with_a_judge_that_always_picks_a(
    sim_url: str, export: Path, tmp_path: Path
) -> None:
    output = tmp_path / "compare.json"
    outcome = RUNNER.invoke(
        app,
        ["judge", "compare", str(export), "--target-a", "good", "--target-b", "sloppy",
         *_judge(sim_url), "--prompt", _prompt(tmp_path, "compare.txt", COMPARE_BODY),
         "--output", str(output)],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(output.read_text())
    summary = result["summary"]
    assert summary["n"] == CASES and summary["ties"] == CASES
    assert summary["wins"] == summary["losses"] == 0
    assert summary["inconsistency_rate"] == 1.0
    assert summary["win_rate"] == 0.5
    assert 0.0 < summary["ci_low"] < 0.5 < summary["ci_high"] < 1.0
    assert len(summary["flagged"]) == CASES
    pair = result["pairs"][0]
    assert (pair["first_order"], pair["second_order"]) == ("A", "A")
    assert pair["outcome"] == "tie" and pair["inconsistent"]
    assert "position inconsistency 100.0%" in outcome.output


def test_compare_refuses_results_of_different_suite_versions(
    sim_url: str, export: Path, tmp_path: Path
) -> None:
    other = json.loads(export.read_text())
    other["suite"]["cases"] = other["suite"]["cases"][:-1]  # an edited suite
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(other))
    outcome = RUNNER.invoke(
        app,
        ["judge", "compare", str(export), str(edited), "--target-a", "good",
         "--target-b", "sloppy", *_judge(sim_url),
         "--prompt", _prompt(tmp_path, "compare.txt", COMPARE_BODY)],
    )  # fmt: skip
    assert outcome.exit_code == 1
    assert "suite_version_mismatch" in outcome.output
    assert "different suite versions" in outcome.output


def test_run_judges_every_case_with_golden_verdicts(
    sim_url: str, export: Path, tmp_path: Path
) -> None:
    output = tmp_path / "cases.json"
    outcome = RUNNER.invoke(
        app,
        ["judge", "run", str(export), "--target", "sloppy", *_judge(sim_url),
         "--prompt", _prompt(tmp_path, "verdict.txt", VERDICT_BODY), "--output", str(output)],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(output.read_text())
    assert result["summary"]["judged"] == CASES
    assert result["summary"]["marginal_count"] == CASES
    assert result["summary"]["mean_score"] == 3
    assert {c["verdict"] for c in result["cases"]} == {"marginal"}
    assert all(c["parse_error"] is None for c in result["cases"])


def test_run_with_two_targets_needs_one_named(sim_url: str, export: Path, tmp_path: Path) -> None:
    outcome = RUNNER.invoke(
        app,
        ["judge", "run", str(export), *_judge(sim_url),
         "--prompt", _prompt(tmp_path, "verdict.txt", VERDICT_BODY)],
    )  # fmt: skip
    assert outcome.exit_code == 1
    assert "name one" in outcome.output


def test_report_grades_from_the_measured_figures(
    sim_url: str, export: Path, tmp_path: Path
) -> None:
    output = tmp_path / "report.json"
    outcome = RUNNER.invoke(
        app,
        ["judge", "report", str(export), "--target", "good", *_judge(sim_url),
         "--verdict-prompt", _prompt(tmp_path, "verdict.txt", VERDICT_BODY),
         "--prompt", _prompt(tmp_path, "report.txt", REPORT_BODY), "--output", str(output)],
    )  # fmt: skip
    assert outcome.exit_code == 0, outcome.output
    summary = json.loads(output.read_text())["summary"]
    # `good` passes every case; the scripted judge says marginal, 3 of 5: the weaker figure
    # decides (docs/judge.md, Grades), so a D.
    assert summary["pass_rate"] == 1.0 and summary["mean_score"] == 3
    assert summary["grade"] == "D"
    assert "grade D" in outcome.output
