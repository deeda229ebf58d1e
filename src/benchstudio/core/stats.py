"""The one statistics module: every figure the CLI, API, UI and exports show comes from here.

Definitions (stated so that every surface agrees to the digit):
- percentiles use linear interpolation between closest ranks (numpy's default ``linear``
  method, Hyndman & Fan type 7);
- ``std`` is the sample standard deviation (ddof=1); ``cv`` is std / mean;
- outliers are flagged, never removed, with Tukey's fences (1.5 x IQR beyond Q1/Q3);
- 95% confidence intervals for the mean and the median come from a percentile bootstrap whose
  random generator is seeded from a run id string, so recomputation gives identical digits.
  Very large samples (where resampling would cost too much) use a t interval for the mean and
  a distribution-free order-statistic interval for the median; ``ci_method`` says which;
- pass rates get a Wilson score interval; a difference of two pass rates gets Newcombe's
  square-and-add interval built from the two Wilson intervals: his hybrid score interval
  (1998a, method 10) for independent samples, and his paired interval with the continuity
  corrected phi (1998b, method 10) when both rates were scored on the same cases;
- A vs B comparisons use a two-sided Mann-Whitney U test plus a bootstrap interval for the
  difference of medians (B minus A);
- judge agreement (Cohen's kappa, the 3 x 2 table) and comparative win rates live in the
  sibling module `core/stats_agreement.py`, which states its own definitions.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Interval = tuple[float, float]
CiMethod = Literal["bootstrap", "analytic", "none"]

PERCENTILES: tuple[tuple[str, float], ...] = (
    ("p50", 50.0),
    ("p90", 90.0),
    ("p95", 95.0),
    ("p99", 99.0),
    ("p999", 99.9),
)
DEFAULT_RESAMPLES = 2000
# Above this many resampled values (resamples x sample size, i.e. beyond 1,000 values at the
# default 2,000 resamples) the analytic intervals are used: at that size they agree with the
# bootstrap to well within its own resampling noise, and a summary stays a few milliseconds of
# CPU instead of a second (a server summarises runs while it answers requests).
BOOTSTRAP_BUDGET = 2_000_000
# Batch of resamples drawn at once: bounds memory at about BATCH_VALUES floats.
BATCH_VALUES = 2_000_000
CONFIDENCE_LEVEL = 0.95


def seed_from_run_id(run_id: str, purpose: str = "") -> int:
    """A 64-bit seed derived from a run id (and what it is for), stable across processes."""
    digest = hashlib.sha256(f"{run_id}\x00{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def as_array(values: Sequence[float] | FloatArray) -> FloatArray:
    """Finite values as a float64 array (NaN and infinities are dropped)."""
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[np.isfinite(array)]


def percentile(values: Sequence[float] | FloatArray, q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation; None for no data."""
    array = as_array(values)
    if array.size == 0:
        return None
    return float(np.percentile(array, q, method="linear"))


def outlier_fences(values: Sequence[float] | FloatArray) -> Interval | None:
    """Tukey's fences (Q1 - 1.5 IQR, Q3 + 1.5 IQR), or None with fewer than 4 values."""
    array = as_array(values)
    if array.size < 4:
        return None
    q1, q3 = np.percentile(array, [25.0, 75.0], method="linear")
    iqr = float(q3 - q1)
    return float(q1 - 1.5 * iqr), float(q3 + 1.5 * iqr)


def outlier_flags(values: Sequence[float]) -> list[bool]:
    """One flag per input value: True where it lies outside Tukey's fences."""
    fences = outlier_fences(values)
    if fences is None:
        return [False] * len(values)
    low, high = fences
    return [not (low <= v <= high) for v in values]


def confidence_label(cv: float | None, count: int) -> str:
    """How much to trust a mean: 'high', 'medium', 'low', or 'insufficient' (< 3 values)."""
    if count < 3 or cv is None:
        return "insufficient"
    if count >= 10 and cv < 0.10:
        return "high"
    if count >= 5 and cv < 0.30:
        return "medium"
    return "low"


def row_medians(matrix: FloatArray) -> FloatArray:
    """`np.median(matrix, axis=1)`, to the digit, several times faster on bootstrap batches.

    np.median's generic path costs ~50 ms on 2000 rows of 40; sorting short rows (SIMD) or
    partitioning long ones around the middle, then averaging the two middle values as np.median
    does, gives the same floats in a fraction of the time.
    """
    n = matrix.shape[1]
    middle = [(n - 1) // 2, n // 2]
    ordered = np.sort(matrix, axis=1) if n <= 1024 else np.partition(matrix, middle, axis=1)
    if n % 2:
        return np.asarray(ordered[:, middle[0]], dtype=np.float64)
    return np.asarray((ordered[:, middle[0]] + ordered[:, middle[1]]) / 2, dtype=np.float64)


def _bootstrap_statistics(
    array: FloatArray, seed: int, resamples: int, statistic: Literal["mean", "median"]
) -> FloatArray:
    rng = np.random.default_rng(seed)
    n = array.size
    per_batch = max(1, BATCH_VALUES // n)
    results: list[FloatArray] = []
    remaining = resamples
    while remaining > 0:
        batch = min(per_batch, remaining)
        sample = array[rng.integers(0, n, size=(batch, n))]
        reduced = sample.mean(axis=1) if statistic == "mean" else row_medians(sample)
        results.append(np.asarray(reduced, dtype=np.float64))
        remaining -= batch
    return np.concatenate(results)


def _quantile_interval(estimates: FloatArray, level: float) -> Interval:
    alpha = (1.0 - level) / 2.0
    low, high = np.percentile(estimates, [100 * alpha, 100 * (1 - alpha)], method="linear")
    return float(low), float(high)


def _t_interval_mean(array: FloatArray, level: float) -> Interval:
    from scipy import stats as scipy_stats  # lazy: scipy.stats costs ~0.3 s to import

    n = array.size
    mean = float(array.mean())
    half = (
        float(scipy_stats.t.ppf(0.5 + level / 2, n - 1)) * float(array.std(ddof=1)) / math.sqrt(n)
    )
    return mean - half, mean + half


def _order_statistic_interval_median(array: FloatArray, level: float) -> Interval:
    # Distribution-free: ranks n/2 -/+ z*sqrt(n)/2 of the sorted sample.
    n = array.size
    z = NormalDist().inv_cdf(0.5 + level / 2)
    half = z * math.sqrt(n) / 2
    ordered = np.sort(array)
    low_rank = max(0, math.floor(n / 2 - half) - 1)
    high_rank = min(n - 1, math.ceil(n / 2 + half))
    return float(ordered[low_rank]), float(ordered[high_rank])


def bootstrap_interval(
    values: Sequence[float] | FloatArray,
    statistic: Literal["mean", "median"],
    *,
    seed: int,
    resamples: int = DEFAULT_RESAMPLES,
    level: float = CONFIDENCE_LEVEL,
) -> Interval | None:
    """Percentile-bootstrap interval for the mean or median; None with fewer than 2 values."""
    array = as_array(values)
    if array.size < 2:
        return None
    if np.all(array == array[0]):
        return float(array[0]), float(array[0])
    return _quantile_interval(_bootstrap_statistics(array, seed, resamples, statistic), level)


def _confidence_intervals(
    array: FloatArray, run_id: str, resamples: int
) -> tuple[Interval | None, Interval | None, CiMethod]:
    if array.size < 2:
        return None, None, "none"
    if array.size * resamples > BOOTSTRAP_BUDGET:
        t_interval = _t_interval_mean(array, CONFIDENCE_LEVEL)
        return t_interval, _order_statistic_interval_median(array, CONFIDENCE_LEVEL), "analytic"
    mean_ci = bootstrap_interval(
        array, "mean", seed=seed_from_run_id(run_id, "mean"), resamples=resamples
    )
    median_ci = bootstrap_interval(
        array, "median", seed=seed_from_run_id(run_id, "median"), resamples=resamples
    )
    return mean_ci, median_ci, "bootstrap"


@dataclass(frozen=True, slots=True)
class Summary:
    """Descriptive statistics of one metric over one set of values."""

    count: int
    mean: float | None
    std: float | None
    min: float | None
    max: float | None
    p50: float | None
    p90: float | None
    p95: float | None
    p99: float | None
    p999: float | None
    ci95: Interval | None
    median_ci95: Interval | None
    ci_method: CiMethod
    cv: float | None
    confidence: str
    outlier_count: int
    outlier_fences: Interval | None

    def to_dict(self, digits: int | None = None) -> dict[str, Any]:
        """JSON-ready dict (intervals as lists), optionally rounded to `digits` decimals."""
        raw = asdict(self)
        return {key: _rounded(value, digits) for key, value in raw.items()}


def _rounded(value: Any, digits: int | None) -> Any:
    if isinstance(value, tuple):
        return [_rounded(v, digits) for v in value]
    if isinstance(value, float) and digits is not None:
        return round(value, digits)
    return value


def empty_summary() -> Summary:
    return Summary(
        count=0,
        mean=None,
        std=None,
        min=None,
        max=None,
        p50=None,
        p90=None,
        p95=None,
        p99=None,
        p999=None,
        ci95=None,
        median_ci95=None,
        ci_method="none",
        cv=None,
        confidence="insufficient",
        outlier_count=0,
        outlier_fences=None,
    )


def summarize(
    values: Sequence[float] | FloatArray, *, run_id: str = "", resamples: int = DEFAULT_RESAMPLES
) -> Summary:
    """Summary of `values`; the bootstrap is seeded from `run_id` (same id, same digits)."""
    array = as_array(values)
    if array.size == 0:
        return empty_summary()
    mean = float(array.mean())
    std = float(array.std(ddof=1)) if array.size > 1 else None
    cv = std / abs(mean) if std is not None and mean != 0 else None
    quantiles = np.percentile(array, [q for _, q in PERCENTILES], method="linear")
    fences = outlier_fences(array)
    outliers = 0 if fences is None else int(np.sum((array < fences[0]) | (array > fences[1])))
    mean_ci, median_ci, method = _confidence_intervals(array, run_id, resamples)
    p50, p90, p95, p99, p999 = (float(q) for q in quantiles)
    return Summary(
        count=int(array.size),
        mean=mean,
        std=std,
        min=float(array.min()),
        max=float(array.max()),
        p50=p50,
        p90=p90,
        p95=p95,
        p99=p99,
        p999=p999,
        ci95=mean_ci,
        median_ci95=median_ci,
        ci_method=method,
        cv=cv,
        confidence=confidence_label(cv, int(array.size)),
        outlier_count=outliers,
        outlier_fences=fences,
    )


@dataclass(frozen=True, slots=True)
class Proportion:
    """A pass rate with its Wilson score interval."""

    successes: int
    total: int
    rate: float | None
    ci95: Interval | None


def wilson_interval(successes: int, total: int, level: float = CONFIDENCE_LEVEL) -> Proportion:
    """Wilson score interval for `successes` out of `total` (no interval when total is 0)."""
    if total < 0 or not 0 <= successes <= total:
        raise ValueError("need 0 <= successes <= total")
    if total == 0:
        return Proportion(successes, total, None, None)
    z = NormalDist().inv_cdf(0.5 + level / 2)
    rate = successes / total
    denominator = 1 + z * z / total
    centre = (rate + z * z / (2 * total)) / denominator
    half = z * math.sqrt(rate * (1 - rate) / total + z * z / (4 * total * total)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == total else min(1.0, centre + half)
    return Proportion(successes, total, rate, (low, high))


def _wilson_arms(successes: int, total: int, level: float) -> tuple[float, float, float]:
    """The rate and the distances from it down to Wilson's lower and up to its upper bound."""
    proportion = wilson_interval(successes, total, level)
    assert proportion.rate is not None and proportion.ci95 is not None
    low, high = proportion.ci95
    return proportion.rate, proportion.rate - low, high - proportion.rate


def difference_interval(
    successes_1: int, total_1: int, successes_2: int, total_2: int, level: float = CONFIDENCE_LEVEL
) -> Interval | None:
    """Newcombe's hybrid score interval (1998a, method 10) for p1 - p2 of two independent
    proportions; None when either sample is empty."""
    if total_1 == 0 or total_2 == 0:
        return None
    p1, down_1, up_1 = _wilson_arms(successes_1, total_1, level)
    p2, down_2, up_2 = _wilson_arms(successes_2, total_2, level)
    difference = p1 - p2
    low = difference - math.sqrt(down_1**2 + up_2**2)
    high = difference + math.sqrt(up_1**2 + down_2**2)
    return (max(-1.0, low), min(1.0, high))


def _paired_phi(both: int, only_1: int, only_2: int, neither: int) -> float:
    """The phi correlation of the paired table with Newcombe's continuity correction: an
    excess of concordance (ad - bc) above n/2 is reduced by n/2, one below it counts as 0."""
    n = both + only_1 + only_2 + neither
    margins = (both + only_1) * (only_2 + neither) * (both + only_2) * (only_1 + neither)
    if margins == 0:
        return 0.0
    excess: float = both * neither - only_1 * only_2
    if excess > n / 2:
        excess -= n / 2
    elif excess >= 0:
        excess = 0
    return excess / math.sqrt(margins)


def paired_difference_interval(
    both: int, only_1: int, only_2: int, neither: int, level: float = CONFIDENCE_LEVEL
) -> Interval | None:
    """Newcombe's paired score interval (1998b, method 10) for p1 - p2 when both proportions
    were measured on the same n items: `both` succeeded on both, `only_1` only on the first,
    `only_2` only on the second, `neither` on neither. None for an empty table."""
    counts = (both, only_1, only_2, neither)
    if min(counts) < 0:
        raise ValueError("need non-negative counts")
    n = sum(counts)
    if n == 0:
        return None
    p1, down_1, up_1 = _wilson_arms(both + only_1, n, level)
    p2, down_2, up_2 = _wilson_arms(both + only_2, n, level)
    phi = _paired_phi(both, only_1, only_2, neither)
    difference = p1 - p2
    low = difference - math.sqrt(max(0.0, down_1**2 - 2 * phi * down_1 * up_2 + up_2**2))
    high = difference + math.sqrt(max(0.0, up_1**2 - 2 * phi * up_1 * down_2 + down_2**2))
    return (max(-1.0, low), min(1.0, high))


@dataclass(frozen=True, slots=True)
class Comparison:
    """A vs B: Mann-Whitney U (two-sided) and the bootstrap difference of medians (B - A)."""

    count_a: int
    count_b: int
    median_a: float | None
    median_b: float | None
    median_difference: float | None
    median_difference_ci95: Interval | None
    u_statistic: float | None
    p_value: float | None
    significant: bool
    # Probability that a random B value exceeds a random A value (ties count half).
    probability_b_greater: float | None


def _bootstrap_median_difference(
    a: FloatArray, b: FloatArray, seed: int, resamples: int
) -> Interval:
    rng = np.random.default_rng(seed)
    differences = np.empty(resamples, dtype=np.float64)
    per_batch = max(1, BATCH_VALUES // max(a.size, b.size))
    done = 0
    while done < resamples:
        batch = min(per_batch, resamples - done)
        med_a = np.median(a[rng.integers(0, a.size, size=(batch, a.size))], axis=1)
        med_b = np.median(b[rng.integers(0, b.size, size=(batch, b.size))], axis=1)
        differences[done : done + batch] = med_b - med_a
        done += batch
    return _quantile_interval(differences, CONFIDENCE_LEVEL)


def compare_samples(
    a: Sequence[float] | FloatArray,
    b: Sequence[float] | FloatArray,
    *,
    run_id: str = "",
    resamples: int = DEFAULT_RESAMPLES,
    alpha: float = 0.05,
) -> Comparison:
    """Compare two samples; tests need at least 2 values on each side."""
    array_a, array_b = as_array(a), as_array(b)
    median_a = float(np.median(array_a)) if array_a.size else None
    median_b = float(np.median(array_b)) if array_b.size else None
    difference = None if median_a is None or median_b is None else median_b - median_a
    if array_a.size < 2 or array_b.size < 2:
        return Comparison(
            array_a.size,
            array_b.size,
            median_a,
            median_b,
            difference,
            None,
            None,
            None,
            False,
            None,
        )
    from scipy import stats as scipy_stats  # lazy: scipy.stats costs ~0.3 s to import

    test = scipy_stats.mannwhitneyu(array_b, array_a, alternative="two-sided")
    u_b = float(test.statistic)
    p_value = float(test.pvalue)
    interval = _bootstrap_median_difference(
        array_a, array_b, seed_from_run_id(run_id, "median-difference"), resamples
    )
    return Comparison(
        count_a=int(array_a.size),
        count_b=int(array_b.size),
        median_a=median_a,
        median_b=median_b,
        median_difference=difference,
        median_difference_ci95=interval,
        u_statistic=u_b,
        p_value=p_value,
        significant=p_value < alpha,
        probability_b_greater=u_b / (array_a.size * array_b.size),
    )
