"""The both-orders rule for comparing two results on the same cases.

Every case is judged twice, with the two transcripts labelled A and B and then swapped, so a
judge that prefers a position cannot pass that bias off as a preference for a model. Here the
*subject* is the first result: it is labelled A in the first order and B in the second.

- Both orders pick the subject: a win. Both pick the other: a loss. Both say tie: a tie.
- Any disagreement (including one pick and one tie) counts as a tie and is flagged
  inconsistent.
- A case whose either answer could not be parsed is not decided and is left out of n.

A judge that always answers "A" disagrees with itself on every case: 100% inconsistency and
a 50% win rate, which is the honest result for a judge that ignores the content.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from benchstudio.core.stats_agreement import WinRate, win_rate
from benchstudio.judge.schemas import Position

Outcome = Literal["win", "tie", "loss", "undecided"]
_SUBJECT_WINS = {"first": "A", "second": "B"}  # the subject's label in each order
_OUTCOMES: dict[int, Outcome] = {1: "win", 0: "tie", -1: "loss"}


@dataclass(frozen=True, slots=True)
class CaseComparison:
    """One case's two picks (None = unparsed) and what they add up to for the subject."""

    case_id: str
    first_order: Position | None  # the judge's pick with the subject shown as A
    second_order: Position | None  # the judge's pick with the subject shown as B
    outcome: Outcome
    inconsistent: bool


def _for_subject(pick: Position, order: Literal["first", "second"]) -> Literal[1, 0, -1]:
    if pick == "tie":
        return 0
    return 1 if pick == _SUBJECT_WINS[order] else -1


def compare_case(
    case_id: str, first_order: Position | None, second_order: Position | None
) -> CaseComparison:
    """Combine a case's two picks by the both-orders rule."""
    if first_order is None or second_order is None:
        return CaseComparison(case_id, first_order, second_order, "undecided", False)
    first = _for_subject(first_order, "first")
    second = _for_subject(second_order, "second")
    if first != second:
        return CaseComparison(case_id, first_order, second_order, "tie", True)
    return CaseComparison(case_id, first_order, second_order, _OUTCOMES[first], False)


@dataclass(frozen=True, slots=True)
class ComparisonSummary:
    """The subject's record over all cases: the stats module's win rate plus what was left out."""

    cases: list[CaseComparison]
    result: WinRate
    undecided: int

    @property
    def flagged(self) -> list[str]:
        """Case ids whose two orders disagreed, to review."""
        return [case.case_id for case in self.cases if case.inconsistent]


def summarize_comparison(cases: Iterable[CaseComparison]) -> ComparisonSummary:
    """Wins, ties, losses, the win rate with its 95% interval, and the inconsistency rate."""
    listed = list(cases)
    count = {outcome: 0 for outcome in ("win", "tie", "loss", "undecided")}
    for case in listed:
        count[case.outcome] += 1
    inconsistent = sum(1 for case in listed if case.inconsistent)
    result = win_rate(count["win"], count["tie"], count["loss"], inconsistent)
    return ComparisonSummary(listed, result, count["undecided"])
