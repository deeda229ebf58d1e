"""Suites from elsewhere: BFCL question/answer uploads and MCP servers (through the egress guard).

BFCL files are parsed as JSON only (never evaluated). MCP servers are user-supplied URLs, so
they are reached with the operator's egress policy, like model endpoints.
"""

from __future__ import annotations

from benchstudio.catalog.service import egress_policy
from benchstudio.config import Settings
from benchstudio.evals.suites import repository
from benchstudio.evals.suites.domain import (
    ImportFailedError,
    McpUnreachableError,
    content_hash,
    duplicate_suite_error,
    parse_suite_text,
)
from benchstudio.evals.suites.schemas import (
    BfclImportOut,
    McpImportIn,
    McpImportOut,
    McpServerIn,
    McpToolList,
    McpToolOut,
    SkippedEntry,
    SuiteOut,
    SuiteSource,
)
from benchstudio.evals.suites.service.crud import create_suite
from benchstudio.providers.mcp_client import McpImportError, McpTool, list_mcp_tools
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.bfcl_import import BfclImportError, import_bfcl, parse_entries
from benchstudio.toolcall.mcp_import import server_description, suite_from_mcp_tools
from benchstudio.toolcall.schemas import Suite


async def create_imported(
    ctx: ServiceContext, suite: Suite, source: SuiteSource, allow_duplicate: bool
) -> SuiteOut:
    """Store an imported suite, unless the owner imported the same content before (409 naming
    that suite) and did not ask for a copy."""
    digest = content_hash(suite)
    if not allow_duplicate:
        async with ctx.read() as session:
            earlier = await repository.find_import(session, ctx.require_owner(), digest)
            if earlier is not None:
                raise duplicate_suite_error(earlier.id, earlier.name)
    return await create_suite(ctx, suite, source, import_hash=digest)


async def import_suite_file(ctx: ServiceContext, text: str, allow_duplicate: bool) -> SuiteOut:
    """A suite file in BenchStudio's own JSON format."""
    return await create_imported(ctx, parse_suite_text(text), "own", allow_duplicate)


async def import_bfcl_files(
    ctx: ServiceContext,
    questions: str,
    answers: str | None,
    name: str | None,
    allow_duplicate: bool = False,
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
    suite = await create_imported(ctx, result.suite, "bfcl", allow_duplicate)
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
    ctx: ServiceContext, settings: Settings, request: McpImportIn, allow_duplicate: bool = False
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
            description=server_description(
                listing.server_name, str(request.url), listing.transport
            ),
        )
    except ValueError as error:
        raise ImportFailedError(str(error)) from None
    if not result.suite.tools:
        raise ImportFailedError("None of the server's tools could be converted.")
    suite = await create_imported(ctx, result.suite, "mcp", allow_duplicate)
    return McpImportOut(
        suite=suite,
        name_map=result.name_map,
        skipped=[SkippedEntry(id=tool, reason=reason) for tool, reason in result.skipped],
        unvalued_arguments=[f"{tool}.{arg}" for tool, arg in result.unvalued_arguments],
    )
