"""Choosing the baseline, filing and unfiling runs, and re-running the best configuration.

Filing is an update of the run, done by the domain that owns it (evals for eval runs, the
judge for judge reports, tuning for tuner runs); the experiment only keeps its chosen baseline
and its update time.
"""

from __future__ import annotations

from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError, ConflictError, NotFoundError
from benchstudio.evals.runs.schemas import EvalSubmitted
from benchstudio.evals.runs.service import submit
from benchstudio.evals.runs.service.experiment_filing import file_run, rerun_request
from benchstudio.evals.service import EvalContext
from benchstudio.experiments import repository
from benchstudio.experiments.domain.scale import counts, find_eval_result
from benchstudio.experiments.schemas import BaselineIn, ExperimentDetail, FileRunIn
from benchstudio.experiments.service.crud import detail, owned
from benchstudio.experiments.service.results import assessment_of, filed_results, scale_of
from benchstudio.judge.service.experiment_filing import file_report
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning.service.experiment_filing import file_tuner_run


async def _set_baseline(
    ctx: ServiceContext, experiment_id: str, run_id: str | None, target: str | None
) -> ExperimentDetail:
    async with ctx.unit() as session:
        experiment = await repository.get_experiment(session, ctx.require_owner(), experiment_id)
        if experiment is None:
            raise NotFoundError("No such experiment.")
        experiment.baseline_run_id, experiment.baseline_target = run_id, target
        experiment.updated_at = utcnow()
        await session.flush()
        session.expunge(experiment)
    return await detail(ctx, experiment)


async def choose_baseline(
    ctx: ServiceContext, experiment_id: str, data: BaselineIn
) -> ExperimentDetail:
    """The baseline becomes one target of an eval run filed here: 404 when the run is not
    filed here or has no such target, 422 `off_scale` when it is off the experiment's scale,
    422 `not_finished` when it has no finished score yet."""
    experiment = await owned(ctx, experiment_id)
    filed = (await filed_results(ctx, [experiment]))[experiment.id]
    result = find_eval_result(filed.records, data.run_id, data.target)
    if result is None:
        raise NotFoundError("No such result filed under this experiment.")
    scale = scale_of(experiment)
    placed = next(r for r in assessment_of(experiment, filed).results if r.key == result.key)
    if not placed.on_scale:
        raise AppError(
            f"That result is off this experiment's scale: {placed.off_scale_reason}.",
            code="off_scale",
            status_code=422,
        )
    if not counts(result, scale):
        raise AppError(
            "That result has no finished score yet.", code="not_finished", status_code=422
        )
    return await _set_baseline(ctx, experiment_id, data.run_id, data.target)


async def clear_baseline(ctx: ServiceContext, experiment_id: str) -> ExperimentDetail:
    """Back to the first finished result on the scale."""
    return await _set_baseline(ctx, experiment_id, None, None)


async def _touch(ctx: ServiceContext, experiment_id: str) -> ExperimentDetail:
    async with ctx.unit() as session:
        experiment = await repository.get_experiment(session, ctx.require_owner(), experiment_id)
        if experiment is None:
            raise NotFoundError("No such experiment.")
        experiment.updated_at = utcnow()
        await session.flush()
        session.expunge(experiment)
    return await detail(ctx, experiment)


async def file_into(
    ctx: ServiceContext, experiment_id: str, data: FileRunIn, *, move: bool = False
) -> ExperimentDetail:
    """File an eval run, a judge report or a tuner run of the caller's here (409
    `already_filed` when it is in another experiment, unless `move`)."""
    await owned(ctx, experiment_id)
    if data.kind == "eval":
        await file_run(ctx, data.ref_id, experiment_id, move=move)
    elif data.kind == "tuner":
        await file_tuner_run(ctx, data.ref_id, experiment_id, move=move)
    else:
        await file_report(ctx, data.ref_id, experiment_id, move=move)
    return await _touch(ctx, experiment_id)


async def unfile(
    ctx: ServiceContext, experiment_id: str, kind: str, ref_id: str
) -> ExperimentDetail:
    """Take a run, report or tuner run out of the experiment (404 unless it is filed here)."""
    experiment = await owned(ctx, experiment_id)
    filed = (await filed_results(ctx, [experiment]))[experiment.id]
    if kind == "eval" and any(run.id == ref_id for run in filed.runs):
        await file_run(ctx, ref_id, None)
    elif kind == "judge" and any(report.id == ref_id for report in filed.reports):
        await file_report(ctx, ref_id, None)
    elif kind == "tuner" and any(tuner.id == ref_id for tuner in filed.tuners):
        await file_tuner_run(ctx, ref_id, None)
    else:
        raise NotFoundError("No such run filed under this experiment.")
    return await _touch(ctx, experiment_id)


async def rerun_best(ctx: EvalContext, experiment_id: str) -> EvalSubmitted:
    """A new eval with the best result's configuration, filed here (through evals' submit:
    the same limits and spend caps). 409 `no_best` while nothing on the scale has finished."""
    experiment = await owned(ctx, experiment_id)
    filed = (await filed_results(ctx, [experiment]))[experiment.id]
    best = assessment_of(experiment, filed).best
    if best is None or best.eval_run_id is None or best.target is None:
        raise ConflictError(
            "No finished result on this experiment's scale yet: nothing to re-run.",
            code="no_best",
        )
    # The best is on the scale: its run's suite version and profile are the experiment's.
    request = await rerun_request(ctx, best.eval_run_id, best.target, experiment.id)
    return await submit.submit_eval(ctx, request)
