"""The judge objective's case score (`tuning.domain.judge_objective`), shared by the tune job
and a local tune, and how the CLI's results document names the objective and its judge."""

from __future__ import annotations

import pytest

from benchstudio.cli.tune_results import objective_json
from benchstudio.tuning.domain.judge_objective import judged_case, unit_score
from benchstudio.tuning.domain.objective import CaseScore


@pytest.mark.parametrize(("score", "unit"), [(1, 0.0), (2, 0.25), (3, 0.5), (4, 0.75), (5, 1.0)])
def test_a_judge_score_maps_onto_0_to_1(score: int, unit: float) -> None:
    assert unit_score(score) == unit


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_off_the_judges_scale_is_refused(score: int) -> None:
    with pytest.raises(ValueError, match="a judge score is 1 to 5"):
        unit_score(score)


def test_a_judged_case_keeps_its_latency_and_cost() -> None:
    assert judged_case(4, 120.0, 0.002) == CaseScore(0.75, 120.0, 0.002)
    assert judged_case(1) == CaseScore(0.0)


def test_a_case_the_judge_could_not_score_counts_for_neither_side() -> None:
    assert judged_case(None, 120.0, 0.002) is None


def test_the_results_name_the_judge_only_for_the_judge_objective() -> None:
    judge = {"model": "j", "name": "J", "model_ref_id": None, "base_url": "u", "protocol": "openai"}
    judged = objective_json({"source": "judge", "metric": "pass_rate", "minimize": []}, judge)
    assert judged == {
        "source": "judge",
        "metric": "pass_rate",
        "minimize": [],
        "label": "judge score",
        "judge": judge,
    }
    tool_eval = objective_json({"metric": "argument_accuracy", "minimize": ["cost"]}, judge)
    assert tool_eval["source"] == "tool_eval" and tool_eval["judge"] is None
    assert tool_eval["label"] == "argument accuracy" and tool_eval["minimize"] == ["cost"]
