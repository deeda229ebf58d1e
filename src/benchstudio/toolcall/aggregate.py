"""Per-model summaries of case verdicts and comparisons of two runs.

Every verdict counts, failed API calls included (they are failed cases). Pass rates carry a
Wilson interval and sub-metric means a seeded bootstrap interval, both from `core.stats`.
Two runs over the same cases are compared with McNemar's exact test on the discordant cases;
runs over different cases with a two-proportion z-test.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

from benchstudio.core.stats import (
    Interval,
    Proportion,
    bootstrap_interval,
    difference_interval,
    paired_difference_interval,
    seed_from_run_id,
)
from benchstudio.core.stats import wilson_interval as _wilson
from benchstudio.toolcall.verdicts import CaseVerdict


@dataclass(frozen=True, slots=True)
class MetricMean:
    count: int
    mean: float | None
    ci95: Interval | None


@dataclass(slots=True)
class ModelSummary:
    model: str
    cases: int
    pass_rate: Proportion
    tool_selection_f1: MetricMean
    argument_accuracy: MetricMean
    schema_valid_rate: MetricMean
    latency_ms: MetricMean
    by_category: dict[str, Proportion] = field(default_factory=dict)
    error_counts: dict[str, int] = field(default_factory=dict)
    format_counts: dict[str, int] = field(default_factory=dict)


def _mean(values: Sequence[float], run_id: str, purpose: str) -> MetricMean:
    if not values:
        return MetricMean(0, None, None)
    seed = seed_from_run_id(run_id, purpose)
    interval = bootstrap_interval(values, "mean", seed=seed)
    return MetricMean(len(values), math.fsum(values) / len(values), interval)


def summarize_verdicts(
    verdicts: Sequence[CaseVerdict], model: str = "", run_id: str = ""
) -> ModelSummary:
    """Pass rate, sub-metric means, category breakdown and error taxonomy for one model."""
    passed = sum(1 for v in verdicts if v.passed)
    per_category: dict[str, list[bool]] = defaultdict(list)
    for verdict in verdicts:
        per_category[verdict.category].append(verdict.passed)
    accuracies = [v.argument_accuracy for v in verdicts if v.argument_accuracy is not None]
    validity = [float(v.schema_valid) for v in verdicts if v.schema_valid is not None]
    latencies = [v.latency_ms for v in verdicts if v.latency_ms is not None]
    return ModelSummary(
        model=model,
        cases=len(verdicts),
        pass_rate=_wilson(passed, len(verdicts)),
        tool_selection_f1=_mean([v.tool_selection_f1 for v in verdicts], run_id, "f1"),
        argument_accuracy=_mean(accuracies, run_id, "argument_accuracy"),
        schema_valid_rate=_mean(validity, run_id, "schema_valid"),
        latency_ms=_mean(latencies, run_id, "latency"),
        by_category={
            category: _wilson(sum(results), len(results))
            for category, results in sorted(per_category.items())
        },
        error_counts=dict(
            Counter(v.error_category.value for v in verdicts if v.error_category).most_common()
        ),
        format_counts=dict(Counter(v.format.value for v in verdicts).most_common()),
    )


@dataclass(frozen=True, slots=True)
class PassRateComparison:
    """B against A. `paired` means both runs scored the same cases (McNemar's exact test)."""

    rate_a: float | None
    rate_b: float | None
    difference: float | None  # B minus A
    paired: bool
    only_a_passed: int
    only_b_passed: int
    p_value: float | None
    significant: bool
    # 95% CI of B minus A: Newcombe's paired interval (paired), else his hybrid score interval.
    difference_ci95: Interval | None = None


def mcnemar_exact_p(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: a binomial test on the discordant pairs."""
    discordant = only_a + only_b
    if discordant == 0:
        return 1.0
    smaller = min(only_a, only_b)
    tail = math.fsum(math.comb(discordant, k) for k in range(smaller + 1)) / 2.0**discordant
    return min(1.0, 2.0 * tail)


def two_proportion_p(passed_a: int, total_a: int, passed_b: int, total_b: int) -> float | None:
    """Two-sided z-test for two independent proportions (pooled variance)."""
    if total_a == 0 or total_b == 0:
        return None
    pooled = (passed_a + passed_b) / (total_a + total_b)
    variance = pooled * (1 - pooled) * (1 / total_a + 1 / total_b)
    if variance == 0:
        return 1.0
    z = (passed_b / total_b - passed_a / total_a) / math.sqrt(variance)
    return 2.0 * (1.0 - NormalDist().cdf(abs(z)))


def compare_runs(
    a: Sequence[CaseVerdict], b: Sequence[CaseVerdict], alpha: float = 0.05
) -> PassRateComparison:
    """Compare pass rates of two runs (or two models) on a suite."""
    rate_a = _wilson(sum(v.passed for v in a), len(a)).rate
    rate_b = _wilson(sum(v.passed for v in b), len(b)).rate
    difference = None if rate_a is None or rate_b is None else rate_b - rate_a
    by_id_a = {v.case_id: v.passed for v in a}
    by_id_b = {v.case_id: v.passed for v in b}
    paired = bool(by_id_a) and by_id_a.keys() == by_id_b.keys()
    only_a = sum(1 for k, ok in by_id_a.items() if ok and not by_id_b.get(k, False))
    only_b = sum(1 for k, ok in by_id_b.items() if ok and not by_id_a.get(k, False))
    passed_a, passed_b = sum(v.passed for v in a), sum(v.passed for v in b)
    if paired:
        p_value: float | None = mcnemar_exact_p(only_a, only_b)
        both = sum(1 for k, ok in by_id_a.items() if ok and by_id_b[k])
        neither = len(by_id_a) - both - only_a - only_b
        interval = paired_difference_interval(both, only_b, only_a, neither)
    else:
        p_value = two_proportion_p(passed_a, len(a), passed_b, len(b))
        interval = difference_interval(passed_b, len(b), passed_a, len(a))
    significant = p_value is not None and p_value < alpha
    return PassRateComparison(
        rate_a, rate_b, difference, paired, only_a, only_b, p_value, significant, interval
    )
