"""A per-case judge report's figures: verdict counts, scores, agreement with the automated
verdicts, reviews, and the pass rate under the run's verdict policy. Pure.

Agreement (table and kappa) is between the two raters as they rated: a review does not rewrite
it. Reviews settle the disagreements they cover: they count as judge-right or automated-right,
give each rater's accuracy over the cases whose truth is known (agreements and reviewed
disagreements), and a reviewed case's final verdict is the one of whoever was right, whatever
the policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from benchstudio.core.stats_agreement import JUDGE_VERDICTS, JudgeVerdict, agreement_table

Policy = Literal["automated_final", "judge_final", "both"]
POLICIES: tuple[Policy, ...] = ("automated_final", "judge_final", "both")


@dataclass(frozen=True, slots=True)
class VerdictRow:
    case_id: str
    category: str | None
    score: int | None
    verdict: JudgeVerdict | None
    automated_pass: bool | None
    review: str | None = None
    parse_error: str | None = None
    skipped_reason: str | None = None


def _scored(rows: Iterable[VerdictRow]) -> list[VerdictRow]:
    """Rows with a usable verdict and a known automated result (what agreement compares)."""
    return [r for r in rows if r.verdict is not None and r.automated_pass is not None]


def _disagrees(row: VerdictRow) -> bool:
    return (row.verdict == "pass") != bool(row.automated_pass)


def agreement(rows: Sequence[VerdictRow]) -> dict[str, Any]:
    """The 3x2 table, kappa (null with the reason when undefined), disagreements, reviews."""
    scored = _scored(rows)
    table = agreement_table((r.verdict, bool(r.automated_pass)) for r in scored if r.verdict)
    kappa = table.kappa()
    disagreements = [r for r in scored if _disagrees(r)]
    judge_right = sum(r.review == "judge_right" for r in disagreements)
    automated_right = sum(r.review == "automated_right" for r in disagreements)
    agreed = len(scored) - len(disagreements)
    known = agreed + judge_right + automated_right
    return {
        "table": {
            verdict: {"pass": table.counts[verdict][0], "not_pass": table.counts[verdict][1]}
            for verdict in JUDGE_VERDICTS
        },
        "n": table.n,
        "raw_agreement": kappa.observed_agreement,
        "kappa": kappa.kappa,
        "kappa_reason": kappa.undefined_reason,
        "disagreements": [
            {
                "case_id": r.case_id,
                "category": r.category,
                "judge_verdict": r.verdict,
                "automated_pass": r.automated_pass,
                "review": r.review,
            }
            for r in disagreements
        ],
        "judge_right": judge_right,
        "automated_right": automated_right,
        "judge_accuracy": (agreed + judge_right) / known if known else None,
        "automated_accuracy": (agreed + automated_right) / known if known else None,
    }


def final_pass(row: VerdictRow | None, automated_pass: bool, policy: Policy) -> bool:
    """One case's final verdict: a review settles it; else the policy's rater (judge-final
    keeps the automated verdict for a case the judge gave no verdict on)."""
    if row is None or row.verdict is None:
        return automated_pass
    if row.review == "judge_right":
        return row.verdict == "pass"
    if row.review == "automated_right":
        return automated_pass
    if policy == "judge_final":
        return row.verdict == "pass"
    return automated_pass


def final_passes(rows: Sequence[VerdictRow], automated: Mapping[str, bool], policy: Policy) -> int:
    """How many of the result's cases (`automated`: case id → automated pass) pass finally
    under the policy (`final_pass` per case; a case without a row keeps its automated verdict)."""
    by_case = {r.case_id: r for r in rows}
    return sum(final_pass(by_case.get(c), p, policy) for c, p in automated.items())


def policy_figures(
    rows: Sequence[VerdictRow], automated: Mapping[str, bool], policy: Policy
) -> dict[str, Any]:
    """Automated, judge and final pass rates over the result's cases (`automated`: every case
    id of the result → its automated pass). `both` shows both rates: no single final rate."""
    n = len(automated)
    judged = [r for r in rows if r.verdict is not None]
    automated_rate = sum(automated.values()) / n if n else None
    judge_rate = sum(r.verdict == "pass" for r in judged) / len(judged) if judged else None
    final: float | None = None
    if n and policy != "both":
        final = final_passes(rows, automated, policy) / n
    return {
        "verdict_policy": policy,
        "automated_pass_rate": automated_rate,
        "judge_pass_rate": judge_rate,
        "final_pass_rate": final,
    }


def cases_summary(
    rows: Sequence[VerdictRow],
    automated: Mapping[str, bool],
    policy: Policy,
    *,
    cost_usd: float | None,
    stop_reason: str | None = None,
) -> dict[str, Any]:
    judged = [r for r in rows if r.verdict is not None]
    scores = [r.score for r in judged if r.score is not None]
    histogram = {str(s): sum(score == s for score in scores) for s in range(1, 6)}
    return {
        "cases": len(rows),
        "judged": len(judged),
        "pass_count": sum(r.verdict == "pass" for r in judged),
        "marginal_count": sum(r.verdict == "marginal" for r in judged),
        "fail_count": sum(r.verdict == "fail" for r in judged),
        "score_histogram": histogram,
        "mean_score": sum(scores) / len(scores) if scores else None,
        "parse_failures": sum(r.parse_error is not None and r.verdict is None for r in rows),
        "skipped": sum(r.skipped_reason is not None for r in rows),
        "agreement": agreement(rows),
        "policy": policy_figures(rows, automated, policy),
        "cost_usd": cost_usd,
        "stop_reason": stop_reason,
    }
