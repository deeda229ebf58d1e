"""The study's running state: the best score so far, early stopping and pruning.

- Early stop: the study stops after `patience` finished trials in a row that did not beat the
  best by more than `min_delta` (pruned trials count as not improving; failed trials do not
  count either way, budgets deal with a failing endpoint).
- Pruning: a running trial stops when even a perfect score on every case still to run could
  not reach the best: (sum of case scores so far + cases left x the maximum case score) / all
  cases < best. A tie is not pruned. Pruning applies to single-objective studies only: in a
  multi-objective study a lower score may still be on the Pareto front.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchstudio.tuning.domain.strategies import Direction


@dataclass(frozen=True, slots=True)
class StoppingRules:
    patience: int | None = None  # K trials without improvement; None = never stop early
    min_delta: float = 0.0
    prune: bool = True

    def __post_init__(self) -> None:
        if self.patience is not None and self.patience < 1:
            raise ValueError("patience must be at least 1 trial")
        if self.min_delta < 0:
            raise ValueError("min_delta cannot be negative")


def max_achievable(
    score_sum: float, cases_done: int, cases_total: int, upper: float = 1.0
) -> float:
    """The best mean a trial can still end with, given its case scores so far."""
    if cases_total <= 0:
        raise ValueError("a trial needs at least one case")
    left = max(0, cases_total - cases_done)
    return (score_sum + left * upper) / cases_total


class StudyState:
    """Tracks the best quality score of a study and applies `StoppingRules`."""

    def __init__(
        self,
        rules: StoppingRules = StoppingRules(),
        *,
        direction: Direction = "maximize",
        multi_objective: bool = False,
    ) -> None:
        self.rules = rules
        self.direction = direction
        self.multi_objective = multi_objective
        self.best: float | None = None
        self.best_trial: int | None = None
        self.since_improvement = 0
        self.finished = 0

    def _better(self, value: float, margin: float) -> bool:
        if self.best is None:
            return True
        if self.direction == "maximize":
            return value > self.best + margin
        return value < self.best - margin

    def record(self, trial_id: int, value: float | None) -> bool:
        """A finished trial's score (None: pruned). True when it is the new best; the
        patience count restarts only when it beats the old best by more than `min_delta`."""
        self.finished += 1
        improved = value is not None and self._better(value, self.rules.min_delta)
        if value is not None and self._better(value, 0.0):
            self.best, self.best_trial = value, trial_id
        self.since_improvement = 0 if improved else self.since_improvement + 1
        return value is not None and self.best_trial == trial_id

    @property
    def should_stop(self) -> bool:
        patience = self.rules.patience
        return patience is not None and self.since_improvement >= patience

    def should_prune(
        self, score_sum: float, cases_done: int, cases_total: int, upper: float = 1.0
    ) -> bool:
        """Whether a running trial can no longer beat the best (see the module doc)."""
        if not self.rules.prune or self.multi_objective or self.best is None:
            return False
        if cases_done >= cases_total:
            return False
        if self.direction == "maximize":
            return max_achievable(score_sum, cases_done, cases_total, upper) < self.best
        return score_sum / cases_total > self.best  # the rest could all score 0
