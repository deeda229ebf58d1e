"""Suite routes (`/api/suites`): CRUD with versions, bulk cases, imports, export, the sample.

Every suite belongs to its owner: another user's id answers 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from benchstudio.core.content_disposition import attachment
from benchstudio.core.input_types import ObjectId, QueryText
from benchstudio.evals.suites import domain
from benchstudio.evals.suites.schemas import (
    MAX_VERSION,
    BfclImportOut,
    CasesIn,
    McpImportIn,
    McpImportOut,
    McpServerIn,
    McpToolList,
    SuiteContent,
    SuiteDetail,
    SuiteOut,
    SuitePage,
    SuitePatch,
    SuiteVersionOut,
)
from benchstudio.evals.suites.service import crud, imports
from benchstudio.http.dependencies import SettingsDep
from benchstudio.http.paging import Page, paging
from benchstudio.http.principal import CurrentUser
from benchstudio.http.service_context import OwnerContext
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.suite_file import suite_json_schema

router = APIRouter(prefix="/suites", tags=["eval suites"])
# `?duplicate=allow` imports content the owner imported before as a separate copy; by default
# such an import answers 409 `duplicate_import` naming the existing suite.
Duplicate = Annotated[
    Literal["refuse", "allow"],
    Query(description="`allow`: import again as a copy even if the same content was imported"),
]
# A version number in a route's path.
SuiteVersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION)]


@router.get("", response_model=SuitePage)
async def list_suites(
    ctx: OwnerContext,
    page: Annotated[Page, paging(50, 200)],
    search: QueryText | None = None,
) -> SuitePage:
    return await crud.list_suites(ctx, search, page.limit, page.offset)


@router.post("", response_model=SuiteOut, status_code=201)
async def create_suite(data: SuiteContent, ctx: OwnerContext) -> SuiteOut:
    return await crud.create_suite(ctx, domain.suite_from_content(data))


@router.get("/schema")
async def suite_file_schema(_user: CurrentUser) -> dict[str, Any]:
    """The published JSON Schema of the suite file format (also in docs/schemas/)."""
    return suite_json_schema()


@router.get("/sample", response_model=Suite)
async def sample_suite(_user: CurrentUser) -> Suite:
    """The sample suite shipped with BenchStudio (copy it to run or edit it)."""
    return domain.sample_suite()


@router.post("/sample", response_model=SuiteOut, status_code=201)
async def copy_sample_suite(ctx: OwnerContext) -> SuiteOut:
    return await crud.copy_sample(ctx)


@router.post("/import", response_model=SuiteOut, status_code=201)
async def import_suite_file(
    ctx: OwnerContext, file: Annotated[UploadFile, File()], duplicate: Duplicate = "refuse"
) -> SuiteOut:
    """A suite file in BenchStudio's own JSON format (see `/api/suites/schema`)."""
    text = domain.decode_upload(await file.read(), "suite")
    return await imports.import_suite_file(ctx, text, allow_duplicate=duplicate == "allow")


@router.post("/import/bfcl", response_model=BfclImportOut, status_code=201)
async def import_bfcl(
    ctx: OwnerContext,
    questions: Annotated[UploadFile, File(description="BFCL question file (JSON / JSON lines)")],
    answers: Annotated[UploadFile | None, File(description="possible-answer file")] = None,
    name: Annotated[str | None, Form(max_length=200)] = None,
    duplicate: Duplicate = "refuse",
) -> BfclImportOut:
    """Entries without an answer become irrelevance cases; unsupported ones are listed."""
    question_text = domain.decode_upload(await questions.read(), "questions")
    answer_text = domain.decode_upload(await answers.read(), "answers") if answers else None
    return await imports.import_bfcl_files(
        ctx, question_text, answer_text, name or None, allow_duplicate=duplicate == "allow"
    )


@router.post("/import/mcp/tools", response_model=McpToolList)
async def list_mcp_tools(
    data: McpServerIn, ctx: OwnerContext, settings: SettingsDep
) -> McpToolList:
    """The tools an MCP server offers (reached through the egress guard), to pick from."""
    return await imports.list_mcp_server_tools(ctx, settings, data)


@router.post("/import/mcp", response_model=McpImportOut, status_code=201)
async def import_mcp(
    data: McpImportIn, ctx: OwnerContext, settings: SettingsDep, duplicate: Duplicate = "refuse"
) -> McpImportOut:
    return await imports.import_mcp_server(
        ctx, settings, data, allow_duplicate=duplicate == "allow"
    )


@router.get("/{suite_id}", response_model=SuiteDetail)
async def get_suite(suite_id: ObjectId, ctx: OwnerContext) -> SuiteDetail:
    return await crud.get_suite(ctx, suite_id)


@router.put("/{suite_id}", response_model=SuiteDetail)
async def replace_suite(suite_id: ObjectId, data: SuiteContent, ctx: OwnerContext) -> SuiteDetail:
    """Replace the whole content: a new version (runs keep the version they ran)."""
    return await crud.replace_suite(ctx, suite_id, data)


@router.patch("/{suite_id}", response_model=SuiteDetail)
async def patch_suite(suite_id: ObjectId, data: SuitePatch, ctx: OwnerContext) -> SuiteDetail:
    return await crud.patch_suite(ctx, suite_id, data)


@router.delete("/{suite_id}", status_code=204)
async def delete_suite(suite_id: ObjectId, ctx: OwnerContext) -> Response:
    """Archive the suite: it leaves every list; finished runs keep their snapshots and still
    open from the history. Refused (409 `suite_in_use`) while one of its runs is going."""
    await crud.archive_suite(ctx, suite_id)
    return Response(status_code=204)


@router.get("/{suite_id}/versions", response_model=list[SuiteVersionOut])
async def list_versions(suite_id: ObjectId, ctx: OwnerContext) -> list[SuiteVersionOut]:
    return await crud.list_versions(ctx, suite_id)


@router.get("/{suite_id}/versions/{suite_version}", response_model=Suite)
async def get_version(
    suite_id: ObjectId,
    suite_version: SuiteVersionNumber,
    ctx: OwnerContext,
) -> Suite:
    snapshot = await crud.load_snapshot(ctx, suite_id, suite_version)
    return snapshot.suite


@router.post("/{suite_id}/versions/{suite_version}/restore", response_model=SuiteDetail)
async def restore_version(
    suite_id: ObjectId,
    suite_version: SuiteVersionNumber,
    ctx: OwnerContext,
) -> SuiteDetail:
    """Save an earlier version again as the newest one; every version stays."""
    return await crud.restore_version(ctx, suite_id, suite_version)


@router.post("/{suite_id}/cases", response_model=SuiteDetail, status_code=201)
async def add_cases(suite_id: ObjectId, data: CasesIn, ctx: OwnerContext) -> SuiteDetail:
    """Append cases in bulk (one new version)."""
    return await crud.add_cases(ctx, suite_id, data.cases)


@router.delete("/{suite_id}/cases/{suite_case_id}", response_model=SuiteDetail)
async def remove_case(suite_id: ObjectId, suite_case_id: str, ctx: OwnerContext) -> SuiteDetail:
    return await crud.remove_case(ctx, suite_id, suite_case_id)


@router.get("/{suite_id}/export")
async def export_suite(
    suite_id: ObjectId,
    ctx: OwnerContext,
    version: Annotated[int | None, Query(ge=1, le=MAX_VERSION)] = None,
) -> Response:
    """The suite file (own JSON format) of a version, as a download."""
    filename, text = await crud.export_suite(ctx, suite_id, version)
    headers = {"Content-Disposition": attachment(filename)}  # suite names may be any script
    return Response(text, media_type="application/json", headers=headers)
