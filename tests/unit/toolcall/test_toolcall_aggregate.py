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


def test_compare_runs_gives_newcombes_interval_of_b_minus_a() -> None:
    # Paired by case id: 36 cases both passed, 2 only A, 12 only B, none neither. B - A is
    # Newcombe's 1998b example (a) mirrored: 12 first-only and 2 second-only, 0.0569..0.3404.
    a = [verdict(f"c{i}", i < 38) for i in range(50)]
    b = [verdict(f"c{i}", i < 36 or i >= 38) for i in range(50)]
    paired = compare_runs(a, b)
    assert paired.paired and (paired.only_a_passed, paired.only_b_passed) == (2, 12)
    assert paired.difference == pytest.approx(0.2)
    assert paired.difference_ci95 == pytest.approx((0.0569, 0.3404), abs=5e-5)
    # Different cases: Newcombe's 1998a example (a), 56/70 against 48/80, as B - A.
    first = [verdict(f"a{i}", i < 48) for i in range(80)]
    second = [verdict(f"b{i}", i < 56) for i in range(70)]
    unpaired = compare_runs(first, second)
    assert not unpaired.paired
    assert unpaired.difference_ci95 == pytest.approx((0.0524, 0.3339), abs=5e-5)
    assert compare_runs([], []).difference_ci95 is None
