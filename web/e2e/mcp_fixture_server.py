"""A small MCP server (the MCP SDK's FastMCP, Streamable HTTP at /mcp) for the tool-eval browser
test's import flow. Usage: python mcp_fixture_server.py PORT"""

from __future__ import annotations

import sys
from typing import Literal

from mcp.server.fastmcp import FastMCP

server = FastMCP("trip-planner", host="127.0.0.1", port=int(sys.argv[1]), log_level="WARNING")


@server.tool(description="Forecast for a city over the next days.")
def get_forecast(city: str, days: int = 3, unit: Literal["celsius", "fahrenheit"] = "celsius") -> str:
    return f"{city}: sunny for {days} days ({unit})"


@server.tool(description="Find hotels in a city for a night.")
def find_hotels(city: str, night: str, guests: int = 1) -> str:
    return f"3 hotels in {city} on {night} for {guests}"


@server.tool(description="Cancel a booking by its reference.")
def cancel_booking(reference: str) -> str:
    return f"cancelled {reference}"


if __name__ == "__main__":
    server.run(transport="streamable-http")
