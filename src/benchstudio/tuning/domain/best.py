"""Which trial is "the best": shared by the results page and "apply best" so both name the
same point.

Only complete trials compete (a pruned trial's partial score is not a full evaluation). The
highest mean score wins; on equal scores the cheaper trial, then the faster one (unknown
latency counts as slowest), then the earlier one, so the choice is stable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol, TypeVar


class RankedTrial(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def score(self) -> float | None: ...
    @property
    def cost_usd(self) -> float: ...
    @property
    def latency_p50_ms(self) -> float | None: ...


T = TypeVar("T", bound=RankedTrial)


def rank_key(
    score: float | None, cost_usd: float, latency_p50_ms: float | None, number: int
) -> tuple[float, float, float, int]:
    """The order of the rule above (smallest first), for callers whose trials have another
    shape (the CLI's in-memory records)."""
    latency = latency_p50_ms if latency_p50_ms is not None else math.inf
    return (-(score if score is not None else -math.inf), cost_usd, latency, number)


def _rank(trial: RankedTrial) -> tuple[float, float, float, int]:
    return rank_key(trial.score, trial.cost_usd, trial.latency_p50_ms, trial.number)


def is_candidate(trial: RankedTrial) -> bool:
    return trial.state == "complete" and trial.score is not None


def best_trial(trials: Iterable[T]) -> T | None:
    """The best complete trial, or None when no trial completed with a score."""
    candidates = [trial for trial in trials if is_candidate(trial)]
    return min(candidates, key=_rank) if candidates else None
