"""Eval routes (`/api/evals`): submit, history, detail, per-case drill-down, compare, export.

Every run belongs to its owner: another user's id answers 404, exactly like a missing one.
Cancel and live events go through the job (`/api/jobs/{job_id}/cancel`, `/ws`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from benchstudio.catalog.service import CatalogContext, VaultDep
from benchstudio.core.input_types import ObjectId, QueryText
from benchstudio.evals.runs.repository import CaseFilters, RunFilters
from benchstudio.evals.runs.schemas import (
    CaseResultDetail,
    CaseResultPage,
    ComparisonOut,
    EvalCreate,
    EvalRunDetail,
    EvalRunPage,
    EvalSubmitted,
)
from benchstudio.evals.runs.service import export, history, submit
from benchstudio.evals.service import EvalContext
from benchstudio.http.dependencies import SettingsDep
from benchstudio.http.filters import StatusFilter
from benchstudio.http.paging import Page, paging
from benchstudio.http.service_context import OwnerContext
from benchstudio.jobs.runtime import JobRuntime

router = APIRouter(prefix="/evals", tags=["evals"])


async def eval_context(
    request: Request, owner: OwnerContext, vault: VaultDep, settings: SettingsDep
) -> EvalContext:
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


Ctx = Annotated[EvalContext, Depends(eval_context)]


@router.post("", response_model=EvalSubmitted, status_code=202)
async def submit_eval(data: EvalCreate, ctx: Ctx) -> EvalSubmitted:
    """Start a run: a `tool_eval` job with an `eval_case_result` event per finished case."""
    return await submit.submit_eval(ctx, data)


@router.get("", response_model=EvalRunPage)
async def list_runs(
    ctx: OwnerContext,
    page: Annotated[Page, paging(50, 200)],
    status: StatusFilter,
    search: QueryText | None = None,
    profile: Literal["bfcl", "strict", "lenient"] | None = None,
    suite_id: ObjectId | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    experiment_id: ObjectId | None = None,
    include_trials: bool = False,
    tuner_run_id: ObjectId | None = None,
) -> EvalRunPage:
    """Run history, newest first; `search` matches the suite and target names;
    `experiment_id`: the runs filed under that experiment. A tuner's trial runs are left out
    unless `include_trials` (all of them) or `tuner_run_id` (that tuner run's) asks for them."""
    filters = RunFilters(
        search,
        status,
        profile,
        suite_id,
        since,
        until,
        experiment_id,
        include_trials=include_trials,
        tuner_run_id=tuner_run_id,
    )
    return await history.list_runs(ctx, filters, page.limit, page.offset)


@router.get("/{eval_run_id}", response_model=EvalRunDetail)
async def get_run(eval_run_id: ObjectId, ctx: Ctx) -> EvalRunDetail:
    return await history.run_detail(ctx, eval_run_id)


@router.get("/{eval_run_id}/cases", response_model=CaseResultPage)
async def list_cases(
    eval_run_id: ObjectId,
    ctx: OwnerContext,
    page: Annotated[Page, paging(100, 500)],
    target: QueryText | None = None,
    passed: bool | None = None,
    category: QueryText | None = None,
    error_category: QueryText | None = None,
) -> CaseResultPage:
    filters = CaseFilters(target, passed, category, error_category)
    return await history.list_case_results(ctx, eval_run_id, filters, page.limit, page.offset)


@router.get("/{eval_run_id}/cases/{case_result_id}", response_model=CaseResultDetail)
async def get_case(
    eval_run_id: ObjectId, case_result_id: ObjectId, ctx: OwnerContext
) -> CaseResultDetail:
    """Request, response, expected vs actual calls, and why each argument passed or failed."""
    return await history.case_result_detail(ctx, eval_run_id, case_result_id)


@router.get("/{eval_run_id}/compare", response_model=list[ComparisonOut])
async def compare_runs(
    eval_run_id: ObjectId,
    ctx: OwnerContext,
    other: ObjectId | None = None,
    target_a: QueryText | None = None,
    target_b: QueryText | None = None,
) -> list[ComparisonOut]:
    """`other` (default: this run) against this run, per target, with McNemar's exact test on
    the cases both scored. Without `other`, `target_a` and `target_b` compare two models of
    this run."""
    second = other or eval_run_id
    return await history.compare(ctx, eval_run_id, second, target_a, target_b)


@router.get("/{eval_run_id}/export")
async def export_run(
    eval_run_id: ObjectId,
    ctx: OwnerContext,
    format: Literal["json", "csv"] = "json",
) -> StreamingResponse:
    await history.get_run(ctx, eval_run_id)  # 404 before the stream starts
    if format == "csv":
        body = export.export_csv(ctx, eval_run_id)
        media = "text/csv; charset=utf-8"
    else:
        body = export.export_json(ctx, eval_run_id)
        media = "application/json"
    headers = {"Content-Disposition": f'attachment; filename="eval-{eval_run_id}.{format}"'}
    return StreamingResponse(body, media_type=media, headers=headers)


@router.delete("/{eval_run_id}", status_code=204)
async def delete_run(eval_run_id: ObjectId, ctx: Ctx) -> Response:
    """Delete a finished run and its case results (a running one must be cancelled first)."""
    await history.delete_run(ctx, eval_run_id)
    return Response(status_code=204)
