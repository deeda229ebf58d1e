"""An experiment's results, read through the evals, judge and tuning services: each (eval run,
target), each judge report and each tuner run filed under it, placed on the experiment's scale
(pure rules in `domain.scale`), and best vs baseline from the stats module (through evals'
comparison). A tuner run shows its best trial's pass rate; like a judge report it is never the
baseline or the best (those are eval results)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchstudio.evals.runs.domain.rules import compare_targets
from benchstudio.evals.runs.service import history as eval_history
from benchstudio.evals.runs.service.experiment_filing import (
    EvalRunFacts,
    experiment_runs,
    runs_facts,
)
from benchstudio.experiments.domain.comparison_note import interval_test_note
from benchstudio.experiments.domain.scale import (
    Assessment,
    ChosenBaseline,
    ResultRecord,
    Scale,
    assess,
    comparable,
)
from benchstudio.experiments.models import Experiment
from benchstudio.experiments.schemas import BestVsBaselineOut, ExperimentResultOut
from benchstudio.judge.service.experiment_filing import JudgeReportFacts, experiment_reports
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning.service.experiment_filing import TunerRunFacts, experiment_tuner_runs


@dataclass(frozen=True, slots=True)
class Filed:
    """What is filed under one experiment, as the owning domains report it."""

    runs: list[EvalRunFacts]
    reports: list[JudgeReportFacts]
    tuners: list[TunerRunFacts]
    records: list[ResultRecord]

    @property
    def run_count(self) -> int:
        return len(self.runs) + len(self.reports) + len(self.tuners)


def scale_of(experiment: Experiment) -> Scale:
    return Scale(suite_version=experiment.suite_version, profile=experiment.profile)


def chosen_of(experiment: Experiment) -> ChosenBaseline | None:
    if experiment.baseline_run_id is None or experiment.baseline_target is None:
        return None
    return ChosenBaseline(experiment.baseline_run_id, experiment.baseline_target)


def eval_records(run: EvalRunFacts) -> list[ResultRecord]:
    return [
        ResultRecord(
            kind="eval",
            ref_id=run.id,
            eval_run_id=run.id,
            target=target.label,
            label=target.label,
            status=run.status,
            suite_version=run.suite_version,
            profile=run.profile,
            passed=target.passed,
            total=target.total,
            score=(
                target.passed / target.total if target.total and target.passed is not None else None
            ),
            created_at=run.created_at,
            finished_at=run.finished_at,
            target_index=target.index,
        )
        for target in run.targets
    ]


def judge_record(report: JudgeReportFacts, run: EvalRunFacts | None, scale: Scale) -> ResultRecord:
    """A judge report on its eval run's scale (a `cases` report scores the judge pass rate)."""
    if report.kind == "cases":
        label = f"Judge: {report.target} ({report.judge_model_name})"
    else:
        other = f" vs {report.other_target}" if report.other_target else ""
        label = f"Judge {report.kind.replace('_', '-')}: {report.target}{other}"
    return ResultRecord(
        kind="judge",
        ref_id=report.id,
        eval_run_id=report.eval_run_id,
        target=report.target,
        label=label,
        status=report.status,
        suite_version=run.suite_version if run else scale.suite_version,
        profile=run.profile if run else scale.profile,
        passed=report.passed,
        total=report.judged,
        score=report.judge_pass_rate,
        created_at=report.created_at,
        finished_at=report.finished_at,
    )


def _pass_count(run: EvalRunFacts | None) -> tuple[int | None, int | None]:
    """Passed and scored cases over every repeat (target) of a trial's eval run."""
    if run is None or any(t.total is None for t in run.targets) or not run.targets:
        return None, None
    return sum(t.passed or 0 for t in run.targets), sum(t.total or 0 for t in run.targets)


# A tuner run's status in the words eval results use (a finished eval run is "done").
_TUNER_STATUS = {"completed": "done"}


def tuner_record(run: TunerRunFacts, best_run: EvalRunFacts | None) -> ResultRecord:
    """A tuner run at its best trial's pass rate over all its repeats (the trial's own score
    when the eval run has no summary and the objective is the pass rate)."""
    best = run.best
    passed, total = _pass_count(best_run)
    if total:
        score: float | None = (passed or 0) / total
    elif (
        best is not None
        and run.objective.get("source", "tool_eval") == "tool_eval"
        and (run.objective.get("metric", "pass_rate") == "pass_rate")
    ):
        score = best.score
    else:
        score = None
    trials = f"{run.trials_done} trial{'s' if run.trials_done != 1 else ''}"
    detail = f"best: trial {best.number} of {trials}" if best else f"{trials}, no best yet"
    return ResultRecord(
        kind="tuner",
        ref_id=run.id,
        eval_run_id=best.eval_run_id if best else None,
        target=None,
        label=f"Tuner: {run.name} ({detail})",
        status=_TUNER_STATUS.get(run.status, run.status),
        suite_version=run.suite_version,
        profile=run.profile,
        passed=passed,
        total=total,
        score=score,
        created_at=run.created_at,
        finished_at=run.finished_at,
    )


async def filed_results(ctx: ServiceContext, experiments: Sequence[Experiment]) -> dict[str, Filed]:
    """Per experiment: its filed runs, reports and tuner runs as results (a few queries for
    all)."""
    ids = [e.id for e in experiments]
    runs = await experiment_runs(ctx, ids)
    reports = await experiment_reports(ctx, ids)
    tuners = await experiment_tuner_runs(ctx, ids)
    known = {run.id: run for filed in runs.values() for run in filed}
    needed = {r.eval_run_id for rs in reports.values() for r in rs}
    needed |= {
        t.best.eval_run_id for ts in tuners.values() for t in ts if t.best and t.best.eval_run_id
    }
    missing = needed - known.keys()
    known.update(await runs_facts(ctx, sorted(missing)))
    out: dict[str, Filed] = {}
    for experiment in experiments:
        scale = scale_of(experiment)
        its_runs, its_reports = runs.get(experiment.id, []), reports.get(experiment.id, [])
        its_tuners = tuners.get(experiment.id, [])
        records = [record for run in its_runs for record in eval_records(run)]
        records += [judge_record(r, known.get(r.eval_run_id), scale) for r in its_reports]
        records += [
            tuner_record(
                t, known.get(t.best.eval_run_id) if t.best and t.best.eval_run_id else None
            )
            for t in its_tuners
        ]
        out[experiment.id] = Filed(its_runs, its_reports, its_tuners, records)
    return out


def assessment_of(experiment: Experiment, filed: Filed) -> Assessment:
    return assess(filed.records, scale_of(experiment), chosen_of(experiment))


def result_out(record: ResultRecord) -> ExperimentResultOut:
    return ExperimentResultOut(
        kind=record.kind,
        ref_id=record.ref_id,
        eval_run_id=record.eval_run_id,
        target=record.target,
        label=record.label,
        status=record.status,
        suite_version=record.suite_version,
        profile=record.profile,
        on_scale=record.on_scale,
        off_scale_reason=record.off_scale_reason,
        score=record.score,
        passed=record.passed,
        total=record.total,
        is_baseline=record.is_baseline,
        is_best=record.is_best,
        at=record.at,
    )


async def best_vs_baseline(ctx: ServiceContext, assessment: Assessment) -> BestVsBaselineOut | None:
    """Best minus baseline over their stored verdicts: McNemar's exact test and Newcombe's
    paired interval when both scored the same cases, else the two-proportion z-test and
    Newcombe's hybrid score interval (evals' comparison, on the stats module)."""
    pair = comparable(assessment)
    if pair is None:
        return None
    baseline, best = pair
    assert baseline.eval_run_id and baseline.target and best.eval_run_id and best.target
    _, verdicts_a = await eval_history.verdicts_of(ctx, baseline.eval_run_id)
    if best.eval_run_id == baseline.eval_run_id:
        verdicts_b = verdicts_a
    else:
        _, verdicts_b = await eval_history.verdicts_of(ctx, best.eval_run_id)
    compared = compare_targets(
        baseline.eval_run_id,
        baseline.target,
        verdicts_a.get(baseline.target, []),
        best.eval_run_id,
        best.target,
        verdicts_b.get(best.target, []),
    ).as_dict()
    ci = compared.get("difference_ci95")
    ci95 = (float(ci[0]), float(ci[1])) if ci is not None else None
    return BestVsBaselineOut(
        baseline=result_out(baseline),
        best=result_out(best),
        difference=compared["difference"],
        ci95=ci95,
        paired=compared["paired"],
        test=compared["test"],
        p_value=compared["p_value"],
        significant=compared["significant"],
        note=interval_test_note(ci95, bool(compared["significant"])),
    )
