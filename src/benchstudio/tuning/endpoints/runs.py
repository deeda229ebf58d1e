"""Tuner run routes: estimate, submit, list, detail, delete (`/api/tuning/...`).

Every run belongs to its owner: another user's id answers 404, exactly like a missing one.
Cancel, resume and live events go through the job (`/api/jobs/{job_id}/...`, `/ws`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from benchstudio.catalog.service import CatalogContext, VaultDep
from benchstudio.core.input_types import ObjectId, QueryText
from benchstudio.http.dependencies import SettingsDep
from benchstudio.http.filters import StatusFilter
from benchstudio.http.paging import Page, paging
from benchstudio.http.service_context import OwnerContext
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.tuning.repository import RunFilters
from benchstudio.tuning.schemas import (
    TunerEstimateOut,
    TunerRunCreate,
    TunerRunDetail,
    TunerRunPage,
    TunerSubmitted,
)
from benchstudio.tuning.service import runs, submit
from benchstudio.tuning.service.context import TuningContext

router = APIRouter(prefix="/tuning", tags=["tuning"])


async def tuning_context(
    request: Request, owner: OwnerContext, vault: VaultDep, settings: SettingsDep
) -> TuningContext:
    runtime = request.app.state.jobs
    assert isinstance(runtime, JobRuntime)
    return TuningContext(
        db=owner.db,
        owner_id=owner.owner_id,
        actor_id=owner.actor_id,
        catalog=CatalogContext.from_settings(owner.db, vault, settings, owner_id=owner.owner_id),
        jobs=runtime.service,
    )


Ctx = Annotated[TuningContext, Depends(tuning_context)]


@router.post("/estimate", response_model=TunerEstimateOut)
async def estimate_run(data: TunerRunCreate, ctx: Ctx) -> TunerEstimateOut:
    """What the run will send and cost at most, and the space as it will run (adjustments,
    dropped parameters, grid size), checked as a submit checks it (422 when it cannot run)."""
    return await submit.estimate_run(ctx, data)


@router.post("/runs", response_model=TunerSubmitted, status_code=202)
async def submit_run(data: TunerRunCreate, ctx: Ctx) -> TunerSubmitted:
    """Start a tuner run: a `tune` job with `tuner_trial_started` and `tuner_trial` events."""
    return await submit.submit_run(ctx, data)


@router.get("/runs", response_model=TunerRunPage)
async def list_runs(
    ctx: OwnerContext,
    page: Annotated[Page, paging(50, 200)],
    status: StatusFilter,
    q: QueryText | None = None,
    experiment_id: ObjectId | None = None,
) -> TunerRunPage:
    """Tuner runs, newest first; `q` matches the run's and the suite's names."""
    filters = RunFilters(q, status, experiment_id)
    return await runs.list_runs(ctx, filters, page.limit, page.offset)


@router.get("/runs/{tuner_run_id}", response_model=TunerRunDetail)
async def get_run(tuner_run_id: ObjectId, ctx: OwnerContext) -> TunerRunDetail:
    """The run, its trials and the results (best point, best vs baselines, Pareto front,
    parameter importance)."""
    return await runs.run_detail(ctx, tuner_run_id)


@router.delete("/runs/{tuner_run_id}", status_code=204)
async def delete_run(tuner_run_id: ObjectId, ctx: OwnerContext) -> Response:
    """Delete a finished run with its trials and their eval runs (409 while it is going)."""
    await runs.delete_run(ctx, tuner_run_id)
    return Response(status_code=204)
