"""A per-case report's figures: agreement (3x2 table, kappa or why it is undefined), reviews,
and the final pass rate under each verdict policy."""

from __future__ import annotations

from typing import Any

import pytest

from benchstudio.judge.domain.case_summary import (
    VerdictRow,
    agreement,
    cases_summary,
    final_pass,
    policy_figures,
)


def _row(case_id: str, verdict: Any, automated: bool, review: str | None = None) -> VerdictRow:
    score = {"pass": 5, "marginal": 3, "fail": 1, None: None}[verdict]
    return VerdictRow(case_id, "c", score, verdict, automated, review)


def test_kappa_matches_a_hand_computed_table() -> None:
    # judge pass: 3 auto-pass, 1 not; judge marginal: 1 auto-pass; judge fail: 1 pass, 4 not.
    rows = [_row(f"p{i}", "pass", True) for i in range(3)]
    rows += [_row("p3", "pass", False), _row("m0", "marginal", True), _row("f0", "fail", True)]
    rows += [_row(f"f{i}", "fail", False) for i in range(1, 5)]
    figures = agreement(rows)
    assert figures["table"]["pass"] == {"pass": 3, "not_pass": 1}
    assert figures["table"]["marginal"] == {"pass": 1, "not_pass": 0}
    assert figures["n"] == 10
    # po = (3 + 4) / 10; judge pass 4/10, auto pass 5/10: pe = (4*5 + 6*5) / 100 = 0.5.
    assert figures["raw_agreement"] == pytest.approx(0.7)
    assert figures["kappa"] == pytest.approx((0.7 - 0.5) / 0.5)
    assert figures["kappa_reason"] is None
    assert {d["case_id"] for d in figures["disagreements"]} == {"p3", "m0", "f0"}


def test_kappa_is_undefined_not_nan_when_both_raters_use_one_label() -> None:
    figures = agreement([_row("a", "pass", True), _row("b", "pass", True)])
    assert figures["kappa"] is None
    assert "chance agreement is 1" in figures["kappa_reason"]
    assert figures["raw_agreement"] == 1.0
    empty = agreement([_row("x", None, True)])  # a parse failure is never scored
    assert empty["n"] == 0 and empty["kappa"] is None and empty["kappa_reason"]


def test_reviews_settle_disagreements_and_accuracies() -> None:
    rows = [
        _row("a", "pass", True),
        _row("b", "pass", False, "judge_right"),
        _row("c", "fail", True, "automated_right"),
        _row("d", "marginal", True),  # an unreviewed disagreement: truth unknown
    ]
    figures = agreement(rows)
    assert (figures["judge_right"], figures["automated_right"]) == (1, 1)
    assert figures["judge_accuracy"] == pytest.approx(2 / 3)
    assert figures["automated_accuracy"] == pytest.approx(2 / 3)
    # Agreement between raters is as rated: reviews do not rewrite the table.
    assert figures["raw_agreement"] == pytest.approx(1 / 4)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("automated_final", 2 / 4), ("judge_final", 2 / 4), ("both", None)],
)
def test_final_pass_rate_under_each_policy(policy: Any, expected: float | None) -> None:
    automated = {"a": True, "b": False, "c": True, "d": False}
    rows = [
        _row("a", "fail", True),  # judge-final: not pass
        _row("b", "pass", False),  # judge-final: pass
        _row("c", None, True),  # unparsed: the automated verdict stays
    ]
    figures = policy_figures(rows, automated, policy)
    assert figures["automated_pass_rate"] == 0.5
    assert figures["judge_pass_rate"] == 0.5
    assert figures["final_pass_rate"] == (None if expected is None else pytest.approx(expected))


def test_a_review_overrides_the_policy_for_its_case() -> None:
    judge_right = _row("a", "fail", True, "judge_right")
    assert final_pass(judge_right, True, "automated_final") is False
    automated_right = _row("b", "pass", False, "automated_right")
    assert final_pass(automated_right, False, "judge_final") is False
    assert final_pass(None, True, "judge_final") is True


def test_summary_counts_scores_and_failures() -> None:
    rows = [
        _row("a", "pass", True),
        _row("b", "marginal", False),
        VerdictRow("c", "c", None, None, True, parse_error="no JSON"),
        VerdictRow("d", "c", None, None, True, skipped_reason="transcript longer than…"),
    ]
    summary = cases_summary(
        rows, {"a": True, "b": False, "c": True, "d": True}, "automated_final", cost_usd=0.5
    )
    assert summary["judged"] == 2 and summary["parse_failures"] == 1 and summary["skipped"] == 1
    assert summary["score_histogram"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
    assert summary["mean_score"] == 4.0
    assert summary["policy"]["final_pass_rate"] == 0.75
