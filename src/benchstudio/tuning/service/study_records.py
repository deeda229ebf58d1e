"""Turning an evaluated trial into the record the sink stores, and a stored record back into
what the strategy and the study state learn from it (on resume)."""

from __future__ import annotations

import math
from typing import Any

from benchstudio.core.stats import seed_from_run_id
from benchstudio.tuning.domain.objective import ObjectiveSpec, score_trial
from benchstudio.tuning.domain.strategies import Outcome
from benchstudio.tuning.service.study_types import (
    FinishedTrialRecord,
    TrialRequest,
    TrialResult,
)

STOPPED_EMPTY = "stopped before its first case"
SEED_RANGE = 2**31  # request seeds stay within a signed 32-bit int, which every API accepts


def repeat_seeds(study_seed: int, number: int, repeats: int) -> tuple[int, ...]:
    """The request seed of each repeat of trial `number`: fixed by the study's seed, so a
    resumed or repeated study sends the same seeds."""
    return tuple(
        seed_from_run_id(f"{study_seed}:{number}", f"repeat {r}") % SEED_RANGE
        for r in range(repeats)
    )


def is_empty_stop(record: FinishedTrialRecord) -> bool:
    """A trial a cancel or budget ended before any case finished: it is run again on resume."""
    return record.state == "pruned" and record.score is None


def build_record(
    request: TrialRequest, result: TrialResult, objective: ObjectiveSpec, run_key: str
) -> tuple[FinishedTrialRecord, Outcome]:
    """The stored trial and the outcome the strategy is told. A pruned or stopped trial keeps
    its finished cases and their mean as `partial`; one without a case keeps no score."""
    repeats = [list(cases) for cases in result.repeats]
    scored = [case.score for cases in repeats for case in cases]
    base: dict[str, Any] = {
        "number": request.number,
        "kind": request.kind,
        "point": dict(request.point),
        "effective": dict(request.effective),
        "fingerprint": request.fingerprint,
        "calls": result.calls,
        "cost_usd": result.cost_usd,
        "eval_run_id": result.eval_run_id,
        "repeats": repeats,
    }
    if result.state == "failed" or (result.state == "complete" and not scored):
        error = result.error or "no case finished"
        record = FinishedTrialRecord(
            state="failed", score=None, values=(), partial=None, error=error, **base
        )
        return record, Outcome.failed()
    if not scored:
        record = FinishedTrialRecord(
            state="pruned",
            score=None,
            values=(),
            partial=None,
            error=result.error or STOPPED_EMPTY,
            **base,
        )
        return record, Outcome.pruned()
    score = score_trial(repeats, run_id=run_key)
    if result.state == "complete":
        values = score.values(objective)
        outcome = Outcome.complete(*values)
        finite = values if all(math.isfinite(v) for v in values) else ()
        record = FinishedTrialRecord(
            state="complete",
            score=score,
            values=finite,
            partial=None,
            error=result.error,
            **base,
        )
        return record, outcome
    partial = math.fsum(scored) / len(scored)
    record = FinishedTrialRecord(
        state="pruned", score=score, values=(), partial=partial, error=result.error, **base
    )
    return record, Outcome.pruned(partial, len(scored))


def stored_outcome(record: FinishedTrialRecord) -> Outcome:
    """What a stored trial teaches the strategy when a study resumes."""
    if record.state == "complete" and record.values:
        return Outcome("complete", tuple(record.values))
    if record.state == "pruned":
        cases = record.score.cases if record.score is not None else 0
        return Outcome.pruned(record.partial, cases)
    return Outcome.failed()
