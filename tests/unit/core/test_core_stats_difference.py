"""Confidence intervals for a difference of two proportions (Newcombe's square-and-add
intervals), checked against the worked examples Newcombe published and against hand
computation from the Wilson intervals they are built from."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchstudio.core import stats

# Newcombe (1998a), "Interval estimation for the difference between independent proportions:
# comparison of eleven methods", Statistics in Medicine 17:873-890, Table II, method 10
# (hybrid score, no continuity correction): (x1, n1, x2, n2) -> 95% CI of p1 - p2.
NEWCOMBE_1998A = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_1998A)
def test_hybrid_score_interval_matches_newcombes_published_examples(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    interval = stats.difference_interval(*counts)
    assert interval is not None
    assert interval == pytest.approx(expected, abs=5e-5)


def test_paired_interval_matches_newcombes_published_example() -> None:
    # Newcombe (1998b), "Improved confidence intervals for the difference between binomial
    # proportions based on paired data", Statistics in Medicine 17:2635-2650, example (a):
    # a = 36 both, b = 12 first only, c = 2 second only, d = 0 neither; method 10.
    interval = stats.paired_difference_interval(36, 12, 2, 0)
    assert interval == pytest.approx((0.0569, 0.3404), abs=5e-5)


def _arms(successes: int, total: int) -> tuple[float, float, float]:
    proportion = stats.wilson_interval(successes, total)
    assert proportion.rate is not None and proportion.ci95 is not None
    return (
        proportion.rate,
        proportion.rate - proportion.ci95[0],
        proportion.ci95[1] - proportion.rate,
    )


def test_paired_interval_by_hand_with_an_excess_of_concordance() -> None:
    # a=20, b=5, c=2, d=13 (n=40): ad - bc = 250 > n/2, so phi = (250 - 20)/sqrt(25*15*22*18).
    p1, down_1, up_1 = _arms(25, 40)
    p2, down_2, up_2 = _arms(22, 40)
    phi = (250 - 20) / math.sqrt(25 * 15 * 22 * 18)
    low = (p1 - p2) - math.sqrt(down_1**2 - 2 * phi * down_1 * up_2 + up_2**2)
    high = (p1 - p2) + math.sqrt(up_1**2 - 2 * phi * up_1 * down_2 + down_2**2)
    assert stats.paired_difference_interval(20, 5, 2, 13) == pytest.approx((low, high), abs=1e-12)


def test_paired_interval_without_correlation_is_the_independent_square_and_add() -> None:
    # a=1, b=2, c=2, d=5: ad - bc = 1 lies in [0, n/2 = 5], so the corrected phi is 0 and the
    # interval is the two marginal Wilson intervals squared and added (3/10 against 3/10).
    p1, down_1, up_1 = _arms(3, 10)
    p2, down_2, up_2 = _arms(3, 10)
    expected = (p1 - p2 - math.hypot(down_1, up_2), p1 - p2 + math.hypot(up_1, down_2))
    assert stats.paired_difference_interval(1, 2, 2, 5) == pytest.approx(expected, abs=1e-12)
    assert expected[0] == pytest.approx(-expected[1])


def test_paired_interval_runs_both_ways_and_edges() -> None:
    low, high = stats.paired_difference_interval(36, 12, 2, 0) or (0.0, 0.0)
    assert stats.paired_difference_interval(36, 2, 12, 0) == pytest.approx((-high, -low))
    assert stats.paired_difference_interval(0, 0, 0, 0) is None
    # every case passed by both: each Wilson interval is (0.7225, 1) and phi is 0, so the
    # interval is 0 -/+ 0.2775 (Newcombe's 1998a example (f) mirrored to ten successes)
    same = stats.paired_difference_interval(10, 0, 0, 0)
    assert same == pytest.approx((-0.2775, 0.2775), abs=5e-5)
    with pytest.raises(ValueError, match="non-negative"):
        stats.paired_difference_interval(-1, 0, 0, 1)


def test_difference_interval_needs_both_samples() -> None:
    assert stats.difference_interval(3, 10, 0, 0) is None
    assert stats.difference_interval(0, 0, 3, 10) is None


counts = st.integers(min_value=0, max_value=60)


@given(counts, counts, counts, counts)
def test_intervals_hold_the_observed_difference(a: int, b: int, c: int, d: int) -> None:
    n = a + b + c + d
    if n == 0:
        return
    paired = stats.paired_difference_interval(a, b, c, d)
    assert paired is not None
    observed = (b - c) / n
    assert -1 <= paired[0] <= observed + 1e-12 and observed - 1e-12 <= paired[1] <= 1
    if a + b <= n and c + d > 0:
        unpaired = stats.difference_interval(a, a + b, c, c + d) if a + b else None
        if unpaired is not None:
            observed = a / (a + b) - c / (c + d)
            assert unpaired[0] <= observed + 1e-12 <= unpaired[1] + 2e-12
