"""MCP import against real FastMCP servers (the SDK's own) over streamable HTTP and SSE."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Literal

import pytest
import uvicorn
from mcp.server.fastmcp import FastMCP
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from typer.testing import CliRunner

from benchstudio.cli.main import app
from benchstudio.core.net import EgressPolicy
from benchstudio.providers.mcp_client import McpImportError, list_mcp_tools
from benchstudio.toolcall.mcp_import import import_mcp
from benchstudio.toolcall.suite_file import load_suite

DEV = EgressPolicy.from_allow_list("dev")


class Address(BaseModel):
    street: str
    city: str = Field(examples=["Paris"])


class Traveller(BaseModel):
    name: str = Field(examples=["Ada"])
    home: Address


def build_server() -> FastMCP:
    server = FastMCP("travel-tools", host="127.0.0.1")

    @server.tool(description="Forecast for a city.")
    def get_forecast(
        city: Annotated[str, Field(examples=["Oslo"])],
        days: int = 3,
        unit: Literal["celsius", "fahrenheit"] = "celsius",
    ) -> str:
        return f"{city}: sunny for {days} days ({unit})"

    @server.tool(name="booking.create traveller", description="Register a traveller.")
    def create_traveller(traveller: Traveller, note: str) -> str:
        return traveller.name

    return server


async def serve(app_factory: Callable[[FastMCP], Starlette]) -> AsyncIterator[int]:
    config = uvicorn.Config(
        app_factory(build_server()),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
        assert not task.done(), "the MCP server did not start"
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    await task


@pytest.fixture
async def streamable_port() -> AsyncIterator[int]:
    async for port in serve(lambda s: s.streamable_http_app()):
        yield port


@pytest.fixture
async def sse_port() -> AsyncIterator[int]:
    async for port in serve(lambda s: s.sse_app()):
        yield port


async def test_streamable_http_listing_converts_schemas_and_names(streamable_port: int) -> None:
    result = await import_mcp(
        f"http://127.0.0.1:{streamable_port}/mcp", policy=DEV, transport="auto"
    )
    suite = result.suite
    assert suite.name == "travel-tools"
    names = [tool.function.name for tool in suite.tools]
    assert names == ["get_forecast", "booking_create_traveller"]
    assert result.name_map["booking_create_traveller"] == "booking.create traveller"
    assert suite.tools[1].source_name == "booking.create traveller"
    traveller = suite.tools[1].function.parameters["properties"]["traveller"]
    assert "$ref" not in json.dumps(suite.tools[1].function.parameters)
    assert traveller["properties"]["home"]["properties"]["city"]["type"] == "string"
    forecast_case, traveller_case = suite.cases
    city = forecast_case.expected_calls[0].arguments["city"]
    assert city.acceptable == ["Oslo"]
    assert set(forecast_case.expected_calls[0].arguments) == {"city"}  # required ones only
    assert traveller_case.expected_calls[0].arguments["note"].match == "present"
    assert ("booking_create_traveller", "note") in result.unvalued_arguments


async def test_sse_listing_and_tool_selection(sse_port: int) -> None:
    result = await import_mcp(
        f"http://127.0.0.1:{sse_port}/sse", policy=DEV, select=["get_forecast"], draft_cases=False
    )
    assert [tool.function.name for tool in result.suite.tools] == ["get_forecast"]
    assert result.suite.cases == []
    assert "(sse)" in result.suite.description


async def test_auto_falls_back_to_sse_when_streamable_http_fails(sse_port: int) -> None:
    listing = await list_mcp_tools(f"http://127.0.0.1:{sse_port}/sse", policy=DEV)
    assert listing.transport == "sse"
    with pytest.raises(McpImportError, match="streamable-http"):
        await list_mcp_tools(
            f"http://127.0.0.1:{sse_port}/sse", policy=DEV, transport="streamable-http",
            timeout_s=5,
        )  # fmt: skip


async def test_the_egress_guard_applies_to_mcp(streamable_port: int) -> None:
    production = EgressPolicy.from_allow_list("production")
    with pytest.raises(McpImportError, match="refused") as caught:
        await list_mcp_tools(f"http://127.0.0.1:{streamable_port}/mcp", policy=production)
    assert "sse" not in str(caught.value)  # a refused destination is not retried over SSE
    allowed = EgressPolicy.from_allow_list("production", ["127.0.0.1"])
    listing = await list_mcp_tools(f"http://127.0.0.1:{streamable_port}/mcp", policy=allowed)
    assert len(listing.tools) == 2


async def test_unknown_tool_selection_is_an_error(streamable_port: int) -> None:
    with pytest.raises(ValueError, match="no tool named nope"):
        await import_mcp(f"http://127.0.0.1:{streamable_port}/mcp", policy=DEV, select=["nope"])


async def test_cli_import_mcp_writes_a_valid_suite(streamable_port: int, tmp_path: Path) -> None:
    output = tmp_path / "mcp.suite.json"
    args = [
        "suite", "import-mcp", "--url", f"http://127.0.0.1:{streamable_port}/mcp",
        "--output", str(output), "--tools", "get_forecast,booking.create traveller",
    ]  # fmt: skip
    # The CLI runs its own event loop; run it in a thread while this loop serves MCP.
    outcome = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert outcome.exit_code == 0, outcome.output
    assert "renamed 'booking.create traveller' -> booking_create_traveller" in outcome.output
    suite = load_suite(output)
    assert len(suite.tools) == 2 and len(suite.cases) == 2
    unreachable = await asyncio.to_thread(
        CliRunner().invoke,
        app,
        ["suite", "import-mcp", "--url", "http://127.0.0.1:9/mcp", "--output", str(output),
         "--timeout", "5"],
    )  # fmt: skip
    assert unreachable.exit_code == 1
    assert "Cannot import" in unreachable.output
