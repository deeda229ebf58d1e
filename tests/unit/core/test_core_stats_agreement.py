"""Cohen's kappa, the judge agreement table and win rates against hand-computed values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchstudio.core import stats, stats_agreement
from benchstudio.core.stats_agreement import agreement_table, cohen_kappa, win_rate

counts = st.integers(min_value=0, max_value=200)


def test_kappa_matches_the_wikipedia_worked_example() -> None:
    # Wikipedia, "Cohen's kappa", simple example: 50 grant proposals, 20 yes/yes, 5 A-yes/B-no,
    # 10 A-no/B-yes, 15 no/no: po = 0.7, pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.4.
    result = cohen_kappa(20, 5, 10, 15)
    assert result.n == 50
    assert result.observed_agreement == pytest.approx(0.7)
    assert result.expected_agreement == pytest.approx(0.5)
    assert result.kappa == pytest.approx(0.4)
    assert result.undefined_reason is None


def test_kappa_same_agreement_different_marginals() -> None:
    # Wikipedia's pair with po = 0.6 each: pe = 0.54 gives 0.1304, pe = 0.46 gives 0.2593.
    first = cohen_kappa(45, 15, 25, 15)
    assert first.expected_agreement == pytest.approx(0.54)
    assert first.kappa == pytest.approx(0.06 / 0.46)
    second = cohen_kappa(25, 35, 5, 35)
    assert second.expected_agreement == pytest.approx(0.46)
    assert second.kappa == pytest.approx(0.14 / 0.54)


def test_kappa_is_undefined_not_nan_when_chance_agreement_is_one() -> None:
    result = cohen_kappa(7, 0, 0, 0)
    assert result.kappa is None
    assert result.observed_agreement == 1.0
    assert result.expected_agreement == 1.0
    assert result.undefined_reason is not None and "pass" in result.undefined_reason
    none_pass = cohen_kappa(0, 0, 0, 4)
    assert none_pass.kappa is None and "not-pass" in (none_pass.undefined_reason or "")
    empty = cohen_kappa(0, 0, 0, 0)
    assert empty.kappa is None and empty.n == 0 and empty.undefined_reason == "no cases to compare"


def test_kappa_is_defined_when_only_one_rater_is_constant() -> None:
    # Judge passes everything, automated passes 3 of 4: pe = 0.75, po = 0.75, kappa = 0.
    result = cohen_kappa(3, 1, 0, 0)
    assert result.kappa == pytest.approx(0.0)


def test_kappa_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        cohen_kappa(1, -1, 0, 0)


def test_agreement_table_counts_marginal_as_not_pass() -> None:
    pairs: list[tuple[stats_agreement.JudgeVerdict, bool]] = [
        ("pass", True),
        ("pass", True),
        ("pass", False),
        ("marginal", True),
        ("marginal", False),
        ("fail", False),
        ("fail", False),
        ("fail", True),
    ]
    table = agreement_table(pairs)
    assert table.counts == {"pass": (2, 1), "marginal": (1, 1), "fail": (1, 2)}
    assert table.n == 8
    kappa = table.kappa()
    # judge pass / auto pass 2, judge pass / auto not 1, judge not / auto pass 2, neither 3.
    assert kappa == cohen_kappa(2, 1, 2, 3)
    assert kappa.observed_agreement == pytest.approx(5 / 8)
    assert kappa.expected_agreement == pytest.approx((3 * 4 + 5 * 4) / 64)


def test_agreement_table_refuses_an_unknown_verdict() -> None:
    with pytest.raises(ValueError, match="unknown judge verdict"):
        agreement_table([("great", True)])  # type: ignore[list-item]


def test_win_rate_counts_ties_half_and_matches_wilson_without_ties() -> None:
    result = win_rate(6, 2, 2, inconsistent=1)
    assert result.n == 10
    assert result.rate == pytest.approx(0.7)
    assert result.inconsistency_rate == pytest.approx(0.1)
    plain = win_rate(7, 0, 3)
    assert plain.ci95 == pytest.approx(stats.wilson_interval(7, 10).ci95)
    # Hand-computed Wilson bounds for 0.7 over 10 (z = 1.959964): 0.3968, 0.8922.
    assert result.ci95 == pytest.approx((0.396781, 0.892209), abs=1e-5)


def test_win_rate_edges() -> None:
    assert win_rate(0, 0, 0).rate is None
    all_wins = win_rate(5, 0, 0)
    assert all_wins.rate == 1.0
    assert all_wins.ci95 is not None and all_wins.ci95[1] == 1.0 and all_wins.ci95[0] < 1.0
    assert win_rate(0, 4, 0, inconsistent=4).rate == 0.5
    with pytest.raises(ValueError, match="cannot exceed ties"):
        win_rate(1, 0, 1, inconsistent=1)


def test_position_inconsistency_rate() -> None:
    assert stats_agreement.position_inconsistency_rate(3, 12) == 0.25
    assert stats_agreement.position_inconsistency_rate(0, 0) is None
    with pytest.raises(ValueError, match="inconsistent"):
        stats_agreement.position_inconsistency_rate(3, 2)


@given(counts, counts, counts, counts)
def test_kappa_properties(a: int, b: int, c: int, d: int) -> None:
    result = cohen_kappa(a, b, c, d)
    swapped = cohen_kappa(a, c, b, d)  # the raters' roles exchanged
    assert result.kappa == (None if swapped.kappa is None else pytest.approx(swapped.kappa))
    if result.kappa is not None:
        assert -1.0 - 1e-9 <= result.kappa <= 1.0 + 1e-9
        if b == c == 0:
            assert result.kappa == pytest.approx(1.0)
    elif result.n:
        assert result.expected_agreement == 1.0 and result.undefined_reason


@given(counts, counts, counts)
def test_win_rate_properties(wins: int, ties: int, losses: int) -> None:
    result = win_rate(wins, ties, losses)
    mirrored = win_rate(losses, ties, wins)
    if result.rate is None:
        assert wins + ties + losses == 0
        return
    assert result.ci95 is not None and mirrored.ci95 is not None and mirrored.rate is not None
    low, high = result.ci95
    assert 0.0 <= low <= result.rate <= high <= 1.0
    assert result.rate == pytest.approx(1 - mirrored.rate)
    assert low == pytest.approx(1 - mirrored.ci95[1]) and high == pytest.approx(
        1 - mirrored.ci95[0]
    )
