"""Tuner runs as the experiments domain sees them: facts of the runs filed under experiments
(the run and its best trial, two queries for many experiments), filing and unfiling a run.

A tuner run holds its experiment's id as an opaque value. Whether an experiment is the
caller's is the experiments domain's check, registered by the composition root for evals
(`register_experiment_check`) and shared here as the judge shares it: tuning may use evals,
never experiments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from benchstudio.core.errors import ConflictError, NotFoundError
from benchstudio.evals.runs.service.experiment_check import check_experiment
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning import repository
from benchstudio.tuning.domain.best import best_trial
from benchstudio.tuning.models import TunerRun, TunerTrial


@dataclass(frozen=True, slots=True)
class BestTrialFacts:
    id: str
    number: int
    score: float
    score_low: float | None
    score_high: float | None
    eval_run_id: str | None
    effective: dict[str, Any]


@dataclass(frozen=True, slots=True)
class TunerRunFacts:
    id: str
    name: str
    experiment_id: str | None
    status: str  # queued | running | completed | failed | cancelled
    suite_id: str
    suite_version: int
    profile: str
    objective: dict[str, Any]
    trials_done: int
    created_at: datetime
    finished_at: datetime | None
    best: BestTrialFacts | None


def _best(trials: Sequence[TunerTrial]) -> BestTrialFacts | None:
    found = best_trial(trials)
    if found is None or found.score is None:
        return None
    return BestTrialFacts(
        id=found.id,
        number=found.number,
        score=found.score,
        score_low=found.score_low,
        score_high=found.score_high,
        eval_run_id=found.eval_run_id,
        effective=dict(found.effective),
    )


def _facts(run: TunerRun, trials: Sequence[TunerTrial]) -> TunerRunFacts:
    return TunerRunFacts(
        id=run.id,
        name=run.name,
        experiment_id=run.experiment_id,
        status=run.status,
        suite_id=run.suite_id,
        suite_version=run.suite_version,
        profile=run.profile,
        objective=dict(run.objective),
        trials_done=run.trials_done,
        created_at=run.created_at,
        finished_at=run.finished_at,
        best=_best(trials),
    )


async def experiment_tuner_runs(
    ctx: ServiceContext, experiment_ids: Sequence[str]
) -> dict[str, list[TunerRunFacts]]:
    """The caller's tuner runs filed under each experiment, oldest first, with their best."""
    if not experiment_ids:
        return {}
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        runs = await repository.runs_of_experiments(session, owner_id, list(experiment_ids))
        trials = await repository.trials_of_runs(session, owner_id, [run.id for run in runs])
        by_run: dict[str, list[TunerTrial]] = defaultdict(list)
        for trial in trials:
            by_run[trial.tuner_run_id].append(trial)
        found: dict[str, list[TunerRunFacts]] = defaultdict(list)
        for run in runs:
            found[str(run.experiment_id)].append(_facts(run, by_run[run.id]))
    return {experiment_id: found.get(experiment_id, []) for experiment_id in experiment_ids}


async def file_tuner_run(
    ctx: ServiceContext, run_id: str, experiment_id: str | None, *, move: bool = False
) -> TunerRunFacts:
    """File the caller's tuner run under an experiment of theirs (None: unfile it). A run
    already in another experiment is refused (409 `already_filed`, naming it) unless `move`."""
    if experiment_id is not None:
        await check_experiment(ctx, experiment_id)
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        run = await repository.get_run(session, owner_id, run_id)
        if run is None:
            raise NotFoundError("No such tuner run.")
        current = run.experiment_id
        if experiment_id is not None and current not in (None, experiment_id) and not move:
            raise ConflictError(
                f"The tuner run is filed under experiment {current}: move it (move=true) or "
                "unfile it.",
                code="already_filed",
                details=[{"experiment_id": current}],
            )
        run.experiment_id = experiment_id
        await session.flush()
        trials = await repository.trials_of(session, owner_id, run_id)
        return _facts(run, trials)


async def unfile_experiment(ctx: ServiceContext, experiment_id: str) -> int:
    """Every tuner run filed under the experiment goes back to none (the runs are kept)."""
    async with ctx.unit() as session:
        return await repository.unfile_experiment(session, ctx.require_owner(), experiment_id)
