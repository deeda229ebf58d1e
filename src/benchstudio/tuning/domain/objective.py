"""What a trial is scored by, and how its repeats become one score with a CI.

The quality objective is the tool-eval score on a suite (the pass rate overall, or one chosen
metric) or the judge score, as a per-case score in [0, 1]. Latency (p50 of the cases' E2E time)
and cost are recorded for every trial; a multi-objective study also minimises them.

A point is evaluated the search space's `repeats` times (the requests carry a different seed
each time; seeds are never a search dimension). The trial's score is the mean of the repeats'
scores; its CI is the t interval over the repeat scores (`core.stats.mean_interval`), or with
a single repeat the seeded bootstrap interval of the cases' mean. Best vs baseline compares the
two points' case scores by their means (`core.stats.compare_means`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from benchstudio.core.stats import (
    Interval,
    MeanComparison,
    bootstrap_interval,
    compare_means,
    mean_interval,
    percentile,
    seed_from_run_id,
)
from benchstudio.tuning.domain.strategies import Direction

ObjectiveSource = Literal["tool_eval", "judge"]
ToolMetric = Literal["pass_rate", "tool_selection_f1", "argument_accuracy", "schema_valid_rate"]
SecondaryObjective = Literal["latency", "cost"]


@dataclass(frozen=True, slots=True)
class ObjectiveSpec:
    """`metric` applies to the tool eval (`pass_rate` is the overall score); `minimize` adds
    latency and/or cost as further objectives (a Pareto front instead of one best)."""

    source: ObjectiveSource = "tool_eval"
    metric: ToolMetric = "pass_rate"
    minimize: tuple[SecondaryObjective, ...] = ()

    def __post_init__(self) -> None:
        if len(set(self.minimize)) != len(self.minimize):
            raise ValueError("each secondary objective may appear once")

    @property
    def label(self) -> str:
        return "judge score" if self.source == "judge" else self.metric.replace("_", " ")

    @property
    def directions(self) -> tuple[Direction, ...]:
        lower: tuple[Direction, ...] = tuple("minimize" for _ in self.minimize)
        return ("maximize", *lower)

    @property
    def multi_objective(self) -> bool:
        return bool(self.minimize)


@dataclass(frozen=True, slots=True)
class CaseScore:
    """One case in one repeat: its score in [0, 1], E2E latency and cost (None = unknown)."""

    score: float
    latency_ms: float | None = None
    cost_usd: float | None = None


@dataclass(frozen=True, slots=True)
class TrialScore:
    score: float
    score_ci95: Interval | None
    repeat_scores: tuple[float, ...]
    cases: int  # case results over all repeats
    latency_p50_ms: float | None
    cost_usd: float  # all repeats together
    cost_per_repeat_usd: float

    def values(self, spec: ObjectiveSpec) -> tuple[float, ...]:
        """The objective values a strategy is told, in `spec.directions` order (latency
        unknown counts as infinite, so such a point never dominates)."""
        extra = {
            "latency": math.inf if self.latency_p50_ms is None else self.latency_p50_ms,
            "cost": self.cost_per_repeat_usd,
        }
        return (self.score, *(extra[name] for name in spec.minimize))


def score_trial(repeats: Sequence[Sequence[CaseScore]], *, run_id: str = "") -> TrialScore:
    """One trial's score from its repeats (each a list of case scores)."""
    filled = [list(cases) for cases in repeats if cases]
    if not filled:
        raise ValueError("a trial needs at least one scored case")
    repeat_scores = tuple(math.fsum(c.score for c in cases) / len(cases) for cases in filled)
    everything = [case for cases in filled for case in cases]
    interval: Interval | None
    if len(repeat_scores) >= 2:
        # A t interval over few repeats can reach past the scale; a mean of case scores in
        # [0, 1] cannot, so the interval is cut to the scale (every view shows the same).
        raw = mean_interval(repeat_scores)
        interval = None if raw is None else (max(0.0, raw[0]), min(1.0, raw[1]))
    else:
        interval = bootstrap_interval(
            [case.score for case in everything], "mean", seed=seed_from_run_id(run_id, "score")
        )
    latencies = [case.latency_ms for case in everything if case.latency_ms is not None]
    cost = math.fsum(case.cost_usd for case in everything if case.cost_usd is not None)
    return TrialScore(
        score=math.fsum(repeat_scores) / len(repeat_scores),
        score_ci95=interval,
        repeat_scores=repeat_scores,
        cases=len(everything),
        latency_p50_ms=percentile(latencies, 50.0) if latencies else None,
        cost_usd=cost,
        cost_per_repeat_usd=cost / len(filled),
    )


def case_scores(repeats: Sequence[Sequence[CaseScore]]) -> list[float]:
    return [case.score for cases in repeats for case in cases]


def compare_to_baseline(
    baseline: Sequence[Sequence[CaseScore]],
    best: Sequence[Sequence[CaseScore]],
    *,
    run_id: str = "",
) -> MeanComparison:
    """Best minus baseline over all their case scores, with a CI and Welch's test."""
    return compare_means(case_scores(baseline), case_scores(best), run_id=run_id)


def pareto_front(values: Sequence[Sequence[float]], directions: Sequence[Direction]) -> list[int]:
    """Indices of the trials no other trial dominates (at least as good on every objective
    and better on one), in input order. Equal trials are all kept."""
    signs = [1.0 if direction == "maximize" else -1.0 for direction in directions]
    scored = [tuple(sign * value for sign, value in zip(signs, row, strict=True)) for row in values]

    def dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return all(x >= y for x, y in zip(a, b, strict=True)) and a != b

    return [
        index
        for index, row in enumerate(scored)
        if not any(dominates(other, row) for other in scored)
    ]
