"""`benchstudio tune`'s results document, the same shape for a local study and a server run:

    {"run": {...settings and totals...}, "objective": {"source", "metric", "minimize",
     "label", "judge": {"model", "name", "model_ref_id", "base_url", "protocol"} | null},
     "trials": [...], "best": {...} | null, "baselines": [...best vs each baseline...],
     "pareto": [trial numbers], "importance": [{"param", "importance"}],
     "importance_note": str | null, "stop_reason": "max_trials" | ...}

A local study's figures come from its trial records (scores and intervals from the tuning
domain, comparisons from `objective.compare_to_baseline`, all `core.stats`); a server run's
from `GET /api/tuning/runs/{id}`, which computed them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from benchstudio.tuning.domain.best import rank_key

if TYPE_CHECKING:
    from benchstudio.core.stats import Interval, MeanComparison
    from benchstudio.tuning.domain.objective import ObjectiveSpec
    from benchstudio.tuning.domain.space import SearchSpace
    from benchstudio.tuning.service.study_types import FinishedTrialRecord, StudyOutcome

BASELINE_LABELS = {"baseline_default": "provider defaults", "baseline_preset": "vendor preset"}


def _interval(interval: Interval | None) -> dict[str, float] | None:
    return None if interval is None else {"low": interval[0], "high": interval[1]}


def trial_json(record: FinishedTrialRecord, pareto: bool = False) -> dict[str, Any]:
    score = record.score
    return {
        "number": record.number,
        "kind": record.kind,
        "state": record.state,
        "point": dict(record.point),
        "effective": dict(record.effective),
        "score": None if score is None else score.score,
        "score_ci95": None if score is None else _interval(score.score_ci95),
        "repeat_scores": [] if score is None else list(score.repeat_scores),
        "values": list(record.values),
        "partial": record.partial,
        "cases": 0 if score is None else score.cases,
        "calls": record.calls,
        "cost_usd": record.cost_usd,
        "latency_p50_ms": None if score is None else score.latency_p50_ms,
        "error": record.error,
        "eval_run_id": record.eval_run_id,
        "pareto": pareto,
    }


def best_record(records: Sequence[FinishedTrialRecord]) -> FinishedTrialRecord | None:
    """The best complete trial by the server's rule (`tuning.domain.best`)."""
    scored = [r for r in records if r.state == "complete" and r.score is not None]

    def rank(record: FinishedTrialRecord) -> tuple[float, float, float, int]:
        score = record.score
        assert score is not None
        return rank_key(score.score, record.cost_usd, score.latency_p50_ms, record.number)

    return min(scored, key=rank) if scored else None


def comparison_summary(kind: str, comparison: MeanComparison, metric: str) -> str:
    """Best minus a baseline in words (the server's wording), with the interval and the test."""
    name = f"the {BASELINE_LABELS.get(kind, 'baseline')}"
    difference = comparison.mean_difference or 0.0
    interval = comparison.mean_difference_ci95
    ci = f" (95% CI {interval[0]:+.3f} to {interval[1]:+.3f})" if interval else ""
    if difference == 0:
        return f"The best point scores the same {metric} as {name}{ci}."
    direction = "higher" if difference > 0 else "lower"
    verdict = (
        "a significant difference" if comparison.significant else "not significant: it may be noise"
    )
    p_value = "" if comparison.p_value is None else f", p = {comparison.p_value:.3g}"
    return (
        f"The best point scores {abs(difference):.3f} {direction} in {metric} than {name}"
        f"{ci}{p_value}: {verdict}."
    )


def _baselines(
    records: Sequence[FinishedTrialRecord],
    best: FinishedTrialRecord | None,
    objective: ObjectiveSpec,
    run_id: str,
) -> list[dict[str, Any]]:
    from benchstudio.tuning.domain.objective import compare_to_baseline

    out: list[dict[str, Any]] = []
    if best is None or best.score is None:
        return out
    for record in records:
        if record.kind == "search" or record.score is None or not record.repeats:
            continue
        label = BASELINE_LABELS.get(record.kind, record.kind)
        comparison = compare_to_baseline(record.repeats, best.repeats, run_id=run_id)
        summary = comparison_summary(record.kind, comparison, objective.label)
        if record.number == best.number:
            summary = f"The {label} baseline is the best point found."
        out.append(
            {
                "number": record.number,
                "kind": record.kind,
                "label": label,
                "baseline_score": record.score.score,
                "difference": comparison.mean_difference,
                "difference_ci95": _interval(comparison.mean_difference_ci95),
                "p_value": comparison.p_value,
                "significant": comparison.significant and record.number != best.number,
                "summary": summary,
            }
        )
    return out


def _pareto(records: Sequence[FinishedTrialRecord], objective: ObjectiveSpec) -> list[int]:
    from benchstudio.tuning.domain.objective import pareto_front

    if not objective.multi_objective:
        return []
    width = len(objective.directions)
    complete = [r for r in records if r.state == "complete" and len(r.values) == width]
    front = pareto_front([r.values for r in complete], objective.directions)
    return [complete[index].number for index in front]


def _best_json(trial: dict[str, Any] | None) -> dict[str, Any] | None:
    if trial is None:
        return None
    keys = ("number", "kind", "point", "effective", "score", "score_ci95", "latency_p50_ms")
    return {key: trial[key] for key in (*keys, "cost_usd")}


def importance(
    space: SearchSpace, records: Sequence[FinishedTrialRecord]
) -> tuple[list[dict[str, Any]], str | None]:
    """Each parameter's share of the score's variance (PED-ANOVA over the complete trials),
    or why there is none (the server's rules and words)."""
    from benchstudio.tuning.domain.importance import importance_report
    from benchstudio.tuning.domain.strategies import FinishedTrial, Outcome

    finished = [
        FinishedTrial(dict(r.point), Outcome.complete(r.score.score))
        for r in records
        if r.state == "complete" and r.score is not None
    ]
    found, note = importance_report(space, finished)
    return [{"param": name, "importance": share} for name, share in found.items()], note


def objective_json(section: dict[str, Any], judge: dict[str, Any] | None) -> dict[str, Any]:
    """What the trials were scored by (the run's objective section) and, for the judge
    objective, which judge (`JudgeEndpoint.describe()` locally, the catalog model on a
    server)."""
    source = section.get("source") or "tool_eval"
    metric = section.get("metric") or "pass_rate"
    return {
        "source": source,
        "metric": metric,
        "minimize": list(section.get("minimize") or []),
        "label": "judge score" if source == "judge" else metric.replace("_", " "),
        "judge": judge if source == "judge" else None,
    }


def local_results(
    run: dict[str, Any],
    outcome: StudyOutcome,
    objective: ObjectiveSpec,
    space: SearchSpace,
    run_id: str,
    judge: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The results document of a study run on this machine."""
    records = sorted(outcome.trials, key=lambda r: r.number)
    pareto = set(_pareto(records, objective))
    trials = [trial_json(r, r.number in pareto) for r in records]
    best = best_record(records)
    by_number = {t["number"]: t for t in trials}
    totals = {
        "trials_done": len(records),
        "calls_used": outcome.calls_used,
        "cost_usd": outcome.cost_usd,
        "merged_points": outcome.merged_points,
    }
    shares, note = importance(space, records)
    return {
        "run": {**run, **totals, "stop_reason": outcome.stop_reason},
        "objective": objective_json(
            {
                "source": objective.source,
                "metric": objective.metric,
                "minimize": objective.minimize,
            },
            judge,
        ),
        "trials": trials,
        "best": _best_json(by_number[best.number] if best else None),
        "baselines": _baselines(records, best, objective, run_id),
        "pareto": sorted(pareto),
        "importance": shares,
        "importance_note": note,
        "stop_reason": outcome.stop_reason,
    }


def _server_trial(trial: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "number", "kind", "state", "point", "effective", "score", "score_ci95",
        "repeat_scores", "values", "partial", "cases", "calls", "cost_usd", "latency_p50_ms",
        "error", "eval_run_id", "pareto",
    )  # fmt: skip
    return {key: trial.get(key) for key in keys}


def server_results(detail: dict[str, Any], judge: dict[str, Any] | None = None) -> dict[str, Any]:
    """The results document of a server run (`GET /api/tuning/runs/{id}`); `judge` describes
    the judge model of a judge objective."""
    run, results = detail["run"], detail["results"]
    numbers = {t["id"]: t["number"] for t in detail["trials"]}
    trials = sorted((_server_trial(t) for t in detail["trials"]), key=lambda t: t["number"])
    by_number = {t["number"]: t for t in trials}
    best_id = results.get("best_trial_id")
    best = by_number.get(numbers[best_id]) if best_id in numbers else None
    baselines = []
    for item in results.get("baselines") or []:
        number = numbers.get(item["baseline_trial_id"])
        baselines.append(
            {
                "number": number,
                "kind": item["baseline_kind"],
                "label": BASELINE_LABELS.get(item["baseline_kind"], item["baseline_kind"]),
                "baseline_score": item["baseline_score"],
                "difference": item["difference"],
                "difference_ci95": item.get("difference_ci95"),
                "p_value": item.get("p_value"),
                "significant": item["significant"],
                "summary": item["summary"],
            }
        )
    pareto = sorted(numbers[i] for i in results.get("pareto_trial_ids") or [] if i in numbers)
    return {
        "run": {**run, "mode": "server"},
        "objective": objective_json(run.get("objective") or {}, judge),
        "trials": trials,
        "best": _best_json(best),
        "baselines": baselines,
        "pareto": pareto,
        "importance": [
            {"param": item["param"], "importance": item["importance"]}
            for item in results.get("importance") or []
        ],
        "importance_note": results.get("importance_note"),
        "stop_reason": run.get("stop_reason"),
    }
