"""Experiment use cases: create (the suite snapshotted at a version, the models checked as
eval targets), list, detail, update, delete (its runs are unfiled, never deleted).

Experiments are the owner's: another user's id answers 404 exactly like a missing one.
"""

from __future__ import annotations

from benchstudio.audit import service as audit
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError, NotFoundError
from benchstudio.evals.runs.schemas import EvalCreate, EvalTargetIn
from benchstudio.evals.runs.service.experiment_filing import unfile_experiment as unfile_runs
from benchstudio.evals.runs.service.targets import resolve_targets
from benchstudio.evals.service import EvalContext
from benchstudio.evals.suites.service import crud as suites
from benchstudio.experiments import repository
from benchstudio.experiments.models import Experiment
from benchstudio.experiments.repository import ExperimentFilters
from benchstudio.experiments.schemas import (
    ExperimentCreate,
    ExperimentDetail,
    ExperimentModelOut,
    ExperimentOut,
    ExperimentPage,
    ExperimentUpdate,
)
from benchstudio.experiments.service.results import (
    Filed,
    assessment_of,
    best_vs_baseline,
    filed_results,
    result_out,
)
from benchstudio.judge.service.experiment_filing import unfile_experiment as unfile_reports
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning.service.experiment_filing import unfile_experiment as unfile_tuner_runs


async def owned(ctx: ServiceContext, experiment_id: str) -> Experiment:
    async with ctx.read() as session:
        experiment = await repository.get_experiment(session, ctx.require_owner(), experiment_id)
        if experiment is None:
            raise NotFoundError("No such experiment.")
        session.expunge(experiment)
        return experiment


async def owns_experiment(ctx: ServiceContext, experiment_id: str) -> bool:
    """The check evals and the judge call (registered by the composition root)."""
    async with ctx.read() as session:
        found = await repository.get_experiment(session, ctx.require_owner(), experiment_id)
        return found is not None


def _out(experiment: Experiment, filed: Filed) -> ExperimentOut:
    assessment = assessment_of(experiment, filed)
    return ExperimentOut(
        id=experiment.id,
        name=experiment.name,
        description=experiment.description,
        suite_id=experiment.suite_id,
        suite_name=experiment.suite_name,
        suite_version=experiment.suite_version,
        profile=experiment.profile,
        models=[ExperimentModelOut.model_validate(m) for m in experiment.models],
        baseline_chosen=assessment.chosen_in_force,
        run_count=filed.run_count,
        baseline_score=assessment.baseline.score if assessment.baseline else None,
        best_score=assessment.best.score if assessment.best else None,
        archived=experiment.archived_at is not None,
        created_at=experiment.created_at,
        updated_at=experiment.updated_at,
    )


async def detail(ctx: ServiceContext, experiment: Experiment) -> ExperimentDetail:
    filed = (await filed_results(ctx, [experiment]))[experiment.id]
    assessment = assessment_of(experiment, filed)
    return ExperimentDetail(
        **_out(experiment, filed).model_dump(),
        results=[result_out(r) for r in assessment.results],
        comparison=await best_vs_baseline(ctx, assessment),
    )


async def get_experiment(ctx: ServiceContext, experiment_id: str) -> ExperimentDetail:
    return await detail(ctx, await owned(ctx, experiment_id))


async def list_experiments(
    ctx: ServiceContext, filters: ExperimentFilters, limit: int, offset: int
) -> ExperimentPage:
    async with ctx.read() as session:
        rows, total = await repository.list_experiments(
            session, ctx.require_owner(), filters, limit, offset
        )
        session.expunge_all()
    filed = await filed_results(ctx, rows)
    items = [_out(row, filed[row.id]) for row in rows]
    return ExperimentPage(items=items, total=total, limit=limit, offset=offset)


async def _models(ctx: EvalContext, data: ExperimentCreate) -> list[dict[str, str]]:
    """The target models checked as an eval's targets are (the caller's provider, an active
    model or an ad-hoc id) and labelled uniquely as a run would label them."""
    request = EvalCreate(
        suite_id=data.suite_id,
        targets=[
            EvalTargetIn(provider_id=m.provider_id, model_id=m.model_id, label=m.label)
            for m in data.models
        ],
    )
    resolved = await resolve_targets(ctx, request)
    return [
        {"provider_id": m.provider_id, "model_id": m.model_id, "label": info.label}
        for m, (info, _) in zip(data.models, resolved, strict=True)
    ]


async def create_experiment(ctx: EvalContext, data: ExperimentCreate) -> ExperimentDetail:
    owner_id = ctx.require_owner()
    current = await suites.load_snapshot(ctx, data.suite_id)  # 404: not the caller's suite
    snapshot = current
    if data.suite_version is not None and data.suite_version != current.version:
        try:
            snapshot = await suites.load_snapshot(ctx, data.suite_id, data.suite_version)
        except NotFoundError:
            raise AppError(
                f"The suite has no version {data.suite_version}.",
                code="unknown_suite_version",
                status_code=422,
            ) from None
    models = await _models(ctx, data)
    now = utcnow()
    async with ctx.unit() as session:
        experiment = Experiment(
            owner_id=owner_id,
            name=data.name,
            description=data.description,
            suite_id=snapshot.suite_id,
            suite_name=snapshot.suite.name,
            suite_version=snapshot.version,
            profile=data.profile.value,
            models=models,
            created_at=now,
            updated_at=now,
        )
        session.add(experiment)
        await session.flush()
        audit.record(session, "experiment.created", actor_id=ctx.actor_id, target=experiment.id)
        session.expunge(experiment)
    return await detail(ctx, experiment)


async def update_experiment(
    ctx: ServiceContext, experiment_id: str, data: ExperimentUpdate
) -> ExperimentDetail:
    async with ctx.unit() as session:
        experiment = await repository.get_experiment(session, ctx.require_owner(), experiment_id)
        if experiment is None:
            raise NotFoundError("No such experiment.")
        if data.name is not None:
            experiment.name = data.name
        if data.description is not None:
            experiment.description = data.description
        if data.archived is not None:
            archived = experiment.archived_at is not None
            if data.archived != archived:
                experiment.archived_at = utcnow() if data.archived else None
        experiment.updated_at = utcnow()
        await session.flush()
        session.expunge(experiment)
    return await detail(ctx, experiment)


async def delete_experiment(ctx: ServiceContext, experiment_id: str) -> None:
    """Delete the experiment; its runs, reports and tuner runs stay, filed under nothing (one
    unit)."""
    async with ctx.unit() as session:
        experiment = await repository.get_experiment(session, ctx.require_owner(), experiment_id)
        if experiment is None:
            raise NotFoundError("No such experiment.")
        joined = ctx.with_session(session)
        await unfile_runs(joined, experiment_id)
        await unfile_reports(joined, experiment_id)
        await unfile_tuner_runs(joined, experiment_id)
        await repository.delete_experiment(session, experiment)
        audit.record(session, "experiment.deleted", actor_id=ctx.actor_id, target=experiment_id)
