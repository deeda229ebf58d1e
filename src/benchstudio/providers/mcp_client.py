"""List the tools of an MCP server over streamable HTTP or SSE, through the egress guard.

Uses the official `mcp` SDK (1.x). Every HTTP request the SDK makes goes through an httpx client
built by `core.egress_httpx.create_egress_httpx_client`, injected through the SDK's client
factory, so the SSRF guard applies to MCP servers as to model endpoints. stdio servers are not
reachable from here on purpose: starting local processes is an operator decision.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client

from benchstudio.core.egress_httpx import create_egress_httpx_client
from benchstudio.core.net import EgressPolicy, egress_denial_of
from benchstudio.providers.errors import sanitize

Transport = Literal["auto", "streamable-http", "sse"]
DEFAULT_TIMEOUT_S = 30.0
MAX_PAGES = 100  # a server that keeps returning cursors must not keep us forever


@dataclass(frozen=True, slots=True)
class McpTool:
    """A tool as the server lists it (names and schemas unchanged)."""

    name: str
    description: str
    input_schema: dict[str, Any]
    title: str | None = None


@dataclass(slots=True)
class McpListing:
    server_name: str | None
    transport: Literal["streamable-http", "sse"]
    tools: list[McpTool] = field(default_factory=list)


class McpImportError(Exception):
    """The server could not be reached or listed; the message is sanitised (no keys)."""


def _guarded_factory(policy: EgressPolicy) -> Any:
    """An `McpHttpClientFactory` that builds egress-guarded httpx clients."""

    def factory(
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        auth: httpx.Auth | None = None,
    ) -> httpx.AsyncClient:
        kwargs: dict[str, Any] = {"timeout": timeout or httpx.Timeout(DEFAULT_TIMEOUT_S)}
        if headers:
            kwargs["headers"] = headers
        if auth is not None:
            kwargs["auth"] = auth
        return create_egress_httpx_client(policy, **kwargs)

    return factory


async def _list_all(session: ClientSession) -> tuple[str | None, list[McpTool]]:
    initialized = await session.initialize()
    tools: list[McpTool] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = await session.list_tools(cursor) if cursor else await session.list_tools()
        for tool in page.tools:
            tools.append(
                McpTool(
                    name=tool.name,
                    description=tool.description or "",
                    input_schema=dict(tool.inputSchema or {}),
                    title=tool.title,
                )
            )
        cursor = page.nextCursor
        if not cursor:
            break
    return initialized.serverInfo.name, tools


async def _list_streamable(
    url: str, policy: EgressPolicy, headers: dict[str, str], timeout_s: float
) -> tuple[str | None, list[McpTool]]:
    factory = _guarded_factory(policy)
    client = factory(headers=headers, timeout=httpx.Timeout(timeout_s))
    async with (
        client,
        streamable_http_client(url, http_client=client) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        return await _list_all(session)


async def _list_sse(
    url: str, policy: EgressPolicy, headers: dict[str, str], timeout_s: float
) -> tuple[str | None, list[McpTool]]:
    streams = sse_client(
        url,
        headers=headers,
        timeout=timeout_s,
        sse_read_timeout=timeout_s,
        httpx_client_factory=_guarded_factory(policy),
    )
    async with streams as (read, write), ClientSession(read, write) as session:
        return await _list_all(session)


def _leaf_errors(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaf_errors(inner)]
    return [error]


def _describe(error: BaseException, url: str, secrets: list[str]) -> str:
    """A short, sanitised reason (the SDK wraps failures in exception groups)."""
    leaves = _leaf_errors(error)
    for leaf in leaves:
        denial = egress_denial_of(leaf)
        if denial is not None:
            return str(denial)
    leaf = leaves[0]
    if isinstance(leaf, httpx.HTTPStatusError):
        reason = f"HTTP {leaf.response.status_code} from the server"
    elif isinstance(leaf, TimeoutError | httpx.TimeoutException):
        reason = "the server did not answer in time"
    elif isinstance(leaf, httpx.ConnectError):
        reason = "could not connect"
    else:
        reason = f"{type(leaf).__name__}: {leaf}"
    parts = urlsplit(url)
    where = f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"
    return sanitize(f"{reason} ({where})", secrets)


def guess_transport(url: str) -> Literal["streamable-http", "sse"]:
    """SSE servers conventionally serve `/sse`; everything else is tried as streamable HTTP."""
    return "sse" if urlsplit(url).path.rstrip("/").endswith("/sse") else "streamable-http"


async def list_mcp_tools(
    url: str,
    *,
    policy: EgressPolicy,
    transport: Transport = "auto",
    headers: dict[str, str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> McpListing:
    """Connect, initialise, list every tool (following cursors) and disconnect.

    `auto` tries the transport the URL suggests, then the other one. Raises `McpImportError`.
    """
    order: list[Literal["streamable-http", "sse"]]
    if transport == "auto":
        first = guess_transport(url)
        order = [first, "sse" if first == "streamable-http" else "streamable-http"]
    else:
        order = [transport]
    secrets = [value for value in (headers or {}).values() if value]
    reasons: list[str] = []
    for kind in order:
        lister = _list_streamable if kind == "streamable-http" else _list_sse
        try:
            async with asyncio.timeout(timeout_s):
                name, tools = await lister(url, policy, dict(headers or {}), timeout_s)
        except Exception as error:  # reported below, sanitised
            reasons.append(f"{kind}: {_describe(error, url, secrets)}")
            if any(egress_denial_of(leaf) for leaf in _leaf_errors(error)):
                break  # a refused destination stays refused on the other transport
            continue
        return McpListing(server_name=name, transport=kind, tools=tools)
    raise McpImportError("cannot list MCP tools: " + "; ".join(reasons))
