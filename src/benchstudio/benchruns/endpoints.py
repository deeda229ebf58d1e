"""Benchmark routes: submit and preview, history, detail, rows, compare, re-run, delete,
streamed export and import."""

from __future__ import annotations

import tempfile
from datetime import datetime
from typing import IO, Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse

from benchstudio.benchruns import service
from benchstudio.benchruns.repository import RunFilters
from benchstudio.benchruns.schemas import (
    BenchmarkCreate,
    BenchmarkPreview,
    BenchmarkSubmitted,
    CompareIn,
    CompareOut,
    ImportOut,
    RequestPage,
    RunDetail,
    RunPage,
)
from benchstudio.benchruns.service import BenchContext, exchange
from benchstudio.catalog.service import CatalogContext, VaultDep
from benchstudio.core.errors import AppError, RateLimitedError
from benchstudio.core.input_types import ObjectId, QueryText
from benchstudio.core.rate_window import WindowLimiter
from benchstudio.http.dependencies import DatabaseDep, SettingsDep
from benchstudio.http.filters import StatusFilter
from benchstudio.http.paging import Page, paging
from benchstudio.http.principal import CurrentUser
from benchstudio.http.service_context import OwnerContext
from benchstudio.jobs.runtime import JobRuntime

router = APIRouter(tags=["benchmarks"])
MAX_IMPORT_BYTES = 256 * 1024 * 1024
IMPORT_SPOOL_BYTES = 8 * 1024 * 1024
IMPORT_WRITE_BYTES = 1024 * 1024


def _read_all(spool: IO[bytes]) -> bytes:
    spool.seek(0)
    return spool.read()


async def get_job_runtime(request: Request) -> JobRuntime:
    runtime = request.app.state.jobs
    assert isinstance(runtime, JobRuntime)
    return runtime


JobsDep = Annotated[JobRuntime, Depends(get_job_runtime)]


async def bench_context(
    base: OwnerContext, db: DatabaseDep, vault: VaultDep, settings: SettingsDep, jobs: JobsDep
) -> BenchContext:
    return BenchContext(
        db=db,
        owner_id=base.owner_id,
        actor_id=base.actor_id,
        catalog=CatalogContext.from_settings(db, vault, settings, owner_id=base.owner_id),
        jobs=jobs,
    )


Ctx = Annotated[BenchContext, Depends(bench_context)]


@router.post("/benchmarks", response_model=BenchmarkSubmitted, status_code=202)
async def submit_benchmark(
    data: BenchmarkCreate, user: CurrentUser, ctx: Ctx
) -> BenchmarkSubmitted:
    """Queue a speed benchmark as a job; follow it on `/ws` or `/api/jobs/{id}/events`."""
    return await service.submit(ctx, user.user_id, data)


async def preview_throttle(request: Request) -> WindowLimiter:
    limiter = request.app.state.preview_throttle
    assert isinstance(limiter, WindowLimiter)
    return limiter


PreviewThrottle = Annotated[WindowLimiter, Depends(preview_throttle)]


@router.post("/benchmarks/preview", response_model=BenchmarkPreview)
async def preview_benchmark(
    data: BenchmarkCreate, user: CurrentUser, ctx: Ctx, throttle: PreviewThrottle
) -> BenchmarkPreview:
    """Effective parameters per target, every adjustment, and the request/token/cost estimate."""
    # Sizing prompts costs this process CPU: throttled per user (429 with `Retry-After`).
    retry_after = throttle.hit(user.user_id)
    if retry_after is not None:
        raise RateLimitedError(
            f"Too many previews; try again in {retry_after} s.", retry_after_s=retry_after
        )
    return await service.preview(ctx, user.user_id, data)


@router.get("/benchmarks", response_model=RunPage)
async def list_benchmarks(
    ctx: OwnerContext,
    page: Annotated[Page, paging(20, 200)],
    status: StatusFilter,
    q: QueryText | None = Query(None, max_length=200, description="Model or provider name."),
    provider_id: ObjectId | None = Query(None),
    model: QueryText | None = Query(None, max_length=256),
    since: datetime | None = None,
    until: datetime | None = None,
    schedule_id: ObjectId | None = Query(None, description="The runs this schedule started."),
) -> RunPage:
    filters = RunFilters(q, status, provider_id, model, since, until, schedule_id)
    return await service.list_runs(ctx, filters, page.limit, page.offset)


@router.post("/benchmarks/compare", response_model=CompareOut)
async def compare_benchmarks(data: CompareIn, ctx: OwnerContext) -> CompareOut:
    """2–4 runs: per-target summaries side by side and significance tests against the first."""
    return await service.compare(ctx, data)


@router.post("/benchmarks/import", response_model=ImportOut, status_code=201)
async def import_benchmark(
    request: Request,
    ctx: OwnerContext,
    duplicate: Annotated[
        Literal["refuse", "allow"],
        Query(description="`allow`: store results imported before again, as a copy"),
    ] = "refuse",
) -> ImportOut:
    """Store a `benchstudio bench --output` results file (JSON body) in the history. The same
    results imported before answer 409 `duplicate_import` naming that run."""
    # The body streams into a spooled file (memory up to IMPORT_SPOOL_BYTES, then disk) under
    # its own cap, written and read back in a worker thread a megabyte at a time (disk writes
    # can block for a while under writeback); decoding, checking and summarising run in the
    # summary worker process, so a big file does not stall the event loop.
    with tempfile.SpooledTemporaryFile(max_size=IMPORT_SPOOL_BYTES) as spool:
        received, pending = 0, bytearray()
        async for chunk in request.stream():
            received += len(chunk)
            if received > MAX_IMPORT_BYTES:
                raise AppError("The results file is too large.", code="too_large", status_code=413)
            pending += chunk
            if len(pending) >= IMPORT_WRITE_BYTES:
                await anyio.to_thread.run_sync(spool.write, bytes(pending))
                pending.clear()
        spool.write(pending)
        raw = await anyio.to_thread.run_sync(_read_all, spool)
    run, requests = await exchange.import_file(ctx, raw, allow_duplicate=duplicate == "allow")
    detail = await service.get_detail(ctx, run.id)
    return ImportOut(run=detail, requests=requests)


@router.get("/benchmarks/{run_id}", response_model=RunDetail)
async def get_benchmark(run_id: ObjectId, ctx: OwnerContext) -> RunDetail:
    return await service.get_detail(ctx, run_id)


@router.get("/benchmarks/{run_id}/requests", response_model=RequestPage)
async def benchmark_requests(
    run_id: ObjectId,
    ctx: OwnerContext,
    page: Annotated[Page, paging(100, 1000)],
    step: QueryText | None = Query(None, max_length=400),
    target: QueryText | None = Query(None, max_length=300),
) -> RequestPage:
    return await service.request_page(
        ctx, run_id, step=step, target=target, limit=page.limit, offset=page.offset
    )


@router.post("/benchmarks/{run_id}/rerun", response_model=BenchmarkSubmitted, status_code=202)
async def rerun_benchmark(run_id: ObjectId, ctx: Ctx) -> BenchmarkSubmitted:
    """Run the stored configuration again (current providers, keys and parameter rules)."""
    return await service.rerun(ctx, run_id)


@router.delete("/benchmarks/{run_id}", status_code=204, response_class=Response)
async def delete_benchmark(run_id: ObjectId, ctx: OwnerContext) -> Response:
    await service.delete(ctx, run_id)
    return Response(status_code=204)


@router.get("/benchmarks/{run_id}/export")
async def export_benchmark(
    run_id: ObjectId,
    ctx: OwnerContext,
    format: Literal["json", "csv"] = "json",
) -> StreamingResponse:
    """Streamed: JSON in the `benchstudio.bench/1` schema, or CSV with one row per request."""
    run, _ = await service.owned_run(ctx, run_id)
    filename = f"benchmark-{run.id}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "csv":
        body = exchange.export_csv(ctx, run)
        return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers=headers)
    summaries = await service.summaries_of(ctx, run)
    return StreamingResponse(
        exchange.export_json(ctx, run, summaries), media_type="application/json", headers=headers
    )
