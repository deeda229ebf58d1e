"""`benchstudio tune`'s results document: the best trial and its tie-breaks, best vs each
baseline, the Pareto front, and a server run's detail mapped to the same shape."""

from __future__ import annotations

from typing import Any

import pytest

from benchstudio.cli.tune_results import best_record, local_results, server_results
from benchstudio.core.stats import compare_means
from benchstudio.tuning.domain.objective import CaseScore, ObjectiveSpec, score_trial
from benchstudio.tuning.domain.space import ChoiceDimension, RangeDimension, SearchSpace
from benchstudio.tuning.service.study_types import FinishedTrialRecord, StudyOutcome, TrialKind


def _record(
    number: int,
    passes: list[int],
    *,
    kind: TrialKind = "search",
    state: str = "complete",
    latency: float = 100.0,
    cost: float = 0.0,
    point: dict[str, Any] | None = None,
) -> FinishedTrialRecord:
    cases = [CaseScore(float(p), latency, cost / max(1, len(passes))) for p in passes]
    score = score_trial([cases], run_id="r") if cases else None
    values = (score.score, latency) if score else ()
    return FinishedTrialRecord(
        number=number,
        kind=kind,
        state=state,  # type: ignore[arg-type]
        point=point if point is not None else {"temperature": number / 10},
        effective=point if point is not None else {"temperature": number / 10},
        fingerprint=str(number),
        score=score,
        values=values,
        partial=None,
        calls=len(passes),
        cost_usd=cost,
        repeats=[cases],
    )


SPACE = SearchSpace((RangeDimension("temperature", 0, 2), ChoiceDimension("top_k", (10, 20))))


def _outcome(*records: FinishedTrialRecord) -> StudyOutcome:
    return StudyOutcome("max_trials", list(records), 1, sum(r.calls for r in records), 0.0)


def test_the_best_is_the_highest_complete_score_then_cheaper_then_faster() -> None:
    default = _record(0, [1, 0, 0, 0], kind="baseline_default", point={})
    pruned_high = _record(1, [1, 1], state="pruned")
    costly = _record(2, [1, 1, 1, 0], cost=0.5)
    cheap_slow = _record(3, [1, 1, 1, 0], latency=300.0)
    cheap_fast = _record(4, [1, 1, 1, 0], latency=200.0)
    records = [default, pruned_high, costly, cheap_slow, cheap_fast]
    assert best_record(records) is cheap_fast
    assert best_record([pruned_high]) is None


def test_local_results_compare_the_best_with_each_baseline() -> None:
    default = _record(0, [1, 0, 0, 0, 0, 0, 0, 0], kind="baseline_default", point={})
    preset = _record(1, [1, 1, 1, 1, 1, 1, 1, 0], kind="baseline_preset")
    search = _record(2, [1, 1, 1, 1, 1, 1, 1, 1])
    data = local_results(
        {"mode": "local"}, _outcome(default, preset, search), ObjectiveSpec(), SPACE, "r"
    )
    assert data["best"]["number"] == 2 and data["best"]["score"] == 1.0
    assert data["stop_reason"] == data["run"]["stop_reason"] == "max_trials"
    assert data["run"]["merged_points"] == 1 and data["run"]["calls_used"] == 24
    first, second = data["baselines"]
    expected = compare_means([1, 0, 0, 0, 0, 0, 0, 0], [1] * 8, run_id="r")
    assert (first["kind"], first["number"], first["label"]) == (
        "baseline_default", 0, "provider defaults",
    )  # fmt: skip
    assert first["difference"] == expected.mean_difference == 0.875
    assert first["p_value"] == expected.p_value and first["significant"]
    assert first["summary"].startswith(
        "The best point scores 0.875 higher in pass rate than the provider defaults (95% CI +"
    )
    assert first["summary"].endswith(": a significant difference.")
    assert not second["significant"]
    assert second["summary"].startswith("The best point scores 0.125 higher in pass rate than")
    assert second["summary"].endswith(
        f"p = {second['p_value']:.3g}: not significant: it may be noise."
    )
    assert data["pareto"] == [] and not any(t["pareto"] for t in data["trials"])


def test_a_baseline_that_is_the_best_says_so() -> None:
    default = _record(0, [1, 1, 1, 1], kind="baseline_default", point={})
    worse = _record(1, [1, 0, 0, 0])
    data = local_results({}, _outcome(default, worse), ObjectiveSpec(), SPACE, "r")
    [item] = data["baselines"]
    assert data["best"]["number"] == 0
    assert item["summary"] == "The provider defaults baseline is the best point found."
    assert not item["significant"]


def test_a_multi_objective_study_marks_its_pareto_front() -> None:
    fast = _record(0, [1, 0], latency=50.0, kind="baseline_default", point={})
    good = _record(1, [1, 1], latency=300.0)
    dominated = _record(2, [1, 0], latency=400.0)
    spec = ObjectiveSpec(minimize=("latency",))
    data = local_results({}, _outcome(fast, good, dominated), spec, SPACE, "r")
    assert data["pareto"] == [0, 1]
    assert [t["pareto"] for t in data["trials"]] == [True, True, False]


def test_no_complete_trial_means_no_best_and_no_comparison() -> None:
    failed = _record(0, [], kind="baseline_default", state="failed", point={})
    data = local_results({}, _outcome(failed), ObjectiveSpec(), SPACE, "r")
    assert data["best"] is None and data["baselines"] == []
    assert data["trials"][0]["score"] is None and data["trials"][0]["score_ci95"] is None


def _server_trial(number: int, kind: str, score: float) -> dict[str, Any]:
    return {
        "id": f"t{number}", "number": number, "kind": kind, "state": "complete",
        "point": {"top_p": score}, "effective": {"top_p": score}, "eval_run_id": f"e{number}",
        "score": score, "score_ci95": {"low": score - 0.1, "high": score + 0.1},
        "repeat_scores": [score], "values": [score], "partial": None, "cases": 8, "calls": 8,
        "latency_p50_ms": 12.0, "cost_usd": 0.0, "error": None, "pareto": False,
        "started_at": "2026-12-07T08:00:00Z", "finished_at": "2026-12-07T08:00:01Z",
    }  # fmt: skip


def test_a_server_detail_maps_to_the_same_document() -> None:
    detail = {
        "run": {"id": "run1", "stop_reason": "space_exhausted", "calls_used": 16},
        "trials": [_server_trial(1, "search", 0.9), _server_trial(0, "baseline_default", 0.5)],
        "results": {
            "best_trial_id": "t1",
            "best_score": 0.9,
            "baselines": [
                {
                    "baseline_trial_id": "t0", "baseline_kind": "baseline_default",
                    "baseline_score": 0.5, "difference": 0.4,
                    "difference_ci95": {"low": 0.1, "high": 0.7}, "p_value": 0.01,
                    "significant": True, "summary": "better",
                }
            ],
            "pareto_trial_ids": [],
            "importance": [{"param": "top_p", "importance": 1.0}],
            "importance_note": None,
        },
    }  # fmt: skip
    data = server_results(detail)
    local = local_results(
        {}, _outcome(_record(0, [1], kind="baseline_default")), ObjectiveSpec(), SPACE, "r"
    )
    assert set(data) == set(local)
    assert set(data["trials"][0]) == set(local["trials"][0])
    assert set(data["best"]) == set(local["best"])
    assert set(data["baselines"][0]) == set(local["baselines"][0])
    assert [t["number"] for t in data["trials"]] == [0, 1]
    assert data["best"]["number"] == 1 and data["best"]["score"] == pytest.approx(0.9)
    assert data["baselines"][0]["number"] == 0
    assert data["baselines"][0]["label"] == "provider defaults"
    assert data["stop_reason"] == "space_exhausted" and data["run"]["mode"] == "server"
    assert data["importance"] == [{"param": "top_p", "importance": 1.0}]


def test_importance_names_the_parameter_that_moves_the_score() -> None:
    records = []
    for number in range(12):
        temperature = number / 6
        passes = [1] * (8 - number // 2) + [0] * (number // 2)  # worse as temperature grows
        point = {"temperature": temperature, "top_k": (10, 20)[number % 2]}
        records.append(_record(number, passes, point=point))
    data = local_results({}, _outcome(*records), ObjectiveSpec(), SPACE, "r")
    shares = {item["param"]: item["importance"] for item in data["importance"]}
    assert set(shares) == {"temperature", "top_k"} and data["importance_note"] is None
    assert shares["temperature"] > shares["top_k"]
    assert sum(shares.values()) == pytest.approx(1.0)
    few = local_results({}, _outcome(*records[:3]), ObjectiveSpec(), SPACE, "r")
    assert few["importance"] == []
    assert few["importance_note"] == (
        "Importance needs at least 10 complete trials in the search space "
        "(3 so far; baselines do not count)."
    )
    one = SearchSpace((RangeDimension("temperature", 0, 2),))
    single = local_results({}, _outcome(*records), ObjectiveSpec(), one, "r")
    assert single["importance_note"] == (
        "Importance compares parameters: this run searches only one."
    )
