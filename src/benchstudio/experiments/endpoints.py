"""Experiment routes (`/api/experiments`): list, create, detail, update, delete, the baseline,
filing runs and re-running the best configuration.

Experiments belong to their owner: another user's id answers 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from benchstudio.catalog.service import CatalogContext, VaultDep
from benchstudio.core.input_types import ObjectId, QueryText
from benchstudio.evals.runs.schemas import EvalSubmitted
from benchstudio.evals.service import EvalContext
from benchstudio.experiments.repository import ExperimentFilters
from benchstudio.experiments.schemas import (
    BaselineIn,
    ExperimentCreate,
    ExperimentDetail,
    ExperimentPage,
    ExperimentUpdate,
    FileRunIn,
)
from benchstudio.experiments.service import crud, filing
from benchstudio.http.dependencies import SettingsDep
from benchstudio.http.paging import Page, paging
from benchstudio.http.service_context import OwnerContext
from benchstudio.jobs.runtime import JobRuntime

router = APIRouter(prefix="/experiments", tags=["experiments"])


async def experiment_context(
    request: Request, owner: OwnerContext, vault: VaultDep, settings: SettingsDep
) -> EvalContext:
    """Creating (targets) and re-running (a submit) reach the catalog and the job system."""
    runtime = request.app.state.jobs
    assert isinstance(runtime, JobRuntime)
    db = owner.db
    return EvalContext(
        db=db,
        owner_id=owner.owner_id,
        actor_id=owner.actor_id,
        catalog=CatalogContext.from_settings(db, vault, settings, owner_id=owner.owner_id),
        jobs=runtime.service,
    )


Ctx = Annotated[EvalContext, Depends(experiment_context)]


@router.get("", response_model=ExperimentPage)
async def list_experiments(
    ctx: OwnerContext,
    page: Annotated[Page, paging(50, 200)],
    q: Annotated[
        QueryText | None, Query(description="Words in the name, description or suite.")
    ] = None,
    include_archived: bool = False,
    suite_id: ObjectId | None = None,
) -> ExperimentPage:
    """The caller's experiments, latest change first, with their baseline and best scores."""
    filters = ExperimentFilters(q, include_archived, suite_id)
    return await crud.list_experiments(ctx, filters, page.limit, page.offset)


@router.post("", response_model=ExperimentDetail, status_code=201)
async def create_experiment(data: ExperimentCreate, ctx: Ctx) -> ExperimentDetail:
    """A suite snapshotted at a version (default: its current one), a scoring profile and the
    target models (checked as an eval's targets)."""
    return await crud.create_experiment(ctx, data)


@router.get("/{experiment_id}", response_model=ExperimentDetail)
async def get_experiment(experiment_id: ObjectId, ctx: OwnerContext) -> ExperimentDetail:
    """The experiment with every result in time order, baseline, best and best vs baseline."""
    return await crud.get_experiment(ctx, experiment_id)


@router.patch("/{experiment_id}", response_model=ExperimentDetail)
async def update_experiment(
    experiment_id: ObjectId, data: ExperimentUpdate, ctx: OwnerContext
) -> ExperimentDetail:
    return await crud.update_experiment(ctx, experiment_id, data)


@router.delete("/{experiment_id}", status_code=204)
async def delete_experiment(experiment_id: ObjectId, ctx: OwnerContext) -> Response:
    """Delete the experiment; its runs and reports are kept, filed under nothing."""
    await crud.delete_experiment(ctx, experiment_id)
    return Response(status_code=204)


@router.put("/{experiment_id}/baseline", response_model=ExperimentDetail)
async def choose_baseline(
    experiment_id: ObjectId, data: BaselineIn, ctx: OwnerContext
) -> ExperimentDetail:
    """Choose one target of an eval run filed here as the baseline (422 `off_scale`)."""
    return await filing.choose_baseline(ctx, experiment_id, data)


@router.delete("/{experiment_id}/baseline", response_model=ExperimentDetail)
async def clear_baseline(experiment_id: ObjectId, ctx: OwnerContext) -> ExperimentDetail:
    """Back to the first finished result on the experiment's scale."""
    return await filing.clear_baseline(ctx, experiment_id)


@router.post("/{experiment_id}/runs", response_model=ExperimentDetail)
async def file_run(
    experiment_id: ObjectId,
    data: FileRunIn,
    ctx: OwnerContext,
    move: Annotated[
        bool, Query(description="Move it here when it is filed under another experiment.")
    ] = False,
) -> ExperimentDetail:
    """File an eval run, a judge report or a tuner run here (409 `already_filed` if it is in
    another)."""
    return await filing.file_into(ctx, experiment_id, data, move=move)


@router.delete("/{experiment_id}/runs/{kind}/{ref_id}", response_model=ExperimentDetail)
async def unfile_run(
    experiment_id: ObjectId,
    kind: Literal["eval", "judge", "tuner"],
    ref_id: ObjectId,
    ctx: OwnerContext,
) -> ExperimentDetail:
    """Take a run, report or tuner run out of the experiment (it is kept)."""
    return await filing.unfile(ctx, experiment_id, kind, ref_id)


@router.post("/{experiment_id}/rerun-best", response_model=EvalSubmitted, status_code=202)
async def rerun_best(experiment_id: ObjectId, ctx: Ctx) -> EvalSubmitted:
    """Start a new eval with the best result's configuration, filed here (409 `no_best`)."""
    return await filing.rerun_best(ctx, experiment_id)
