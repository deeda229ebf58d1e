"""Regression checks for scheduled runs: each rule compares a metric of the newest run against
a baseline (a fixed run, or the rolling median of the last N runs) and calls it regressed only
when the change is both significant and beyond the rule's threshold, in the worse direction.

Significance for the per-request metrics (TTFT, output tokens/s, cost) is `compare_samples`
(Mann-Whitney U) on the new run's requests against the baseline runs' requests, pooled. The
proportions (error rate, tool-eval score) use Newcombe's interval of the difference of two
independent proportions (`difference_interval`): significant when it excludes zero. A run whose
change is beyond the threshold but not significant regresses nothing: one noisy run never
alerts. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from benchstudio.core.stats import compare_samples, difference_interval, percentile


class Metric(StrEnum):
    TTFT_P50 = "ttft_p50"
    TTFT_P95 = "ttft_p95"
    OUTPUT_TPS = "output_tps"
    ERROR_RATE = "error_rate"
    COST = "cost"
    SCORE = "score"


# Metrics where a lower value is the regression; for the others a higher one is.
LOWER_IS_WORSE = frozenset({Metric.OUTPUT_TPS, Metric.SCORE})
PROPORTIONS = frozenset({Metric.ERROR_RATE, Metric.SCORE})
UNITS = {
    Metric.TTFT_P50: "ms",
    Metric.TTFT_P95: "ms",
    Metric.OUTPUT_TPS: "tokens/s",
    Metric.ERROR_RATE: "",
    Metric.COST: "USD per request",
    Metric.SCORE: "",
}


class ThresholdKind(StrEnum):
    RELATIVE = "relative"  # a fraction of the baseline: 0.2 = 20 % worse
    ABSOLUTE = "absolute"  # in the metric's unit (proportions: 0.05 = 5 points)


@dataclass(frozen=True, slots=True)
class Rule:
    metric: Metric
    threshold: float
    kind: ThresholdKind = ThresholdKind.RELATIVE


@dataclass(frozen=True, slots=True)
class Baseline:
    """A fixed run (`run_id`), else the rolling median of the last `window` runs."""

    run_id: str | None = None
    window: int = 5


@dataclass(frozen=True, slots=True)
class RunSamples:
    """One finished run's per-request values (a request that failed has no TTFT or speed)."""

    run_id: str
    ttft_ms: Sequence[float] = ()
    output_tps: Sequence[float] = ()
    cost_usd: Sequence[float] = ()
    errors: int = 0
    requests: int = 0
    passed: int = 0
    cases: int = 0
    # Metrics this run regressed on: it does not count in later rolling baselines.
    regressed: frozenset[Metric] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on the newest run."""

    metric: Metric
    baseline: float | None
    value: float | None
    change: float | None  # value - baseline
    significant: bool
    beyond: bool  # beyond the threshold in the worse direction
    p_value: float | None = None
    baseline_runs: tuple[str, ...] = ()

    @property
    def regressed(self) -> bool:
        return self.significant and self.beyond

    @property
    def measured(self) -> bool:
        return self.value is not None and self.baseline is not None


def baseline_runs(
    metric: Metric, baseline: Baseline, history: Sequence[RunSamples]
) -> list[RunSamples]:
    """The runs the baseline is made of (`history` newest first, the new run excluded)."""
    if baseline.run_id is not None:
        return [run for run in history if run.run_id == baseline.run_id][:1]
    usable = [run for run in history if metric not in run.regressed and _has(run, metric)]
    return usable[: baseline.window]


def _has(run: RunSamples, metric: Metric) -> bool:
    if metric in (Metric.TTFT_P50, Metric.TTFT_P95):
        return bool(run.ttft_ms)
    if metric is Metric.OUTPUT_TPS:
        return bool(run.output_tps)
    if metric is Metric.COST:
        return bool(run.cost_usd)
    if metric is Metric.ERROR_RATE:
        return run.requests > 0
    return run.cases > 0


def run_value(run: RunSamples, metric: Metric) -> float | None:
    """The metric of one run (None when the run did not measure it)."""
    if not _has(run, metric):
        return None
    if metric is Metric.TTFT_P50:
        return percentile(list(run.ttft_ms), 50)
    if metric is Metric.TTFT_P95:
        return percentile(list(run.ttft_ms), 95)
    if metric is Metric.OUTPUT_TPS:
        return percentile(list(run.output_tps), 50)
    if metric is Metric.COST:
        return percentile(list(run.cost_usd), 50)
    if metric is Metric.ERROR_RATE:
        return run.errors / run.requests
    return run.passed / run.cases


def baseline_value(metric: Metric, runs: Sequence[RunSamples]) -> float | None:
    """The baseline of `metric`: the median of the baseline runs' values (None: none measured)."""
    values = [v for v in (run_value(run, metric) for run in runs) if v is not None]
    return percentile(values, 50) if values else None


def _samples(run: RunSamples, metric: Metric) -> Sequence[float]:
    if metric in (Metric.TTFT_P50, Metric.TTFT_P95):
        return run.ttft_ms
    if metric is Metric.OUTPUT_TPS:
        return run.output_tps
    return run.cost_usd


def _beyond(rule: Rule, baseline: float, value: float) -> bool:
    worse = baseline - value if rule.metric in LOWER_IS_WORSE else value - baseline
    if rule.kind is ThresholdKind.ABSOLUTE:
        return worse > rule.threshold
    return worse > rule.threshold * abs(baseline)


def _significant(
    metric: Metric, base: Sequence[RunSamples], new: RunSamples
) -> tuple[bool, float | None]:
    """Whether the new run differs significantly from the baseline runs, and the p value
    (None for proportions: their interval decides)."""
    if metric in PROPORTIONS:
        if metric is Metric.ERROR_RATE:
            hits, total = new.errors, new.requests
            base_hits, base_total = sum(r.errors for r in base), sum(r.requests for r in base)
        else:
            hits, total = new.passed, new.cases
            base_hits, base_total = sum(r.passed for r in base), sum(r.cases for r in base)
        interval = difference_interval(hits, total, base_hits, base_total)
        return (interval is not None and (interval[0] > 0 or interval[1] < 0)), None
    pooled = [value for run in base for value in _samples(run, metric)]
    comparison = compare_samples(pooled, list(_samples(new, metric)), run_id=new.run_id)
    return comparison.significant, comparison.p_value


def check(
    rule: Rule, baseline: Baseline, history: Sequence[RunSamples], new: RunSamples
) -> Finding:
    """The rule's verdict on `new` against the baseline drawn from `history` (newest first)."""
    runs = baseline_runs(rule.metric, baseline, history)
    value = run_value(new, rule.metric)
    base = baseline_value(rule.metric, runs)
    ids = tuple(run.run_id for run in runs)
    if value is None or base is None:
        return Finding(rule.metric, None, value, None, False, False, baseline_runs=ids)
    significant, p_value = _significant(rule.metric, runs, new)
    return Finding(
        metric=rule.metric,
        baseline=base,
        value=value,
        change=value - base,
        significant=significant,
        beyond=_beyond(rule, base, value),
        p_value=p_value,
        baseline_runs=ids,
    )
