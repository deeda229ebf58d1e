"""Pairing strategies: maximum matching is optimal, greedy is BFCL's, ordered keeps order."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from benchstudio.toolcall.pairing import (
    PairScore,
    ScoreMatrix,
    greedy_first_fit,
    is_in_order,
    maximum_matching,
    ordered_alignment,
)

cells = st.one_of(st.none(), st.builds(PairScore, st.booleans(), st.floats(0, 1)))


@st.composite
def matrices(draw: st.DrawFn) -> tuple[ScoreMatrix, int]:
    rows = draw(st.integers(0, 4))
    cols = draw(st.integers(0, 4))
    return [[draw(cells) for _ in range(cols)] for _ in range(rows)], cols


def passing_pairs(scores: ScoreMatrix, pairing: list[int | None]) -> int:
    return sum(
        1
        for row, col in enumerate(pairing)
        if col is not None and (cell := scores[row][col]) is not None and cell.passed
    )


def best_possible(scores: ScoreMatrix, cols: int) -> int:
    rows = len(scores)
    best = 0
    for chosen in itertools.permutations([*range(cols), *([None] * rows)], rows):
        best = max(best, passing_pairs(scores, list(chosen)))
    return best


@given(matrices())
def test_pairings_are_injective_and_use_compatible_pairs(case: tuple[ScoreMatrix, int]) -> None:
    scores, cols = case
    for pairing in (
        maximum_matching(scores, cols),
        greedy_first_fit(scores, cols),
        ordered_alignment(scores, cols),
    ):
        used = [col for col in pairing if col is not None]
        assert len(used) == len(set(used))
        assert all(
            scores[row][col] is not None for row, col in enumerate(pairing) if col is not None
        )


@given(matrices())
def test_maximum_matching_finds_the_most_passing_pairs(case: tuple[ScoreMatrix, int]) -> None:
    scores, cols = case
    best = best_possible(scores, cols)
    assert passing_pairs(scores, maximum_matching(scores, cols)) == best
    assert passing_pairs(scores, greedy_first_fit(scores, cols)) <= best


@given(matrices())
def test_ordered_alignment_keeps_order(case: tuple[ScoreMatrix, int]) -> None:
    scores, cols = case
    assert is_in_order(ordered_alignment(scores, cols))


def test_greedy_can_miss_what_maximum_matching_finds() -> None:
    yes, no = PairScore(True, 1.0), PairScore(False, 0.0)
    scores: ScoreMatrix = [[yes, yes], [yes, no]]
    assert passing_pairs(scores, greedy_first_fit(scores, 2)) == 1
    assert passing_pairs(scores, maximum_matching(scores, 2)) == 2
