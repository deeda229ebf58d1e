"""The best-trial rule shared by results and apply best."""

from __future__ import annotations

from dataclasses import dataclass

from benchstudio.tuning.domain.best import best_trial


@dataclass(frozen=True)
class Trial:
    number: int
    score: float | None
    state: str = "complete"
    cost_usd: float = 0.0
    latency_p50_ms: float | None = 100.0


def test_highest_score_wins() -> None:
    trials = [Trial(0, 0.5), Trial(1, 0.9), Trial(2, 0.7)]
    assert best_trial(trials) == trials[1]


def test_only_complete_trials_with_a_score_compete() -> None:
    trials = [
        Trial(0, 0.99, state="pruned"),
        Trial(1, None, state="failed"),
        Trial(2, 0.95, state="running"),
        Trial(3, 0.4),
    ]
    assert best_trial(trials) == trials[3]
    assert best_trial([Trial(0, 0.9, state="pruned")]) is None
    assert best_trial([]) is None


def test_ties_go_to_lower_cost_then_lower_latency_then_earlier() -> None:
    cheap = Trial(0, 0.8, cost_usd=0.01, latency_p50_ms=900.0)
    dear = Trial(1, 0.8, cost_usd=0.02, latency_p50_ms=10.0)
    assert best_trial([dear, cheap]) == cheap
    slow = Trial(2, 0.8, latency_p50_ms=500.0)
    fast = Trial(3, 0.8, latency_p50_ms=200.0)
    unknown = Trial(4, 0.8, latency_p50_ms=None)
    assert best_trial([unknown, slow, fast]) == fast
    first, second = Trial(5, 0.8), Trial(6, 0.8)
    assert best_trial([second, first]) == first
