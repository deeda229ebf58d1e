"""Job routes: list, read, submit (public job types), cancel, resume, events; admin view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import StringConstraints, ValidationError

from benchstudio.core.input_types import MAX_OFFSET, ObjectId
from benchstudio.http.principal import AdminUser, CurrentUser
from benchstudio.jobs.domain import JobStatus
from benchstudio.jobs.registry import UnknownJobTypeError
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.jobs.schemas import JobEventOut, JobOut, JobPage, JobsOverview, JobSubmit

router = APIRouter(tags=["jobs"])


async def get_jobs(request: Request) -> JobRuntime:
    runtime = request.app.state.jobs
    assert isinstance(runtime, JobRuntime)
    return runtime


JobsDep = Annotated[JobRuntime, Depends(get_jobs)]
StatusFilter = Annotated[list[JobStatus], Query(default_factory=list)]
JobTypeName = Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get("/jobs", response_model=JobPage)
async def list_jobs(
    user: CurrentUser,
    jobs: JobsDep,
    status: StatusFilter,
    type: JobTypeName | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> JobPage:
    statuses = [s.value for s in status]
    items, total = await jobs.service.list_jobs(user.user_id, statuses, type, limit, offset)
    return JobPage(items=await jobs.service.present(items), total=total, limit=limit, offset=offset)


@router.post("/jobs", response_model=JobOut, status_code=202)
async def submit_job(data: JobSubmit, user: CurrentUser, jobs: JobsDep) -> JobOut:
    """Submit a job of a type that takes plain parameters (benchmarks use /api/benchmarks)."""
    job_type = jobs.registry.get(data.type)
    if not job_type.public_submit:
        raise UnknownJobTypeError(f"Jobs of type {data.type!r} are started by their own endpoint.")
    try:
        params = job_type.public_params(data.params)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", "params", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    job = await jobs.service.submit(user.user_id, data.type, params)
    return (await jobs.service.present([job]))[0]


@router.get("/jobs/{job_id}", response_model=JobOut)
async def get_job(job_id: ObjectId, user: CurrentUser, jobs: JobsDep) -> JobOut:
    return (await jobs.service.present([await jobs.service.get(user.user_id, job_id)]))[0]


@router.post("/jobs/{job_id}/cancel", response_model=JobOut)
async def cancel_job(job_id: ObjectId, user: CurrentUser, jobs: JobsDep) -> JobOut:
    """Cancel: a queued job at once; a running one stops after its current unit."""
    return (await jobs.service.present([await jobs.service.cancel(user.user_id, job_id)]))[0]


@router.post("/jobs/{job_id}/resume", response_model=JobOut)
async def resume_job(job_id: ObjectId, user: CurrentUser, jobs: JobsDep) -> JobOut:
    """Queue an interrupted job again; finished units are kept and skipped."""
    return (await jobs.service.present([await jobs.service.resume(user.user_id, job_id)]))[0]


@router.get("/jobs/{job_id}/events", response_model=list[JobEventOut])
async def job_events(
    job_id: ObjectId, user: CurrentUser, jobs: JobsDep, after: int = Query(0, ge=0, le=2**31)
) -> list[JobEventOut]:
    await jobs.service.get(user.user_id, job_id)  # 404 for other users' jobs
    events = await jobs.service.events_after(user.user_id, job_id, after)
    return [JobEventOut(**e.wire()) for e in events]


@router.get("/admin/jobs", response_model=JobPage)
async def admin_list_jobs(
    _admin: AdminUser,
    jobs: JobsDep,
    status: StatusFilter,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> JobPage:
    """Every user's jobs (default: the active and queued ones)."""
    statuses = [s.value for s in status] or ["queued", "running"]
    items, total = await jobs.service.list_jobs(None, statuses, None, limit, offset)
    return JobPage(items=await jobs.service.present(items), total=total, limit=limit, offset=offset)


@router.post("/admin/jobs/{job_id}/cancel", response_model=JobOut)
async def admin_cancel_job(job_id: ObjectId, admin: AdminUser, jobs: JobsDep) -> JobOut:
    job = await jobs.service.cancel(admin.user_id, job_id, as_admin=True)
    return (await jobs.service.present([job]))[0]


@router.get("/admin/jobs/overview", response_model=JobsOverview)
async def admin_jobs_overview(_admin: AdminUser, request: Request, jobs: JobsDep) -> JobsOverview:
    """Queued and running jobs, and sockets connected to this server."""
    counts = await jobs.service.active_summary()
    realtime = getattr(request.app.state, "realtime", None)
    sockets = realtime.hub.connection_count() if realtime is not None else 0
    return JobsOverview(**counts, connected_sockets=sockets)
