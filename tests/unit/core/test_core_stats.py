"""Known values and properties of the one statistics module."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from benchstudio.core import stats

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def test_summary_known_values_match_numpy() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 100.0]
    summary = stats.summarize(values, run_id="run-1")
    assert summary.count == 5
    assert summary.mean == pytest.approx(22.0)
    assert summary.std == pytest.approx(np.std(values, ddof=1))
    assert summary.min == 1.0
    assert summary.max == 100.0
    assert summary.p50 == 3.0
    # linear interpolation: rank 0.9 * 4 = 3.6 -> 4 + 0.6 * 96
    assert summary.p90 == pytest.approx(61.6)
    assert summary.p99 == pytest.approx(np.percentile(values, 99))
    assert summary.p999 == pytest.approx(np.percentile(values, 99.9))
    assert summary.outlier_count == 1
    assert summary.cv == pytest.approx(summary.std / 22.0)


def test_percentile_linear_interpolation_is_stated_behaviour() -> None:
    assert stats.percentile([10.0, 20.0], 50) == 15.0
    assert stats.percentile([10.0, 20.0, 30.0, 40.0], 25) == 17.5
    assert stats.percentile([], 50) is None


# Hyndman & Fan type 7, by hand: sort, rank h = (n - 1) q / 100, then
# x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
# Sorted sample below: 1 1 2 3 3 4 5 5 6 9 (n = 10, so h = 9 q / 100).
PI_DIGITS = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (0.0, 1.0),  # h = 0: the minimum
        (10.0, 1.0),  # h = 0.9, between two equal values
        (25.0, 2.25),  # h = 2.25: 2 + 0.25 * (3 - 2)
        (50.0, 3.5),  # h = 4.5: 3 + 0.5 * (4 - 3)
        (90.0, 6.3),  # h = 8.1: 6 + 0.1 * (9 - 6)
        (95.0, 7.65),  # h = 8.55: 6 + 0.55 * 3
        (99.0, 8.73),  # h = 8.91: 6 + 0.91 * 3
        (99.9, 8.973),  # h = 8.991: 6 + 0.991 * 3
        (100.0, 9.0),  # h = 9: the maximum
    ],
)
def test_percentile_ranks_known_values(q: float, expected: float) -> None:
    assert stats.percentile(PI_DIGITS, q) == pytest.approx(expected, abs=1e-12)


def test_summary_percentiles_known_values() -> None:
    summary = stats.summarize(PI_DIGITS, run_id="pi")
    got = (summary.p50, summary.p90, summary.p95, summary.p99, summary.p999)
    assert got == pytest.approx((3.5, 6.3, 7.65, 8.73, 8.973), abs=1e-12)
    # 0, 1, ..., 1000 (shuffled): h = 10 q lands on a sample value, so p_q = 10 q.
    ramp = np.random.default_rng(1).permutation(1001).astype(float)
    summary = stats.summarize(ramp, run_id="ramp")
    got = (summary.p50, summary.p90, summary.p95, summary.p99, summary.p999)
    assert got == pytest.approx((500.0, 900.0, 950.0, 990.0, 999.0), abs=1e-9)
    # Non-finite values are dropped before ranking: 1 and 3 remain.
    assert stats.percentile([1.0, math.nan, 3.0, math.inf], 50) == 2.0
    assert stats.percentile([7.0], 99.9) == 7.0


def _type7(values: list[float], q: float) -> float:
    """The stated definition, written out independently of numpy."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * q / 100
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(finite, min_size=1, max_size=50),
    st.sampled_from([0.0, 12.5, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0]),
)
def test_percentile_follows_the_stated_definition(values: list[float], q: float) -> None:
    got = stats.percentile(values, q)
    assert got is not None
    assert got == pytest.approx(_type7(values, q), rel=1e-9, abs=1e-6)


def test_empty_and_single_values() -> None:
    assert stats.summarize([]).count == 0
    assert stats.summarize([]).mean is None
    single = stats.summarize([5.0])
    assert single.std is None
    assert single.ci95 is None
    assert single.confidence == "insufficient"


def test_nan_and_infinity_are_ignored() -> None:
    assert stats.summarize([1.0, math.nan, 3.0, math.inf]).count == 2


def test_outlier_flags_mark_only_far_values() -> None:
    flags = stats.outlier_flags([10.0, 11.0, 12.0, 11.5, 10.5, 50.0])
    assert flags == [False, False, False, False, False, True]
    assert stats.outlier_flags([1.0, 2.0]) == [False, False]


def test_confidence_labels() -> None:
    assert stats.confidence_label(0.05, 20) == "high"
    assert stats.confidence_label(0.2, 6) == "medium"
    assert stats.confidence_label(0.5, 50) == "low"
    assert stats.confidence_label(0.01, 2) == "insufficient"


def test_bootstrap_is_reproducible_from_run_id() -> None:
    rng = np.random.default_rng(7)
    values = rng.lognormal(3.0, 0.5, size=200).tolist()
    first = stats.summarize(values, run_id="abc")
    second = stats.summarize(values, run_id="abc")
    other = stats.summarize(values, run_id="xyz")
    assert first.ci95 == second.ci95
    assert first.median_ci95 == second.median_ci95
    assert first.ci95 != other.ci95
    assert first.ci_method == "bootstrap"


def test_bootstrap_interval_covers_the_mean_of_a_normal_sample() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(100.0, 10.0, size=400)
    summary = stats.summarize(values, run_id="cover")
    assert summary.ci95 is not None
    low, high = summary.ci95
    # The t interval and the bootstrap agree closely on a normal sample.
    t_low, t_high = scipy_stats.t.interval(
        0.95, len(values) - 1, loc=values.mean(), scale=scipy_stats.sem(values)
    )
    assert low == pytest.approx(t_low, abs=0.3)
    assert high == pytest.approx(t_high, abs=0.3)


def test_large_samples_switch_to_analytic_intervals() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(50.0, 5.0, size=1_001)
    summary = stats.summarize(values, run_id="big")
    assert summary.ci_method == "analytic"
    assert summary.ci95 is not None
    assert summary.median_ci95 is not None
    expected = scipy_stats.t.interval(
        0.95, len(values) - 1, loc=values.mean(), scale=scipy_stats.sem(values)
    )
    assert summary.ci95 == pytest.approx(expected)
    assert summary.median_ci95[0] <= summary.p50 <= summary.median_ci95[1]


def test_wilson_known_values() -> None:
    # Textbook example: 8 of 10 -> (0.490, 0.943)
    result = stats.wilson_interval(8, 10)
    assert result.rate == 0.8
    assert result.ci95 is not None
    assert result.ci95[0] == pytest.approx(0.4902, abs=1e-4)
    assert result.ci95[1] == pytest.approx(0.9433, abs=1e-4)
    zero = stats.wilson_interval(0, 20)
    assert zero.ci95 is not None
    assert zero.ci95[0] == 0.0
    assert zero.ci95[1] > 0.1
    assert stats.wilson_interval(0, 0).ci95 is None
    with pytest.raises(ValueError, match="successes"):
        stats.wilson_interval(3, 2)


def test_compare_samples_matches_scipy_and_detects_a_shift() -> None:
    rng = np.random.default_rng(11)
    a = rng.normal(100.0, 5.0, size=60)
    b = rng.normal(110.0, 5.0, size=60)
    result = stats.compare_samples(a, b, run_id="cmp")
    reference = scipy_stats.mannwhitneyu(b, a, alternative="two-sided")
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.significant
    assert result.median_difference is not None
    assert result.median_difference > 5
    assert result.median_difference_ci95 is not None
    assert result.median_difference_ci95[0] > 0
    assert result.probability_b_greater is not None
    assert result.probability_b_greater > 0.8


def test_compare_samples_same_distribution_is_not_significant() -> None:
    rng = np.random.default_rng(12)
    values = rng.normal(100.0, 5.0, size=80)
    result = stats.compare_samples(values[:40], values[40:], run_id="same")
    assert not result.significant
    assert result.median_difference_ci95 is not None
    assert result.median_difference_ci95[0] < 0 < result.median_difference_ci95[1]


def test_compare_samples_too_small() -> None:
    result = stats.compare_samples([1.0], [2.0, 3.0])
    assert result.p_value is None
    assert not result.significant


def test_to_dict_is_json_ready() -> None:
    data = stats.summarize([1.0, 2.0, 3.0, 4.0], run_id="r").to_dict(digits=3)
    assert isinstance(data["ci95"], list)
    assert set(data) >= {"mean", "std", "p50", "p999", "ci95", "median_ci95", "cv"}


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=1, max_size=60))
def test_summary_properties(values: list[float]) -> None:
    summary = stats.summarize(values, run_id="prop", resamples=200)
    assert summary.count == len(values)
    assert summary.min is not None
    assert summary.max is not None
    ordered = [summary.min, summary.p50, summary.p90, summary.p95, summary.p99, summary.p999]
    assert all(x is not None for x in ordered)
    tol = 1e-9 * max(1.0, abs(summary.max), abs(summary.min))
    for lower, upper in zip(ordered, [*ordered[1:], summary.max], strict=True):
        assert lower is not None
        assert upper is not None
        assert lower <= upper + tol
    assert summary.mean is not None
    assert summary.min - tol <= summary.mean <= summary.max + tol
    if summary.median_ci95 is not None:
        assert summary.min - tol <= summary.median_ci95[0] <= summary.median_ci95[1] + tol
        assert summary.median_ci95[1] <= summary.max + tol


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=500))
def test_wilson_interval_contains_the_rate(successes: int, total: int) -> None:
    successes = min(successes, total)
    result = stats.wilson_interval(successes, total)
    assert result.ci95 is not None
    assert result.rate is not None
    assert 0.0 <= result.ci95[0] <= result.rate + 1e-12
    assert result.rate - 1e-12 <= result.ci95[1] <= 1.0


@settings(max_examples=30, deadline=None)
@given(st.lists(finite, min_size=2, max_size=40), st.floats(min_value=-1e3, max_value=1e3))
def test_shifting_data_shifts_percentiles(values: list[float], shift: float) -> None:
    base = stats.summarize(values, resamples=50)
    moved = stats.summarize([v + shift for v in values], resamples=50)
    assert base.p50 is not None
    assert moved.p50 is not None
    assert moved.p50 == pytest.approx(base.p50 + shift, abs=1e-6 * (1 + abs(base.p50)))


@pytest.mark.parametrize("n", [1, 2, 3, 40, 41, 400, 1025, 2048])
def test_row_medians_equal_numpy_median_to_the_digit(n: int) -> None:
    rng = np.random.default_rng(n)
    values = rng.lognormal(3.0, 1.0, size=n)
    matrix = values[rng.integers(0, n, size=(300, n))]
    assert np.array_equal(stats.row_medians(matrix), np.median(matrix, axis=1))


def test_mean_interval_is_the_student_t_interval() -> None:
    # mean 0.6, s = 0.1, t(0.975, 2) = 4.3026527: half width 0.2484138.
    low, high = stats.mean_interval([0.5, 0.7, 0.6]) or (0.0, 0.0)
    assert (low, high) == pytest.approx((0.6 - 0.2484138, 0.6 + 0.2484138), abs=1e-6)
    assert stats.mean_interval([0.4]) is None
    assert stats.mean_interval([0.4, 0.4]) == (0.4, 0.4)


def test_compare_means_welch_and_bootstrap_difference() -> None:
    result = stats.compare_means([0.2, 0.4, 0.3, 0.5], [0.6, 0.8, 0.7, 0.9], run_id="r")
    assert result.mean_difference == pytest.approx(0.4)
    # t = 0.4 / sqrt(0.0166667 / 4 * 2) = 4.38178, df = 6.
    assert result.p_value == pytest.approx(2 * scipy_stats.t.sf(4.381780, 6), rel=1e-5)
    assert result.significant
    again = stats.compare_means([0.2, 0.4, 0.3, 0.5], [0.6, 0.8, 0.7, 0.9], run_id="r")
    assert again.mean_difference_ci95 == result.mean_difference_ci95
    low, high = result.mean_difference_ci95 or (0.0, 0.0)
    assert 0.2 <= low < 0.4 < high <= 0.6


def test_compare_means_edge_cases() -> None:
    too_few = stats.compare_means([1.0], [0.0, 1.0])
    assert too_few.p_value is None and not too_few.significant
    assert too_few.mean_difference == pytest.approx(-0.5)
    constant = stats.compare_means([1.0, 1.0], [0.0, 0.0])
    assert constant.mean_difference_ci95 == (-1.0, -1.0) and constant.significant
    same = stats.compare_means([1.0, 1.0], [1.0, 1.0])
    assert same.p_value == 1.0 and not same.significant
    big = stats.compare_means([0.0, 1.0] * 600, [1.0, 1.0, 0.0] * 400)
    low, high = big.mean_difference_ci95 or (0.0, 0.0)
    half = 1.959964 * math.sqrt(0.25 * 1200 / 1199 / 1200 + (2 / 9) * 1200 / 1199 / 1200)
    assert (low, high) == pytest.approx((1 / 6 - half, 1 / 6 + half), abs=1e-6)
