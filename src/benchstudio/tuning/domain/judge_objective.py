"""The judge objective's case score, shared by the tune job and a local tune: the judge grades
a case 1 to 5 (the built-in verdict prompt), which scores (score - 1) / 4 in [0, 1]. A case the
judge could not score (a parse failure, a skipped case, a failed judge request) counts for no
side: it is left out, and the trial's mean is over the judged cases."""

from __future__ import annotations

from benchstudio.tuning.domain.objective import CaseScore

SCORE_LOW, SCORE_HIGH = 1, 5
NOTHING_JUDGED = "the judge scored no case"


def unit_score(score: int) -> float:
    """A judge score 1-5 on the objective's 0-1 scale (1 → 0, 3 → 0.5, 5 → 1)."""
    if not SCORE_LOW <= score <= SCORE_HIGH:
        raise ValueError(f"a judge score is {SCORE_LOW} to {SCORE_HIGH}, not {score}")
    return (score - SCORE_LOW) / (SCORE_HIGH - SCORE_LOW)


def judged_case(
    score: int | None, latency_ms: float | None = None, cost_usd: float | None = None
) -> CaseScore | None:
    """A judged case's score (its E2E latency and cost kept), or None when the judge gave no
    score: such a case counts for neither side."""
    if score is None:
        return None
    return CaseScore(unit_score(score), latency_ms, cost_usd)
