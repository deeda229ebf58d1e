"""`benchstudio tune --objective judge` on this machine: the demo simulator answers the cases
(its tunable model) and judges them (scripted verdicts from markers in the case prompts, which
only a judge request obeys), so every trial's score is known: the mean of the judged cases'
scores 1-5 as 0-1, a case the judge could not read left out. And every judge flag mistake
refused with exit 2 before any request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from test_cli_tune import MODEL, DemoSimulator, _text, _tune, suite_file

from benchstudio.cli import tune_cmd
from benchstudio.judge.domain.transcript import CaseForJudge
from benchstudio.judge.schemas import CaseVerdict
from benchstudio.judge.service.verdict_call import CaseJudgement, JudgeModel
from benchstudio.tuning.service import local_judging

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
# The scripted judge's answer per case: Paris 5, Oslo 2, Rome's verdict cut in half (a parse
# failure, twice: the repair asks the same judge again), so Rome counts for neither side.
MARKERS = {
    "Paris": "verdict;score=5",
    "Oslo": "verdict;verdict=fail;score=2",
    "Rome": "malformed",
}
SUITE: dict[str, Any] = {
    "name": "Judged weather",
    "tools": [WEATHER],
    "cases": [
        {
            "id": city.lower(),
            "prompt": f"What's the weather in {city}? [sim-judge: {marker}]",
            "expected_calls": [
                {"name": "get_weather", "arguments": {"city": {"acceptable": [city]}}}
            ],
        }
        for city, marker in MARKERS.items()
    ],
}
JUDGED = ((5 - 1) / 4 + (2 - 1) / 4) / 2  # 0.625: Paris and Oslo, Rome left out
GRID = ("--param", "temperature=0.2:1.0:0.4", "--strategy", "grid", "--repeats", "2")
JUDGE_MODEL = "benchstudio-sim"
__all__ = ["suite_file"]  # the sample suite's fixture, shared with the tune CLI tests


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with DemoSimulator() as sim:
        yield sim.base_url


@pytest.fixture
def judged_suite(tmp_path: Path) -> Path:
    path = tmp_path / "judged.json"
    path.write_text(json.dumps(SUITE))
    return path


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tune_cmd, "console", Console(width=220))
    monkeypatch.setattr(tune_cmd, "err_console", Console(width=220, stderr=True))


def test_a_judged_study_scores_every_trial_by_the_judges_verdicts(
    sim_url: str, judged_suite: Path, tmp_path: Path
) -> None:
    output = tmp_path / "judged.json"
    outcome = _tune(
        "--suite", str(judged_suite), "--base-url", sim_url, "--model", MODEL, *GRID,
        "--objective", "judge", "--judge-model", JUDGE_MODEL,
        "--judge-price-input", "100", "--judge-price-output", "200", "--output", str(output),
    )  # fmt: skip
    data = json.loads(output.read_text())
    assert data["objective"] == {
        "source": "judge",
        "metric": "pass_rate",
        "minimize": [],
        "label": "judge score",
        "judge": {
            "model": JUDGE_MODEL,
            "name": JUDGE_MODEL,
            "model_ref_id": None,
            "base_url": sim_url,
            "protocol": "openai",
        },
    }
    trials = data["trials"]
    assert data["stop_reason"] == "space_exhausted" and len(trials) == 4
    for trial in trials:
        # Pruning is on, but a judged trial is never pruned by score.
        assert trial["state"] == "complete", trial
        # Two repeats of the two cases the judge scored; the tool eval's pass rate would
        # count all three cases (k/6), the judge's mean is over Paris and Oslo only.
        assert trial["cases"] == 4
        assert trial["repeat_scores"] == pytest.approx([JUDGED, JUDGED])
        assert trial["score"] == pytest.approx(JUDGED)
        # The tuned model has no price: the cost is the judge's, at the judge's price.
        assert trial["cost_usd"] > 0
        assert trial["calls"] == 2 * len(MARKERS)  # the tuned model's calls only
    assert data["best"]["score"] == pytest.approx(JUDGED)
    assert data["run"]["cost_usd"] == pytest.approx(sum(t["cost_usd"] for t in trials))
    [baseline] = data["baselines"]
    assert baseline["difference"] == pytest.approx(0.0)
    assert "the same judge score as the provider defaults" in baseline["summary"]
    text = _text(outcome)
    assert f"Objective: judge score (judge: {JUDGE_MODEL} at {sim_url}" in text
    assert "The judge scores every case with one more call to its model" in text
    assert "62.5%" in text


def test_a_priced_judge_counts_against_max_cost(
    sim_url: str, judged_suite: Path, tmp_path: Path
) -> None:
    """The judge's expected cost is admitted with each case: with trials and cases free to run
    at once, the study's spend (the judge's included) stays within --max-cost."""
    study = (
        "--suite", str(judged_suite), "--base-url", sim_url, "--model", MODEL, *GRID,
        "--objective", "judge", "--judge-model", JUDGE_MODEL,
        "--judge-price-input", "100", "--judge-price-output", "200", "--no-prune",
        "--concurrency", "4",
    )  # fmt: skip
    free, capped = tmp_path / "free.json", tmp_path / "capped.json"
    _tune(*study, "--output", str(free))
    per_trial = max(t["cost_usd"] for t in json.loads(free.read_text())["trials"])
    cap = round(per_trial * 2.5, 6)
    _tune(*study, "--max-cost", str(cap), "--output", str(capped))
    data = json.loads(capped.read_text())
    assert data["run"]["cost_usd"] <= cap
    assert data["run"]["cost_usd"] == pytest.approx(sum(t["cost_usd"] for t in data["trials"]))
    # The first trial ran whole; later ones got what was left and stopped inside it.
    states = [t["state"] for t in data["trials"]]
    assert states[0] == "complete" and states.count("complete") < len(states)


def test_the_tool_eval_objective_ignores_the_judge_markers(
    sim_url: str, judged_suite: Path, tmp_path: Path
) -> None:
    output = tmp_path / "tool_eval.json"
    outcome = _tune(
        "--suite", str(judged_suite), "--base-url", sim_url, "--model", MODEL, *GRID,
        "--no-prune", "--output", str(output),
    )  # fmt: skip
    data = json.loads(output.read_text())
    assert data["objective"]["source"] == "tool_eval" and data["objective"]["judge"] is None
    for trial in data["trials"]:
        assert trial["cases"] == 2 * len(MARKERS)  # every case counts
        assert trial["score"] * 6 == pytest.approx(round(trial["score"] * 6))  # k of 6 passed
    assert "Objective: pass rate" in _text(outcome)


async def _contrarian_judge(
    judge: JudgeModel, prompt: str, case: CaseForJudge, *, show_automated: bool
) -> CaseJudgement:
    """A judge grading the opposite of the tool eval: 5 for a failed case, 1 for a passed one
    (it reads the automated verdict the transcript carries), so its best point is the tool
    eval's worst."""
    assert case.automated is not None and not show_automated
    failed = not case.automated.passed
    verdict = CaseVerdict.model_validate(
        {
            "score": 5 if failed else 1,
            "verdict": "pass" if failed else "fail",
            "tool_selection": {"status": "correct", "reason": "contrarian"},
            "arguments": [],
            "reasoning": "contrarian",
        }
    )
    return CaseJudgement(case_id=case.case_id, verdict=verdict)


def test_the_judges_verdicts_pick_the_best_point(
    sim_url: str, suite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = (
        "--suite", str(suite_file), "--base-url", sim_url, "--model", MODEL,
        "--param", "temperature=0:1.5:0.5", "--param", "top_p=0.5:1:0.5", "--strategy", "grid",
        "--no-prune",
    )  # fmt: skip
    tool_eval, judged = tmp_path / "tool_eval.json", tmp_path / "contrarian.json"
    _tune(*study, "--output", str(tool_eval))
    monkeypatch.setattr(local_judging, "judge_case", _contrarian_judge)
    _tune(*study, "--objective", "judge", "--judge-model", "contrarian", "--output", str(judged))
    by_eval = {t["number"]: t for t in json.loads(tool_eval.read_text())["trials"]}
    data = json.loads(judged.read_text())
    # The same seeds send the same requests: each trial's judge score is its failure rate.
    assert len(data["trials"]) == len(by_eval) == 9
    for trial in data["trials"]:
        twin = by_eval[trial["number"]]
        assert trial["point"] == twin["point"]
        assert trial["score"] == pytest.approx(1 - twin["score"])
    worst = min(t["score"] for t in by_eval.values())
    assert worst < max(t["score"] for t in by_eval.values())  # the points differ
    assert data["best"]["score"] == pytest.approx(1 - worst)
    assert by_eval[data["best"]["number"]]["score"] == pytest.approx(worst)


def test_an_unreachable_judge_fails_every_trial_and_exits_1(
    sim_url: str, judged_suite: Path, tmp_path: Path
) -> None:
    output = tmp_path / "unjudged.json"
    outcome = _tune(
        "--suite", str(judged_suite), "--base-url", sim_url, "--model", MODEL, *GRID,
        "--trials", "2", "--objective", "judge", "--judge-model", JUDGE_MODEL,
        "--judge-base-url", "http://127.0.0.1:9/v1", "--output", str(output), code=1,
    )  # fmt: skip
    data = json.loads(output.read_text())
    assert [t["state"] for t in data["trials"]] == ["failed", "failed"]
    for trial in data["trials"]:
        assert trial["error"].startswith("the judge scored no case (judge request failed")
    assert data["best"] is None
    assert "No trial completed" in _text(outcome)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--objective", "best"], "--objective: Input should be 'tool_eval' or 'judge'"),
        (["--objective", "judge"], "--objective judge needs a judge: --judge-model MODEL"),
        (["--judge-model-id", "abc"], "names a server's catalog model (with --server)"),
        (
            ["--objective", "judge", "--judge-model", "j", "--judge-price-input", "1"],
            "give both --judge-price-input and --judge-price-output",
        ),
        (
            ["--judge-price-input", "1", "--judge-price-output", "2"],
            "prices the objective's judge: add --objective judge",
        ),
        (
            ["--objective", "judge", "--judge-model", "j", "--judge-protocol", "grpc"],
            "'grpc': use openai, anthropic or gemini",
        ),
        (
            ["--objective", "judge", "--judge-model", "j", "--judge-api-key-env", "TJ_UNSET_KEY"],
            "environment variable TJ_UNSET_KEY is not set",
        ),
    ],
)
def test_local_judge_mistakes_exit_2(judged_suite: Path, args: list[str], message: str) -> None:
    # An unreachable endpoint: a refusal must come before any request.
    base = ["--suite", str(judged_suite), "--base-url", "http://127.0.0.1:9/v1", "--model", "m"]
    outcome = _tune(*base, "--param", "top_p=0:1", *args, code=2)
    assert message in _text(outcome), outcome.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--objective", "judge"], "with --server, --objective judge needs --judge-model-id ID"),
        (["--judge-model-id", "abc"], "--judge-model-id: names the objective's judge: add"),
        (
            ["--objective", "judge", "--judge-model", "j"],
            "--judge-model is for local studies",
        ),
        (
            ["--objective", "judge", "--judge-model-id", "a", "--judge-base-url", "http://x/v1"],
            "--judge-base-url is for local studies",
        ),
        (
            [
                "--objective", "judge", "--judge-model-id", "a",
                "--judge-price-input", "1", "--judge-price-output", "2",
            ],
            "--judge-price-input/--judge-price-output is for local studies",
        ),
    ],
)  # fmt: skip
def test_server_judge_mistakes_exit_2(judged_suite: Path, args: list[str], message: str) -> None:
    # No server listens there: a refusal must come before any request.
    base = ["--server", "http://127.0.0.1:9", "--suite", "s", "--provider", "p", "--model", "m"]
    outcome = _tune(*base, "--param", "top_p=0:1", *args, code=2)
    assert message in _text(outcome), outcome.output
