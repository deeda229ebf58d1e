"""Tuner run use cases after submit: the list, one run with its trials and results, delete.

Runs are the owner's (`ctx.owner_id`); another user's run answers 404 exactly like a missing
one."""

from __future__ import annotations

from benchstudio.audit import service as audit
from benchstudio.core.errors import ConflictError, NotFoundError
from benchstudio.evals.runs.service import trials as eval_trials
from benchstudio.jobs.domain import ACTIVE_RUN_STATUSES
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning import repository
from benchstudio.tuning.models import TunerRun
from benchstudio.tuning.repository import RunFilters
from benchstudio.tuning.schemas import TunerRunDetail, TunerRunOut, TunerRunPage
from benchstudio.tuning.service.results import best_trial, pareto_ids, results_of, trial_out


async def _owned(ctx: ServiceContext, run_id: str) -> TunerRun:
    async with ctx.read() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            raise NotFoundError("No such tuner run.")
        session.expunge(run)
    return run


async def list_runs(
    ctx: ServiceContext, filters: RunFilters, limit: int, offset: int
) -> TunerRunPage:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        rows, total = await repository.list_runs(session, owner_id, filters, limit, offset)
        trials = await repository.trials_of_runs(session, owner_id, [row.id for row in rows])
        items = []
        for row in rows:
            best = best_trial([t for t in trials if t.tuner_run_id == row.id])
            out = TunerRunOut.model_validate(row)
            out.best_score = best.score if best else None
            items.append(out)
    return TunerRunPage(items=items, total=total, limit=limit, offset=offset)


async def get_run(ctx: ServiceContext, run_id: str) -> TunerRunOut:
    return TunerRunOut.model_validate(await _owned(ctx, run_id))


async def run_detail(ctx: ServiceContext, run_id: str) -> TunerRunDetail:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        run = await repository.get_run(session, owner_id, run_id)
        if run is None:
            raise NotFoundError("No such tuner run.")
        rows = await repository.trials_of(session, owner_id, run_id)
        session.expunge_all()
    results = await results_of(ctx, run, rows)
    front = set(pareto_ids(run, rows))
    out = TunerRunOut.model_validate(run)
    out.best_score = results.best_score
    return TunerRunDetail(
        run=out,
        trials=[trial_out(row, row.id in front) for row in rows],
        results=results,
    )


async def delete_run(ctx: ServiceContext, run_id: str) -> None:
    """Delete a finished run, its trials and their trial runs (a queued or running one must be
    cancelled first)."""
    run = await _owned(ctx, run_id)
    if run.status in ACTIVE_RUN_STATUSES:
        raise ConflictError("The tuner run is still going: cancel it first.", code="run_active")
    await eval_trials.delete_trial_runs(ctx, run_id)
    async with ctx.unit() as session:
        await repository.delete_run(session, ctx.require_owner(), run_id)
        audit.record(session, "tuning.deleted", actor_id=ctx.actor_id, target=run_id)
