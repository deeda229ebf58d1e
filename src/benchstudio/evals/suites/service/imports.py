"""Suites from elsewhere: BFCL question/answer uploads and MCP servers (through the egress guard).

BFCL files are parsed as JSON only (never evaluated). MCP servers are user-supplied URLs, so
they are reached with the operator's egress policy, like model endpoints.
"""

from __future__ import annotations

from benchstudio.catalog.service import egress_policy
from benchstudio.config import Settings
from benchstudio.evals.suites.domain import ImportFailedError, McpUnreachableError
from benchstudio.evals.suites.schemas import (
    BfclImportOut,
    McpImportIn,
    McpImportOut,
    McpServerIn,
    McpToolList,
    McpToolOut,
    SkippedEntry,
)
from benchstudio.evals.suites.service.crud import create_suite
from benchstudio.providers.mcp_client import McpImportError, McpTool, list_mcp_tools
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.bfcl_import import BfclImportError, import_bfcl, parse_entries
from benchstudio.toolcall.mcp_import import suite_from_mcp_tools


async def import_bfcl_files(
    ctx: ServiceContext, questions: str, answers: str | None, name: str | None
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
    suite = await create_suite(ctx, result.suite, "bfcl")
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


async def list_mcp_server_tools(
    ctx: ServiceContext, settings: Settings, server: McpServerIn
) -> McpToolList:
    """What the server offers, for the user to pick from (nothing is stored)."""
    return await _listing(settings, server)


async def import_mcp_server(
    ctx: ServiceContext, settings: Settings, request: McpImportIn
) -> McpImportOut:
    """The picked tools (all by default) as a new suite, optionally with drafted cases."""
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
    suite = await create_suite(ctx, result.suite, "mcp")
    return McpImportOut(
        suite=suite,
        name_map=result.name_map,
        skipped=[SkippedEntry(id=tool, reason=reason) for tool, reason in result.skipped],
        unvalued_arguments=[f"{tool}.{arg}" for tool, arg in result.unvalued_arguments],
    )
