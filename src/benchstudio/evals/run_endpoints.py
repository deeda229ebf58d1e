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
from benchstudio.evals import export, run_service
from benchstudio.evals.run_repository import CaseFilters, RunFilters
from benchstudio.evals.run_schemas import (
    CaseResultDetail,
    CaseResultPage,
    ComparisonOut,
    EvalCreate,
    EvalRunDetail,
    EvalRunPage,
    EvalSubmitted,
)
from benchstudio.evals.run_service import EvalContext
from benchstudio.http.dependencies import DatabaseDep, SettingsDep
from benchstudio.http.filters import StatusFilter
from benchstudio.http.paging import Page, paging
from benchstudio.http.principal import CurrentUser
from benchstudio.jobs.runtime import JobRuntime

router = APIRouter(prefix="/evals", tags=["evals"])


async def eval_context(
    request: Request, db: DatabaseDep, vault: VaultDep, settings: SettingsDep
) -> EvalContext:
    runtime = request.app.state.jobs
    assert isinstance(runtime, JobRuntime)
    return EvalContext(
        db=db, catalog=CatalogContext.from_settings(db, vault, settings), jobs=runtime.service
    )


Ctx = Annotated[EvalContext, Depends(eval_context)]


@router.post("", response_model=EvalSubmitted, status_code=202)
async def submit_eval(data: EvalCreate, user: CurrentUser, ctx: Ctx) -> EvalSubmitted:
    """Start a run: a `tool_eval` job with an `eval_case_result` event per finished case."""
    return await run_service.submit_eval(ctx, user.user_id, data)


@router.get("", response_model=EvalRunPage)
async def list_runs(
    user: CurrentUser,
    db: DatabaseDep,
    page: Annotated[Page, paging(50, 200)],
    status: StatusFilter,
    search: QueryText | None = None,
    profile: Literal["bfcl", "strict", "lenient"] | None = None,
    suite_id: ObjectId | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> EvalRunPage:
    """Run history, newest first; `search` matches the suite and target names."""
    filters = RunFilters(search, status, profile, suite_id, since, until)
    return await run_service.list_runs(db, user.user_id, filters, page.limit, page.offset)


@router.get("/{eval_run_id}", response_model=EvalRunDetail)
async def get_run(eval_run_id: ObjectId, user: CurrentUser, ctx: Ctx) -> EvalRunDetail:
    return await run_service.run_detail(ctx, user.user_id, eval_run_id)


@router.get("/{eval_run_id}/cases", response_model=CaseResultPage)
async def list_cases(
    eval_run_id: ObjectId,
    user: CurrentUser,
    db: DatabaseDep,
    page: Annotated[Page, paging(100, 500)],
    target: QueryText | None = None,
    passed: bool | None = None,
    category: QueryText | None = None,
    error_category: QueryText | None = None,
) -> CaseResultPage:
    filters = CaseFilters(target, passed, category, error_category)
    return await run_service.list_case_results(
        db, user.user_id, eval_run_id, filters, page.limit, page.offset
    )


@router.get("/{eval_run_id}/cases/{case_result_id}", response_model=CaseResultDetail)
async def get_case(
    eval_run_id: ObjectId, case_result_id: ObjectId, user: CurrentUser, db: DatabaseDep
) -> CaseResultDetail:
    """Request, response, expected vs actual calls, and why each argument passed or failed."""
    return await run_service.case_result_detail(db, user.user_id, eval_run_id, case_result_id)


@router.get("/{eval_run_id}/compare", response_model=list[ComparisonOut])
async def compare_runs(
    eval_run_id: ObjectId,
    user: CurrentUser,
    db: DatabaseDep,
    other: ObjectId | None = None,
    target_a: QueryText | None = None,
    target_b: QueryText | None = None,
) -> list[ComparisonOut]:
    """`other` (default: this run) against this run, per target, with McNemar's exact test on
    the cases both scored. Without `other`, `target_a` and `target_b` compare two models of
    this run."""
    second = other or eval_run_id
    return await run_service.compare(db, user.user_id, eval_run_id, second, target_a, target_b)


@router.get("/{eval_run_id}/export")
async def export_run(
    eval_run_id: ObjectId,
    user: CurrentUser,
    db: DatabaseDep,
    format: Literal["json", "csv"] = "json",
) -> StreamingResponse:
    await run_service.get_run(db, user.user_id, eval_run_id)  # 404 before the stream starts
    if format == "csv":
        body = export.export_csv(db, user.user_id, eval_run_id)
        media = "text/csv; charset=utf-8"
    else:
        body = export.export_json(db, user.user_id, eval_run_id)
        media = "application/json"
    headers = {"Content-Disposition": f'attachment; filename="eval-{eval_run_id}.{format}"'}
    return StreamingResponse(body, media_type=media, headers=headers)


@router.delete("/{eval_run_id}", status_code=204)
async def delete_run(eval_run_id: ObjectId, user: CurrentUser, ctx: Ctx) -> Response:
    """Delete a finished run and its case results (a running one must be cancelled first)."""
    await run_service.delete_run(ctx, user.user_id, eval_run_id)
    return Response(status_code=204)
