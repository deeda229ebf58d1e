"""Suites from elsewhere: BFCL question/answer uploads and MCP servers (through the egress guard).

BFCL files are parsed as JSON only (never evaluated). MCP servers are user-supplied URLs, so
they are reached with the operator's egress policy, like model endpoints.
"""

from __future__ import annotations

from benchstudio.catalog.service import egress_policy
from benchstudio.config import Settings
from benchstudio.core.errors import AppError
from benchstudio.evals.suites.schemas import (
    BfclImportOut,
    McpImportIn,
    McpImportOut,
    McpServerIn,
    McpToolList,
    McpToolOut,
    SkippedEntry,
)
from benchstudio.evals.suites.service import crud as suite_service
from benchstudio.providers.mcp_client import McpImportError, list_mcp_tools
from benchstudio.storage.engine import Database
from benchstudio.toolcall.bfcl_import import BfclImportError, import_bfcl, parse_entries
from benchstudio.toolcall.mcp_import import suite_from_mcp_tools

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportFailedError(AppError):
    status_code = 422
    code = "import_failed"


class McpUnreachableError(AppError):
    status_code = 502
    code = "mcp_unreachable"


def decode_upload(data: bytes, what: str) -> str:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFailedError(f"The {what} file is larger than {MAX_UPLOAD_BYTES >> 20} MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailedError(f"The {what} file is not UTF-8 text.") from None


async def import_bfcl_files(
    db: Database, owner_id: str, questions: str, answers: str | None, name: str | None
) -> BfclImportOut:
    """A suite from BFCL questions (+ possible answers); unsupported entries are listed."""
    try:
        question_entries = parse_entries(questions, "questions")
        answer_entries = parse_entries(answers, "answers") if answers else None
    except BfclImportError as error:
        raise ImportFailedError(str(error)) from None
    result = import_bfcl(question_entries, answer_entries, name=name or "BFCL import")
    if not result.suite.cases:
        reasons = "; ".join(f"{i}: {r}" for i, r in result.skipped[:3])
        raise ImportFailedError(f"No entry could be imported ({reasons or 'empty file'}).")
    suite = await suite_service.create_suite(db, owner_id, result.suite, "bfcl")
    skipped = [SkippedEntry(id=entry, reason=reason) for entry, reason in result.skipped]
    return BfclImportOut(suite=suite, skipped=skipped)


async def _listing(settings: Settings, server: McpServerIn) -> McpToolList:
    try:
        listing = await list_mcp_tools(
            str(server.url),
            policy=egress_policy(settings, demo=False),
            transport=server.transport,
            headers=server.headers,
            timeout_s=server.timeout_s,
        )
    except McpImportError as error:
        raise McpUnreachableError(str(error)) from None
    tools = [
        McpToolOut(
            name=tool.name,
            title=tool.title,
            description=tool.description,
            input_schema=tool.input_schema,
        )
        for tool in listing.tools
    ]
    return McpToolList(server_name=listing.server_name, transport=listing.transport, tools=tools)


async def list_mcp_server_tools(settings: Settings, server: McpServerIn) -> McpToolList:
    """What the server offers, for the user to pick from."""
    return await _listing(settings, server)


async def import_mcp_server(
    db: Database, settings: Settings, owner_id: str, request: McpImportIn
) -> McpImportOut:
    """The picked tools (all by default) as a new suite, optionally with drafted cases."""
    from benchstudio.providers.mcp_client import McpTool

    listing = await _listing(settings, request)
    tools = [
        McpTool(name=t.name, description=t.description, input_schema=t.input_schema, title=t.title)
        for t in listing.tools
    ]
    name = request.name or listing.server_name or "MCP tools"
    try:
        result = suite_from_mcp_tools(
            tools,
            name=name,
            select=request.tools,
            draft_cases=request.draft_cases,
            description=f"Tools imported from the MCP server {name!r} ({listing.transport}).",
        )
    except ValueError as error:
        raise ImportFailedError(str(error)) from None
    if not result.suite.tools:
        raise ImportFailedError("None of the server's tools could be converted.")
    suite = await suite_service.create_suite(db, owner_id, result.suite, "mcp")
    return McpImportOut(
        suite=suite,
        name_map=result.name_map,
        skipped=[SkippedEntry(id=tool, reason=reason) for tool, reason in result.skipped],
        unvalued_arguments=[f"{tool}.{arg}" for tool, arg in result.unvalued_arguments],
    )
