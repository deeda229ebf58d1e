"""Suites through the API: CRUD, versions, bulk cases, own JSON / BFCL / MCP import, export,
the shipped sample."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from evals_driver import Api, app_api
from mcp.server.fastmcp import FastMCP

from benchstudio.config import Settings

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def _case(case_id: str, city: str) -> dict[str, Any]:
    return {
        "id": case_id,
        "prompt": f"Weather in {city}?",
        "expected_calls": [{"name": "get_weather", "arguments": {"city": {"acceptable": [city]}}}],
    }


SUITE = {
    "name": "Weather",
    "description": "d",
    "tools": [WEATHER_TOOL],
    "cases": [_case("a", "Oslo")],
}


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def test_edits_write_versions_and_old_versions_stay(api: Api) -> None:
    api.sign_up("alice@example.com")
    created = api.ok("POST", "/api/suites", 201, json=SUITE)
    suite_id = created["id"]
    assert (created["version"], created["case_count"], created["tool_count"]) == (1, 1, 1)
    patched = api.ok("PATCH", f"/api/suites/{suite_id}", json={"description": "new"})
    assert patched["version"] == 2 and patched["suite"]["description"] == "new"
    bulk = [_case(f"bulk-{i}", city) for i, city in enumerate(["Rome", "Lima", "Kyiv"])]
    added = api.ok("POST", f"/api/suites/{suite_id}/cases", 201, json={"cases": bulk})
    assert added["version"] == 3 and added["case_count"] == 4
    clash = api.call("POST", f"/api/suites/{suite_id}/cases", json={"cases": [_case("a", "X")]})
    assert clash.status_code == 409
    removed = api.ok("DELETE", f"/api/suites/{suite_id}/cases/bulk-1")
    assert removed["case_count"] == 3 and removed["version"] == 4
    replaced = api.ok("PUT", f"/api/suites/{suite_id}", json={**SUITE, "name": "Renamed"})
    assert (replaced["version"], replaced["name"], replaced["case_count"]) == (5, "Renamed", 1)
    versions = api.ok("GET", f"/api/suites/{suite_id}/versions")
    assert [v["version"] for v in versions] == [5, 4, 3, 2, 1]
    first = api.ok("GET", f"/api/suites/{suite_id}/versions/1")
    assert first["name"] == "Weather" and first["description"] == "d"
    third = api.ok("GET", f"/api/suites/{suite_id}/versions/3")
    assert [c["id"] for c in third["cases"]] == ["a", "bulk-0", "bulk-1", "bulk-2"]
    exported = api.call("GET", f"/api/suites/{suite_id}/export?version=3")
    assert "attachment" in exported.headers["content-disposition"]
    assert json.loads(exported.text)["version"] == 3
    assert api.call("GET", f"/api/suites/{suite_id}/versions/9").status_code == 404
    restored = api.ok("POST", f"/api/suites/{suite_id}/versions/3/restore")
    assert (restored["version"], restored["case_count"], restored["name"]) == (6, 4, "Weather")
    assert restored["suite"]["cases"] == third["cases"]
    newest = api.ok("GET", f"/api/suites/{suite_id}/versions")[0]
    assert (newest["version"], newest["note"]) == (6, "restored version 3")
    missing = api.call("POST", f"/api/suites/{suite_id}/versions/9/restore")
    assert missing.status_code == 404


def test_list_search_invalid_content_and_delete(api: Api) -> None:
    api.sign_up("alice@example.com")
    api.ok("POST", "/api/suites", 201, json=SUITE)
    other = api.ok("POST", "/api/suites", 201, json={**SUITE, "name": "Flights"})
    assert api.ok("GET", "/api/suites")["total"] == 2
    assert [s["name"] for s in api.ok("GET", "/api/suites?search=flig")["items"]] == ["Flights"]
    unknown_tool = {**SUITE, "tools": [{**WEATHER_TOOL, "function": {"name": "bad name!"}}]}
    assert api.call("POST", "/api/suites", json=unknown_tool).status_code == 422
    duplicate = {**SUITE, "cases": [_case("a", "Oslo"), _case("a", "Rome")]}
    response = api.call("POST", "/api/suites", json=duplicate)
    assert response.status_code == 422 and "duplicate" in response.text
    nul = api.call("POST", "/api/suites", json={**SUITE, "name": "x\x00"})
    assert nul.status_code == 422
    api.ok("DELETE", f"/api/suites/{other['id']}", 204)
    assert api.call("GET", f"/api/suites/{other['id']}").status_code == 404
    assert api.ok("GET", "/api/suites")["total"] == 1


def test_sample_schema_and_own_json_round_trip(api: Api) -> None:
    api.sign_up("alice@example.com")
    sample = api.ok("GET", "/api/suites/sample")
    assert len(sample["cases"]) == 8
    copy = api.ok("POST", "/api/suites/sample", 201)
    assert copy["source"] == "sample" and copy["case_count"] == 8
    second = api.ok("POST", "/api/suites/sample", 201)
    assert second["id"] != copy["id"]
    schema = api.ok("GET", "/api/suites/schema")
    assert schema["$id"].endswith("suite.schema.json")
    text = api.call("GET", f"/api/suites/{copy['id']}/export").text
    imported = api.ok(
        "POST", "/api/suites/import", 201, files={"file": ("s.json", text, "application/json")}
    )
    assert imported["case_count"] == 8 and imported["source"] == "own"
    again = api.ok("GET", f"/api/suites/{imported['id']}")["suite"]
    original = api.ok("GET", f"/api/suites/{copy['id']}")["suite"]
    assert again == original
    broken = api.call("POST", "/api/suites/import", files={"file": ("s.json", "{nope", "text")})
    assert broken.status_code == 422


BFCL_QUESTIONS = [
    {
        "id": "simple_3",
        "question": [[{"role": "user", "content": "Area of a triangle, base 10, height 5."}]],
        "function": [
            {
                "name": "geometry.area_triangle",
                "description": "Area.",
                "parameters": {
                    "type": "dict",
                    "properties": {
                        "base": {"type": "integer", "description": "b"},
                        "height": {"type": "integer", "description": "h"},
                        "unit": {"type": "string", "description": "u"},
                    },
                    "required": ["base", "height"],
                },
            }
        ],
    },
    {
        "id": "irrelevance_4",
        "question": [[{"role": "user", "content": "Tell me a joke."}]],
        "function": [
            {
                "name": "calc",
                "description": "c",
                "parameters": {"type": "dict", "properties": {}, "required": []},
            }
        ],
    },
]
BFCL_ANSWERS = [
    {
        "id": "simple_3",
        "ground_truth": [
            {"geometry.area_triangle": {"base": [10], "height": [5], "unit": ["units", ""]}}
        ],
    }
]


def test_bfcl_upload_becomes_a_suite_with_bfcl_ids(api: Api) -> None:
    api.sign_up("alice@example.com")
    questions = "\n".join(json.dumps(q) for q in BFCL_QUESTIONS)  # JSON lines
    files = {
        "questions": ("BFCL_v4_simple.json", questions, "application/json"),
        "answers": ("possible_answer.json", json.dumps(BFCL_ANSWERS), "application/json"),
    }
    result = api.ok("POST", "/api/suites/import/bfcl", 201, files=files, data={"name": "BFCL"})
    assert result["suite"]["source"] == "bfcl" and result["suite"]["name"] == "BFCL"
    suite = api.ok("GET", f"/api/suites/{result['suite']['id']}")["suite"]
    by_id = {case["id"]: case for case in suite["cases"]}
    assert set(by_id) == {"simple_3", "irrelevance_4"}
    assert by_id["irrelevance_4"]["should_call_tool"] is False
    tool = by_id["simple_3"]["tools"][0]
    assert tool["function"]["name"] == "geometry_area_triangle"
    assert tool["source_name"] == "geometry.area_triangle"
    assert by_id["simple_3"]["expected_calls"][0]["arguments"]["unit"]["omittable"] is True
    bad = {"questions": ("q.json", "{oops\n", "application/json")}
    assert api.call("POST", "/api/suites/import/bfcl", files=bad).status_code == 422


def _mcp_server() -> FastMCP:
    server = FastMCP("trip-tools", host="127.0.0.1")

    @server.tool(description="Forecast for a city.")
    def get_forecast(city: str, days: int = 3) -> str:
        return f"{city}: {days}"

    @server.tool(description="Convert money.")
    def convert(amount: float, currency: str) -> str:
        return f"{amount} {currency}"

    return server


@pytest.fixture(scope="module")
def mcp_url() -> Iterator[str]:
    """A real MCP server (the SDK's FastMCP, streamable HTTP) on a free local port."""
    config = uvicorn.Config(
        _mcp_server().streamable_http_app(), host="127.0.0.1", port=0, log_level="warning"
    )
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "the MCP server did not start"
        threading.Event().wait(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/mcp"
    server.should_exit = True
    thread.join(10)
    # The SDK leaves a shutdown watcher task behind: end it before closing the loop.
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:  # gather() of nothing would look for this thread's (absent) event loop
        loop.run_until_complete(asyncio.wait(pending))
    loop.close()


def test_mcp_tools_are_listed_then_picked_into_a_suite(api: Api, mcp_url: str) -> None:
    api.sign_up("alice@example.com")
    listing = api.ok("POST", "/api/suites/import/mcp/tools", json={"url": mcp_url})
    assert listing["server_name"] == "trip-tools" and listing["transport"] == "streamable-http"
    assert {t["name"] for t in listing["tools"]} == {"get_forecast", "convert"}
    body = {"url": mcp_url, "tools": ["get_forecast"], "name": "Trips"}
    result = api.ok("POST", "/api/suites/import/mcp", 201, json=body)
    assert result["suite"]["source"] == "mcp" and result["suite"]["tool_count"] == 1
    suite = api.ok("GET", f"/api/suites/{result['suite']['id']}")["suite"]
    assert [t["function"]["name"] for t in suite["tools"]] == ["get_forecast"]
    # The OpenAI tool shape, and a description naming the server (not the suite "Trips").
    assert suite["tools"][0]["type"] == "function"
    exported = json.loads(api.call("GET", f"/api/suites/{result['suite']['id']}/export").text)
    assert exported["tools"][0]["type"] == "function"
    assert suite["description"] == (
        f"Tools imported from the MCP server 'trip-tools' at {mcp_url} (streamable-http)."
    )
    again = api.call("POST", "/api/suites/import/mcp", json=body)
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_import"
    assert again.json()["error"]["details"][0]["id"] == result["suite"]["id"]
    api.ok("POST", "/api/suites/import/mcp?duplicate=allow", 201, json=body)
    assert suite["cases"][0]["id"] == "mcp-get_forecast"
    assert result["unvalued_arguments"] == ["get_forecast.city"]
    unknown = api.call("POST", "/api/suites/import/mcp", json={**body, "tools": ["nope"]})
    assert unknown.status_code == 422


def test_mcp_import_goes_through_the_egress_guard(settings: Settings, mcp_url: str) -> None:
    production = settings.model_copy(update={"egress_mode": "production"})
    for api in app_api(production):
        api.sign_up("alice@example.com")
        refused = api.call("POST", "/api/suites/import/mcp/tools", json={"url": mcp_url})
        assert refused.status_code == 502
        assert refused.json()["error"]["code"] == "mcp_unreachable"
        assert "refused" in refused.json()["error"]["message"].lower()
