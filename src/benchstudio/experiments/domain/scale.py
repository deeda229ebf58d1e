"""The experiment's scale: results are comparable only on the experiment's suite version and
scoring profile. Off-scale results are shown apart, with a reason, and are never the baseline
or the best. Only finished eval results with at least one case count for either.

Baseline: the chosen (run, target) when it is still filed here and on the scale and finished;
else the first counting eval result by finished time (ties: the run's creation order, then the
target order). Best: the highest score among counting eval results; ties go to the earliest
(so a re-run that merely equals the best does not take its place).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

ResultKind = Literal["eval", "judge", "tuner"]
FINISHED_STATUS = "done"


@dataclass(frozen=True, slots=True)
class Scale:
    suite_version: int
    profile: str


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """One point of an experiment (an eval run's target, a judge report, a tuner run)."""

    kind: ResultKind
    ref_id: str
    eval_run_id: str | None
    target: str | None
    label: str
    status: str
    suite_version: int
    profile: str
    passed: int | None
    total: int | None
    score: float | None
    created_at: datetime
    finished_at: datetime | None
    target_index: int = 0
    on_scale: bool = True
    off_scale_reason: str | None = None
    is_baseline: bool = False
    is_best: bool = False

    @property
    def at(self) -> datetime:
        """When it finished, or was created while it has not."""
        return self.finished_at or self.created_at

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.ref_id, self.target)


@dataclass(frozen=True, slots=True)
class ChosenBaseline:
    run_id: str
    target: str


@dataclass(frozen=True, slots=True)
class Assessment:
    results: list[ResultRecord]
    baseline: ResultRecord | None
    best: ResultRecord | None
    chosen_in_force: bool


def off_scale_reason(result: ResultRecord, scale: Scale) -> str | None:
    """Why a result is not comparable with the experiment's scale; None when it is."""
    reasons = []
    if result.suite_version != scale.suite_version:
        reasons.append(
            f"suite version {result.suite_version}; this experiment is on version "
            f"{scale.suite_version}"
        )
    if result.profile != scale.profile:
        reasons.append(
            f"scored with profile {result.profile}; this experiment uses {scale.profile}"
        )
    return "; ".join(reasons) if reasons else None


def place_on_scale(result: ResultRecord, scale: Scale) -> ResultRecord:
    reason = off_scale_reason(result, scale)
    return replace(result, on_scale=reason is None, off_scale_reason=reason)


def counts(result: ResultRecord, scale: Scale) -> bool:
    """Whether the result may be the baseline or the best: a finished eval result on the
    scale that scored at least one case."""
    return (
        result.kind == "eval"
        and result.status == FINISHED_STATUS
        and off_scale_reason(result, scale) is None
        and result.total is not None
        and result.total > 0
        and result.score is not None
    )


def _first_order(result: ResultRecord) -> tuple[datetime, datetime, int, str]:
    return (result.at, result.created_at, result.target_index, result.ref_id)


def timeline(results: Sequence[ResultRecord]) -> list[ResultRecord]:
    """Every result in time order (finished, else created), ties in creation then target
    order."""
    return sorted(results, key=_first_order)


def first_result(results: Sequence[ResultRecord], scale: Scale) -> ResultRecord | None:
    counting = [r for r in results if counts(r, scale)]
    return min(counting, key=_first_order) if counting else None


def best_result(results: Sequence[ResultRecord], scale: Scale) -> ResultRecord | None:
    """The highest score among counting results; ties go to the earliest."""
    best: ResultRecord | None = None
    for result in sorted((r for r in results if counts(r, scale)), key=_first_order):
        assert result.score is not None
        if best is None or best.score is None or result.score > best.score:
            best = result
    return best


def chosen_result(
    results: Sequence[ResultRecord], scale: Scale, chosen: ChosenBaseline | None
) -> ResultRecord | None:
    """The chosen baseline, if it is still filed here, on the scale and counting."""
    if chosen is None:
        return None
    for result in results:
        if result.kind == "eval" and result.key == (chosen.run_id, chosen.target):
            return result if counts(result, scale) else None
    return None


def baseline_result(
    results: Sequence[ResultRecord], scale: Scale, chosen: ChosenBaseline | None
) -> tuple[ResultRecord | None, bool]:
    """The baseline and whether it is the chosen one (False: the first result)."""
    picked = chosen_result(results, scale, chosen)
    if picked is not None:
        return picked, True
    return first_result(results, scale), False


def assess(
    results: Sequence[ResultRecord], scale: Scale, chosen: ChosenBaseline | None
) -> Assessment:
    """The results in time order, each placed on the scale and marked baseline/best."""
    placed = [place_on_scale(r, scale) for r in results]
    baseline, in_force = baseline_result(placed, scale, chosen)
    best = best_result(placed, scale)
    marked = [
        replace(
            r,
            is_baseline=baseline is not None and r.key == baseline.key and r.kind == "eval",
            is_best=best is not None and r.key == best.key and r.kind == "eval",
        )
        for r in timeline(placed)
    ]
    by_key = {(r.kind, r.key): r for r in marked}
    return Assessment(
        results=marked,
        baseline=by_key[("eval", baseline.key)] if baseline else None,
        best=by_key[("eval", best.key)] if best else None,
        chosen_in_force=in_force,
    )


def comparable(assessment: Assessment) -> tuple[ResultRecord, ResultRecord] | None:
    """(baseline, best) when both exist and differ; None otherwise."""
    baseline, best = assessment.baseline, assessment.best
    if baseline is None or best is None or baseline.key == best.key:
        return None
    return baseline, best


def find_eval_result(
    results: Sequence[ResultRecord], run_id: str, target: str
) -> ResultRecord | None:
    """The eval result (run, target) among the filed results, or None."""
    for result in results:
        if result.kind == "eval" and result.key == (run_id, target):
            return result
    return None
