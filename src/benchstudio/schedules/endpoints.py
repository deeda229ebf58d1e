"""Schedule routes (`/api/schedules`): save, list, switch on and off, preview the next
occurrences (also of a draft), and the occurrence log. Another user's schedule answers 404.
Runs a schedule started are in the benchmark and eval history (`?schedule_id=`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from benchstudio.catalog.service import VaultDep
from benchstudio.core.input_types import ObjectId
from benchstudio.http.dependencies import SettingsDep
from benchstudio.http.paging import Page, paging
from benchstudio.http.service_context import OwnerContext
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.schedules.schemas import (
    DraftNextIn,
    NextOccurrencesOut,
    NextQuery,
    OccurrencePage,
    ScheduleEstimateOut,
    ScheduleIn,
    ScheduleOut,
    SchedulePage,
    ScheduleUpdate,
)
from benchstudio.schedules.service import ScheduleContext, crud, estimate

router = APIRouter(prefix="/schedules", tags=["schedules"])


async def schedule_context(
    request: Request, owner: OwnerContext, vault: VaultDep, settings: SettingsDep
) -> ScheduleContext:
    runtime = request.app.state.jobs
    assert isinstance(runtime, JobRuntime)
    return ScheduleContext(
        db=owner.db,
        owner_id=owner.owner_id,
        actor_id=owner.actor_id,
        settings=settings,
        vault=vault,
        jobs=runtime,
    )


Ctx = Annotated[ScheduleContext, Depends(schedule_context)]


@router.get("", response_model=SchedulePage)
async def list_schedules(ctx: Ctx, page: Annotated[Page, paging(50, 200)]) -> SchedulePage:
    """Your schedules, newest first."""
    return await crud.list_schedules(ctx, page.limit, page.offset)


@router.post("", response_model=ScheduleOut, status_code=201)
async def create_schedule(data: ScheduleIn, ctx: Ctx) -> ScheduleOut:
    """Save a schedule; its first run is its first occurrence from now. 422 for an invalid
    cron, an unknown time zone or an interval below the administrator's minimum."""
    return await crud.create(ctx, data)


@router.post("/next", response_model=NextOccurrencesOut)
async def next_of_draft(data: DraftNextIn, ctx: Ctx) -> NextOccurrencesOut:
    """The next occurrences of a schedule not saved yet, in UTC and in `timezone`."""
    return await crud.next_for_draft(ctx, data)


@router.post("/estimate", response_model=ScheduleEstimateOut)
async def estimate_schedule(data: ScheduleIn, ctx: Ctx) -> ScheduleEstimateOut:
    """Cost per run and per month of a schedule before it is saved (checked as a save is)."""
    return await estimate.estimate(ctx, data)


@router.get("/{schedule_id}", response_model=ScheduleOut)
async def get_schedule(schedule_id: ObjectId, ctx: Ctx) -> ScheduleOut:
    return await crud.get(ctx, schedule_id)


@router.patch("/{schedule_id}", response_model=ScheduleOut)
async def update_schedule(schedule_id: ObjectId, data: ScheduleUpdate, ctx: Ctx) -> ScheduleOut:
    """Change it; `enabled: true` switches it on again (from the next occurrence, a pause
    and its failure count cleared)."""
    return await crud.update(ctx, schedule_id, data)


@router.delete("/{schedule_id}", status_code=204, response_class=Response)
async def delete_schedule(schedule_id: ObjectId, ctx: Ctx) -> Response:
    """The schedule and its occurrence log; its runs stay in history."""
    await crud.delete(ctx, schedule_id)
    return Response(status_code=204)


@router.get("/{schedule_id}/next", response_model=NextOccurrencesOut)
async def next_occurrences(
    schedule_id: ObjectId, ctx: Ctx, query: Annotated[NextQuery, Query()]
) -> NextOccurrencesOut:
    """The next `count` occurrences, in UTC and in `timezone` (default: a cron schedule's own
    zone, else UTC)."""
    return await crud.next_for(ctx, schedule_id, query)


@router.get("/{schedule_id}/occurrences", response_model=OccurrencePage)
async def occurrences(
    schedule_id: ObjectId, ctx: Ctx, page: Annotated[Page, paging(50, 200)]
) -> OccurrencePage:
    """The occurrence log, newest first: each run (job and run id) or skip (with why)."""
    return await crud.occurrences(ctx, schedule_id, page.limit, page.offset)
