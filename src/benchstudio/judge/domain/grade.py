"""The A-F grade of a cross-case report, from measured figures only (the model never picks it).

A run earns the best grade whose two thresholds it meets, both of them (docs/judge.md, Grades):

| grade | pass rate at least | mean judge score at least |
|---|---|---|
| A | 90% | 4.5 |
| B | 80% | 4.0 |
| C | 65% | 3.5 |
| D | 50% | 3.0 |
| F | anything lower | |

The pass rate is the share of cases passed under the run's verdict policy (0 to 1); the mean
judge score is over the judged cases (1 to 5). Thresholds are inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Grade = Literal["A", "B", "C", "D", "F"]


@dataclass(frozen=True, slots=True)
class GradeThreshold:
    grade: Grade
    min_pass_rate: float
    min_mean_score: float


GRADE_THRESHOLDS: tuple[GradeThreshold, ...] = (
    GradeThreshold("A", 0.90, 4.5),
    GradeThreshold("B", 0.80, 4.0),
    GradeThreshold("C", 0.65, 3.5),
    GradeThreshold("D", 0.50, 3.0),
)


def grade_for(pass_rate: float, mean_score: float) -> Grade:
    """The grade whose thresholds both figures meet, best first; F when none is met."""
    if not 0.0 <= pass_rate <= 1.0:
        raise ValueError("pass_rate must be between 0 and 1")
    if not 1.0 <= mean_score <= 5.0:
        raise ValueError("mean_score must be between 1 and 5")
    for threshold in GRADE_THRESHOLDS:
        if pass_rate >= threshold.min_pass_rate and mean_score >= threshold.min_mean_score:
            return threshold.grade
    return "F"
