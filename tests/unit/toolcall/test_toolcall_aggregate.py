"""Per-model summaries and run comparisons."""

from __future__ import annotations

import pytest

from benchstudio.toolcall.aggregate import (
    compare_runs,
    mcnemar_exact_p,
    summarize_verdicts,
    two_proportion_p,
)
from benchstudio.toolcall.outputs import CallFormat
from benchstudio.toolcall.verdicts import CaseVerdict, ErrorCategory


def verdict(case_id: str, passed: bool, category: str = "simple") -> CaseVerdict:
    return CaseVerdict(
        case_id=case_id,
        category=category,
        profile="lenient",
        passed=passed,
        tool_selection_precision=1.0,
        tool_selection_recall=1.0,
        tool_selection_f1=1.0 if passed else 0.0,
        argument_accuracy=1.0 if passed else 0.5,
        schema_valid=True,
        format=CallFormat.NATIVE,
        irrelevance_correct=None,
        error_category=None if passed else ErrorCategory.API_ERROR,
    )


def test_summary_counts_failed_api_calls_and_breaks_down_by_category() -> None:
    verdicts = [verdict("a", True), verdict("b", False), verdict("c", True, "parallel")]
    summary = summarize_verdicts(verdicts, model="m", run_id="r")
    assert summary.pass_rate.successes == 2
    assert summary.pass_rate.total == 3
    assert summary.pass_rate.ci95 is not None
    assert summary.error_counts == {"api_error": 1}
    assert summary.by_category["simple"].total == 2
    assert summary.argument_accuracy.mean == pytest.approx(2.5 / 3)
    again = summarize_verdicts(verdicts, model="m", run_id="r")
    assert again.argument_accuracy.ci95 == summary.argument_accuracy.ci95  # seeded


def test_mcnemar_exact_known_values() -> None:
    assert mcnemar_exact_p(0, 0) == 1.0
    assert mcnemar_exact_p(0, 6) == pytest.approx(2 / 64)
    assert mcnemar_exact_p(3, 3) == 1.0


def test_compare_runs_pairs_same_cases() -> None:
    a = [verdict(str(i), i < 2) for i in range(10)]
    b = [verdict(str(i), True) for i in range(10)]
    comparison = compare_runs(a, b)
    assert comparison.paired
    assert comparison.only_b_passed == 8
    assert comparison.significant
    assert comparison.difference == pytest.approx(0.8)
    unpaired = compare_runs(a, [verdict("x", True)])
    assert not unpaired.paired


def test_two_proportion_p() -> None:
    assert two_proportion_p(50, 100, 50, 100) == pytest.approx(1.0)
    p = two_proportion_p(40, 100, 60, 100)
    assert p is not None and p < 0.01
