"""The both-orders rule: a win only when both orders agree; disagreement is a flagged tie."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchstudio.judge.domain.comparative import compare_case, summarize_comparison
from benchstudio.judge.schemas import Position

picks = st.sampled_from(["A", "B", "tie"])


def test_a_judge_that_always_picks_a_is_fully_inconsistent_and_even() -> None:
    cases = [compare_case(f"c{i}", "A", "A") for i in range(10)]
    summary = summarize_comparison(cases)
    assert summary.result.inconsistency_rate == 1.0
    assert summary.result.rate == 0.5
    assert (summary.result.wins, summary.result.ties, summary.result.losses) == (0, 10, 0)
    assert summary.flagged == [f"c{i}" for i in range(10)]


@pytest.mark.parametrize(
    ("first", "second", "outcome", "inconsistent"),
    [
        ("A", "B", "win", False),  # the subject is A, then B: picked both times
        ("B", "A", "loss", False),
        ("tie", "tie", "tie", False),
        ("A", "A", "tie", True),  # position bias
        ("B", "B", "tie", True),
        ("A", "tie", "tie", True),
        ("tie", "A", "tie", True),
    ],
)
def test_case_outcomes(first: Position, second: Position, outcome: str, inconsistent: bool) -> None:
    case = compare_case("c1", first, second)
    assert (case.outcome, case.inconsistent) == (outcome, inconsistent)


def test_unparsed_picks_are_undecided_and_left_out_of_n() -> None:
    summary = summarize_comparison(
        [compare_case("c1", "A", "B"), compare_case("c2", None, "B"), compare_case("c3", "B", "A")]
    )
    assert summary.undecided == 1
    assert summary.result.n == 2
    assert summary.result.rate == 0.5
    assert summary.result.inconsistency_rate == 0.0


def test_mixed_record() -> None:
    cases = [
        compare_case("w1", "A", "B"),
        compare_case("w2", "A", "B"),
        compare_case("w3", "A", "B"),
        compare_case("l1", "B", "A"),
        compare_case("t1", "A", "A"),
    ]
    result = summarize_comparison(cases).result
    assert (result.wins, result.ties, result.losses, result.inconsistent) == (3, 1, 1, 1)
    assert result.rate == pytest.approx(3.5 / 5)
    assert result.inconsistency_rate == pytest.approx(0.2)


@given(st.lists(st.tuples(picks, picks), max_size=40))
def test_swapping_the_subject_mirrors_the_result(pairs: list[tuple[Position, Position]]) -> None:
    # Judging B as the subject: it was shown second first, so the same answers swap orders.
    forward = summarize_comparison(compare_case(str(i), a, b) for i, (a, b) in enumerate(pairs))
    backward = summarize_comparison(compare_case(str(i), b, a) for i, (a, b) in enumerate(pairs))
    assert forward.result.wins == backward.result.losses
    assert forward.result.ties == backward.result.ties
    assert forward.result.inconsistent == backward.result.inconsistent
    if forward.result.rate is not None and backward.result.rate is not None:
        assert forward.result.rate == pytest.approx(1 - backward.result.rate)
