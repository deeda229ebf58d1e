""" "Apply best": keep what a finished tuner run found. The best trial (or one the caller
picks) is saved as a parameter set through the catalog, for the run's model, or the run is
filed in an experiment, where it shows as a result of kind "tuner".

Only runs that ended (completed, or cancelled with the trials they finished) can be applied;
the best is `domain.best.best_trial`, the same rule the results page uses.
"""

from __future__ import annotations

from typing import Any

from benchstudio.catalog import service as catalog
from benchstudio.catalog.schemas import ParameterSetIn
from benchstudio.core.errors import AppError, ConflictError, NotFoundError
from benchstudio.evals.runs.service.experiment_check import check_experiment
from benchstudio.providers.params import REQUEST_FIELDS, resolve_caller_params
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning import repository
from benchstudio.tuning.domain.best import best_trial
from benchstudio.tuning.domain.space import NOT_DIMENSIONS, SearchSpace, active_point
from benchstudio.tuning.models import TunerRun, TunerTrial
from benchstudio.tuning.schemas import ApplyBestIn, ApplyBestOut
from benchstudio.tuning.service.experiment_filing import file_tuner_run

APPLICABLE = ("completed", "cancelled")
# A chosen trial must have run its point to a score (a pruned one counts: its cases stand).
CHOOSABLE = ("complete", "pruned")


def _pick(run: TunerRun, trials: list[TunerTrial], trial_id: str | None) -> TunerTrial:
    if trial_id is not None:
        chosen = next((t for t in trials if t.id == trial_id), None)
        if chosen is None:
            raise NotFoundError("No such trial in this tuner run.")
        if chosen.state not in CHOOSABLE:
            raise AppError(
                f"Trial {chosen.number} is {chosen.state}: pick a complete trial.",
                code="trial_not_applicable",
                status_code=422,
            )
        return chosen
    best = best_trial(trials)
    if best is None:
        raise ConflictError(
            f"The tuner run {run.name!r} has no complete trial: nothing to apply.",
            code="no_best",
        )
    return best


def _params(run: TunerRun, trial: TunerTrial) -> dict[str, Any]:
    """The trial's request parameters under their own names (a set holds `top_p`, never
    Gemini's wire `topP`): the target's fixed ones under the point, clamped as they were sent.
    Seeds belong to repeats, never to a set, and a searched tool choice is a run setting (the
    request's own field), which no set holds."""
    target = run.target
    space = SearchSpace.from_dict(run.validated_space)
    requested = {
        **dict(target.get("parameter_set_params") or {}),
        **dict(target.get("params") or {}),
        **active_point(space, dict(trial.point)),
    }
    registry, model = str(target["registry_provider"]), str(target["model_id"])
    sent = resolve_caller_params(registry, model, requested)
    left_out = (*NOT_DIMENSIONS, *REQUEST_FIELDS)
    return {k: v for k, v in sent.items() if k not in left_out}


def _set_name(run: TunerRun, trial: TunerTrial) -> str:
    return f"{run.name} · trial {trial.number}"[:200]


def _description(run: TunerRun, trial: TunerTrial) -> str:
    score = "" if trial.score is None else f" (score {trial.score:.3f})"
    return f"Found by the tuner run {run.name!r} ({run.id}): trial {trial.number}{score}."


async def _load(ctx: ServiceContext, run_id: str) -> tuple[TunerRun, list[TunerTrial]]:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        run = await repository.get_run(session, owner_id, run_id)
        if run is None:
            raise NotFoundError("No such tuner run.")
        trials = await repository.trials_of(session, owner_id, run_id)
        session.expunge_all()
    return run, trials


async def apply_best(ctx: ServiceContext, run_id: str, data: ApplyBestIn) -> ApplyBestOut:
    """Save the chosen point as a parameter set (for the run's catalog model, or any model when
    it ran an ad-hoc id) or file the run in an experiment. 404 for another user's run, trial
    or experiment; 409 `not_finished` while it runs, `no_best` without a complete trial."""
    run, trials = await _load(ctx, run_id)
    if data.target == "experiment":
        if data.experiment_id is None:
            raise AppError(
                "Choose the experiment to file the tuner run in (experiment_id).",
                code="invalid_tuning",
                status_code=422,
            )
        await check_experiment(ctx, data.experiment_id)  # 404 before the run state's 409s
    if run.status not in APPLICABLE:
        state = "failed" if run.status == "failed" else f"is still {run.status}"
        raise ConflictError(
            f"The tuner run {state}: only a completed or cancelled run's best can be applied.",
            code="not_finished",
        )
    trial = _pick(run, trials, data.trial_id)
    params = _params(run, trial)
    if data.target == "experiment" and data.experiment_id is not None:
        await file_tuner_run(ctx, run.id, data.experiment_id, move=True)
        return ApplyBestOut(target="experiment", experiment_id=data.experiment_id, params=params)
    request = ParameterSetIn(
        name=data.name or _set_name(run, trial),
        description=_description(run, trial),
        model_ref_id=run.target.get("model_ref_id"),
        params=params,
    )
    try:
        saved = await catalog.save_parameter_set(ctx, request)
    except NotFoundError:  # the run's catalog model is gone: a set for any model instead
        saved = await catalog.save_parameter_set(
            ctx, request.model_copy(update={"model_ref_id": None})
        )
    return ApplyBestOut(target="parameter_set", parameter_set_id=saved.id, params=params)
