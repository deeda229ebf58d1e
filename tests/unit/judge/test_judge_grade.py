"""The A-F grade at every threshold boundary (docs/judge.md, Grades)."""

from __future__ import annotations

import pytest

from benchstudio.judge.domain.grade import GRADE_THRESHOLDS, grade_for


@pytest.mark.parametrize(
    ("pass_rate", "mean_score", "grade"),
    [
        (1.0, 5.0, "A"),
        (0.90, 4.5, "A"),  # both thresholds are inclusive
        (0.8999, 4.5, "B"),
        (0.90, 4.4999, "B"),
        (0.80, 4.0, "B"),
        (0.7999, 4.0, "C"),
        (0.80, 3.9999, "C"),
        (0.65, 3.5, "C"),
        (0.6499, 3.5, "D"),
        (0.65, 3.4999, "D"),
        (0.50, 3.0, "D"),
        (0.4999, 3.0, "F"),
        (0.50, 2.9999, "F"),
        (0.0, 1.0, "F"),
        (1.0, 1.0, "F"),  # a high pass rate cannot lift a poor judged quality
        (0.95, 3.2, "D"),  # the weaker figure decides
    ],
)
def test_grade_boundaries(pass_rate: float, mean_score: float, grade: str) -> None:
    assert grade_for(pass_rate, mean_score) == grade


def test_thresholds_are_ordered_best_first() -> None:
    assert [t.grade for t in GRADE_THRESHOLDS] == ["A", "B", "C", "D"]
    rates = [t.min_pass_rate for t in GRADE_THRESHOLDS]
    scores = [t.min_mean_score for t in GRADE_THRESHOLDS]
    assert rates == sorted(rates, reverse=True) and scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("pass_rate", "mean_score"), [(-0.1, 3.0), (1.1, 3.0), (0.5, 0.9), (0.5, 5.1)]
)
def test_out_of_range_figures_are_refused(pass_rate: float, mean_score: float) -> None:
    with pytest.raises(ValueError, match="must be between"):
        grade_for(pass_rate, mean_score)
