"""A tuner run's results, computed from its trial rows (and, for best vs baseline, the case
scores its trial runs stored): the best point with its CI, best vs each baseline (Welch's test
with a CI, in words), the Pareto front of a multi-objective run and parameter importance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import anyio

from benchstudio.core.stats import MeanComparison
from benchstudio.evals.runs.service import trials as eval_trials
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.verdicts import CaseVerdict
from benchstudio.tuning.domain.best import best_trial as best_of
from benchstudio.tuning.domain.importance import importance_report
from benchstudio.tuning.domain.objective import (
    CaseScore,
    ObjectiveSpec,
    ToolMetric,
    compare_to_baseline,
    pareto_front,
)
from benchstudio.tuning.domain.space import SearchSpace
from benchstudio.tuning.domain.strategies import FinishedTrial, Outcome
from benchstudio.tuning.models import TunerRun, TunerTrial
from benchstudio.tuning.schemas.runs import (
    BaselineComparisonOut,
    ImportanceOut,
    IntervalOut,
    TrialOut,
    TunerResultsOut,
)
from benchstudio.tuning.service.case_scores import metric_score
from benchstudio.tuning.service.judge_scores import judged_repeats

BASELINE_NAMES = {
    "baseline_default": "the provider defaults",
    "baseline_preset": "the vendor preset",
}


def objective_of(run: TunerRun) -> ObjectiveSpec:
    return objective_spec(run.objective)


def objective_spec(raw: Mapping[str, Any]) -> ObjectiveSpec:
    return ObjectiveSpec(
        source=raw.get("source", "tool_eval"),
        metric=raw.get("metric", "pass_rate"),
        minimize=tuple(raw.get("minimize") or ()),
    )


_TRIAL_FIELDS = [name for name in TrialOut.model_fields if name not in ("score_ci95", "pareto")]


def trial_out(row: TunerTrial, pareto: bool = False) -> TrialOut:
    interval = None
    if row.score_low is not None and row.score_high is not None:
        interval = IntervalOut(low=row.score_low, high=row.score_high)
    return TrialOut.model_validate(
        {
            **{name: getattr(row, name) for name in _TRIAL_FIELDS},
            "score_ci95": interval,
            "pareto": pareto,
        }
    )


def _complete(rows: Sequence[TunerTrial]) -> list[TunerTrial]:
    return [row for row in rows if row.state == "complete" and row.score is not None]


def best_trial(rows: Sequence[TunerTrial]) -> TunerTrial | None:
    """Highest mean score; ties go to the lower cost, then the lower latency (the rule apply
    best and experiments use too: `domain.best`)."""
    return best_of(rows)


def pareto_ids(run: TunerRun, rows: Sequence[TunerTrial]) -> list[str]:
    spec = objective_of(run)
    if not spec.multi_objective:
        return []
    width = len(spec.directions)
    complete = [row for row in _complete(rows) if len(row.values) == width]
    front = pareto_front([row.values for row in complete], spec.directions)
    return [complete[index].id for index in front]


def _summary(kind: str, comparison: MeanComparison, label: str) -> str:
    name = BASELINE_NAMES.get(kind, "the baseline")
    difference = comparison.mean_difference or 0.0
    interval = comparison.mean_difference_ci95
    ci = f" (95% CI {interval[0]:+.3f} to {interval[1]:+.3f})" if interval else ""
    if difference == 0:
        return f"The best point scores the same {label} as {name}{ci}."
    direction = "higher" if difference > 0 else "lower"
    verdict = (
        "a significant difference" if comparison.significant else "not significant: it may be noise"
    )
    p = f", p = {comparison.p_value:.3g}" if comparison.p_value is not None else ""
    return (
        f"The best point scores {abs(difference):.3f} {direction} in {label} than {name}"
        f"{ci}{p}: {verdict}."
    )


def _scores(repeats: Sequence[Sequence[CaseVerdict]], metric: ToolMetric) -> list[list[CaseScore]]:
    """Stored verdicts scored as the trial was (the comparison needs the scores only)."""
    return [[CaseScore(metric_score(v, metric), v.latency_ms) for v in cases] for cases in repeats]


async def _case_scores(
    ctx: ServiceContext, run: TunerRun, eval_run_ids: Sequence[str]
) -> dict[str, list[list[CaseScore]]]:
    """Each trial run's case scores per repeat, by the run's objective."""
    spec = objective_of(run)
    if spec.source == "judge":
        repeats = int(run.validated_space.get("repeats", 1))
        labels = [eval_trials.repeat_label(index) for index in range(repeats)]
        return {run_id: (await judged_repeats(ctx, run_id, labels))[0] for run_id in eval_run_ids}
    verdicts = await eval_trials.trial_verdicts(ctx, eval_run_ids)
    return {run_id: _scores(verdicts.get(run_id, []), spec.metric) for run_id in eval_run_ids}


async def _comparisons(
    ctx: ServiceContext, run: TunerRun, rows: Sequence[TunerTrial], best: TunerTrial
) -> list[BaselineComparisonOut]:
    baselines = [r for r in _complete(rows) if r.kind != "search" and r.eval_run_id]
    if not baselines or best.eval_run_id is None:
        return []
    ids = [best.eval_run_id, *(r.eval_run_id for r in baselines if r.eval_run_id)]
    scores_of = await _case_scores(ctx, run, ids)
    spec = objective_of(run)
    best_scores = scores_of.get(best.eval_run_id, [])
    out: list[BaselineComparisonOut] = []
    for baseline in baselines:
        assert baseline.eval_run_id is not None
        scores = scores_of.get(baseline.eval_run_id, [])
        if not scores or not best_scores:
            continue
        if baseline.id == best.id:
            summary = f"{BASELINE_NAMES[baseline.kind].capitalize()} are the best point found."
            comparison = compare_to_baseline(scores, best_scores, run_id=run.id)
        else:
            comparison = compare_to_baseline(scores, best_scores, run_id=run.id)
            summary = _summary(baseline.kind, comparison, spec.label)
        interval = comparison.mean_difference_ci95
        out.append(
            BaselineComparisonOut(
                baseline_trial_id=baseline.id,
                baseline_kind=baseline.kind,
                baseline_score=baseline.score or 0.0,
                difference=comparison.mean_difference or 0.0,
                difference_ci95=IntervalOut(low=interval[0], high=interval[1])
                if interval
                else None,
                p_value=comparison.p_value,
                significant=comparison.significant,
                summary=summary,
            )
        )
    return out


def _importance(
    run: TunerRun, rows: Sequence[TunerTrial]
) -> tuple[list[ImportanceOut], str | None]:
    space = SearchSpace.from_dict(run.validated_space)
    finished = [
        FinishedTrial(dict(r.point), Outcome.complete(r.score or 0.0)) for r in _complete(rows)
    ]
    found, note = importance_report(space, finished)
    return [ImportanceOut(param=name, importance=share) for name, share in found.items()], note


async def results_of(
    ctx: ServiceContext, run: TunerRun, rows: Sequence[TunerTrial]
) -> TunerResultsOut:
    spec = objective_of(run)
    best = best_trial(rows)
    importance, note = await anyio.to_thread.run_sync(_importance, run, rows)
    interval = None
    if best is not None and best.score_low is not None and best.score_high is not None:
        interval = IntervalOut(low=best.score_low, high=best.score_high)
    names: list[str] = [spec.label, *spec.minimize]
    extra: dict[str, Any] = {}
    if best is not None:
        extra = {"best_point": dict(best.point), "best_effective": dict(best.effective)}
    return TunerResultsOut(
        best_trial_id=best.id if best else None,
        best_score=best.score if best else None,
        best_score_ci95=interval,
        best_point=extra.get("best_point"),
        best_effective=extra.get("best_effective"),
        baselines=await _comparisons(ctx, run, rows, best) if best else [],
        pareto_trial_ids=pareto_ids(run, rows),
        objectives=names,
        importance=importance,
        importance_note=note,
    )
