"""Trial scores over repeats, best vs baseline, early stopping and pruning."""

from __future__ import annotations

import math

import pytest

from benchstudio.tuning.domain.objective import (
    CaseScore,
    ObjectiveSpec,
    compare_to_baseline,
    pareto_front,
    score_trial,
)
from benchstudio.tuning.domain.study_state import StoppingRules, StudyState, max_achievable


def _repeat(scores: list[float], latency: float = 100.0, cost: float = 0.001) -> list[CaseScore]:
    return [CaseScore(score, latency + index, cost) for index, score in enumerate(scores)]


def test_a_trial_scores_the_mean_of_its_repeats_with_a_t_interval() -> None:
    repeats = [_repeat([1, 1, 0, 1]), _repeat([1, 0, 0, 1]), _repeat([1, 1, 1, 0])]
    trial = score_trial(repeats, run_id="t1")
    assert trial.repeat_scores == (0.75, 0.5, 0.75)
    assert trial.score == pytest.approx(2 / 3)
    # s = 0.1443376, t(0.975, 2) = 4.3026527: half width 0.3585549 (the top cut at 1).
    low, high = trial.score_ci95 or (0.0, 0.0)
    assert (low, high) == pytest.approx((2 / 3 - 0.3585549, 1.0), abs=1e-6)
    assert trial.cases == 12
    assert trial.latency_p50_ms == pytest.approx(101.5)  # latencies 100..103, three times
    assert trial.cost_usd == pytest.approx(0.012) and trial.cost_per_repeat_usd == pytest.approx(
        0.004
    )


def test_a_wide_t_interval_is_cut_to_the_score_scale() -> None:
    # Two repeats far apart: t(0.975, 1) = 12.7 makes the raw interval run far past [0, 1].
    trial = score_trial([_repeat([1, 1, 1, 1]), _repeat([0, 0, 0, 1])], run_id="t3")
    assert trial.score_ci95 == (0.0, 1.0)


def test_one_repeat_gets_the_bootstrap_interval_of_its_cases() -> None:
    trial = score_trial([_repeat([1, 0] * 20)], run_id="t2")
    assert trial.score == 0.5
    low, high = trial.score_ci95 or (0.0, 0.0)
    assert 0.3 < low < 0.5 < high < 0.7
    assert score_trial([_repeat([1, 0] * 20)], run_id="t2").score_ci95 == trial.score_ci95


def test_objective_values_follow_the_directions() -> None:
    spec = ObjectiveSpec(minimize=("latency", "cost"))
    assert spec.directions == ("maximize", "minimize", "minimize") and spec.multi_objective
    trial = score_trial([_repeat([1, 1], latency=200.0, cost=0.5)])
    assert trial.values(spec) == (1.0, 200.5, 1.0)
    unknown = score_trial([[CaseScore(1.0)]])
    assert unknown.values(ObjectiveSpec(minimize=("latency",))) == (1.0, math.inf)
    assert ObjectiveSpec(source="judge").label == "judge score"
    with pytest.raises(ValueError, match="once"):
        ObjectiveSpec(minimize=("cost", "cost"))


def test_best_vs_baseline_compares_means_with_welch_and_a_ci() -> None:
    baseline = [_repeat([0.2, 0.4]), _repeat([0.3, 0.5])]
    best = [_repeat([0.6, 0.8]), _repeat([0.7, 0.9])]
    comparison = compare_to_baseline(baseline, best, run_id="cmp")
    assert comparison.mean_difference == pytest.approx(0.4)
    # Welch: t = 0.4 / sqrt(2 * 0.0166667 / 4) = 4.3818, df = 6, two-sided p = 0.004659.
    assert comparison.p_value == pytest.approx(0.004659, abs=1e-6)
    assert comparison.significant
    low, high = comparison.mean_difference_ci95 or (0.0, 0.0)
    assert 0.2 <= low < 0.4 < high <= 0.6


def test_early_stop_after_patience_trials_without_improvement_by_min_delta() -> None:
    state = StudyState(StoppingRules(patience=3, min_delta=0.01))
    assert state.record(0, 0.50)
    assert state.record(1, 0.505)  # a new best, but within min_delta: patience runs on
    assert state.since_improvement == 1 and state.best == 0.505
    assert not state.record(2, None)  # pruned
    assert not state.should_stop
    assert not state.record(3, 0.4)
    assert state.should_stop
    assert state.record(4, 0.6) and not state.should_stop and state.since_improvement == 0


def test_a_trial_is_pruned_once_even_perfect_remaining_cases_cannot_reach_the_best() -> None:
    assert max_achievable(3.0, 5, 10) == 0.8
    state = StudyState(StoppingRules())
    assert not state.should_prune(0.0, 5, 10)  # no best yet
    state.record(0, 0.8)
    assert not state.should_prune(3.0, 5, 10)  # can still tie at 0.8
    assert state.should_prune(2.0, 5, 10)  # at most 0.7
    assert not state.should_prune(2.0, 10, 10)  # finished: nothing to prune
    assert not StudyState(StoppingRules(prune=False)).should_prune(0.0, 9, 10)
    multi = StudyState(StoppingRules(), multi_objective=True)
    multi.record(0, 0.9)
    assert not multi.should_prune(0.0, 9, 10)  # a worse score may still be on the front


def test_stopping_rules_refuse_bad_values() -> None:
    with pytest.raises(ValueError, match="patience"):
        StoppingRules(patience=0)
    with pytest.raises(ValueError, match="min_delta"):
        StoppingRules(min_delta=-0.1)


def test_the_pareto_front_keeps_the_undominated_trials() -> None:
    # (quality up, latency down): b beats a on both; c trades quality for speed; d ties b.
    values = [(0.7, 300.0), (0.8, 250.0), (0.6, 100.0), (0.8, 250.0), (0.5, 120.0)]
    assert pareto_front(values, ("maximize", "minimize")) == [1, 2, 3]
    assert pareto_front([(1.0,), (2.0,)], ("minimize",)) == [0]
