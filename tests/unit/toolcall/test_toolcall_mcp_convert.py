"""MCP schema conversion: `$ref` resolution, name sanitising, draft cases (no server needed)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchstudio.providers.mcp_client import McpTool, guess_transport
from benchstudio.toolcall.mcp_import import (
    McpSchemaError,
    resolve_refs,
    sanitize_tool_name,
    suite_from_mcp_tools,
)


def tool(name: str, schema: dict[str, Any], description: str = "") -> McpTool:
    return McpTool(name=name, description=description, input_schema=schema)


def test_refs_are_inlined_with_siblings_and_defs_removed() -> None:
    schema = {
        "type": "object",
        "properties": {
            "where": {"$ref": "#/$defs/Place", "description": "destination"},
            "definitions": {"type": "string"},  # a property that happens to be called that
        },
        "$defs": {"Place": {"type": "object", "properties": {"code": {"$ref": "#/$defs/Code"}}},
                  "Code": {"type": "string", "enum": ["OSL", "FCO"]}},
    }  # fmt: skip
    resolved = resolve_refs(schema)
    assert "$defs" not in resolved
    where = resolved["properties"]["where"]
    assert where["description"] == "destination"
    assert where["properties"]["code"] == {"type": "string", "enum": ["OSL", "FCO"]}
    assert resolved["properties"]["definitions"] == {"type": "string"}


def test_recursive_refs_stop_after_one_expansion() -> None:
    schema = {
        "type": "object",
        "properties": {"node": {"$ref": "#/definitions/Node"}},
        "definitions": {
            "Node": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/definitions/Node"}}
                },
            }
        },
    }
    resolved = resolve_refs(schema)
    assert resolved["properties"]["node"]["properties"]["children"]["items"] == {}
    assert "$ref" not in json.dumps(resolved)


@pytest.mark.parametrize("ref", ["https://example.com/schema.json", "#/$defs/Missing"])
def test_unusable_refs_skip_the_tool(ref: str) -> None:
    schema = {"type": "object", "properties": {"x": {"$ref": ref}}}
    with pytest.raises(McpSchemaError):
        resolve_refs(schema)
    result = suite_from_mcp_tools([tool("bad", schema), tool("good", {"type": "object"})], name="s")
    assert [t.function.name for t in result.suite.tools] == ["good"]
    assert result.skipped[0][0] == "bad"


def test_non_object_schemas_are_skipped() -> None:
    result = suite_from_mcp_tools([tool("arr", {"type": "array"})], name="s")
    assert result.suite.tools == [] and "object" in result.skipped[0][1]


@given(st.lists(st.text(min_size=0, max_size=90), min_size=1, max_size=8))
def test_sanitised_names_are_valid_and_unique(names: list[str]) -> None:
    taken: set[str] = set()
    produced = [sanitize_tool_name(name, taken) for name in names]
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", name) for name in produced)
    assert len(set(produced)) == len(produced)


def test_colliding_names_get_suffixes_and_keep_the_mapping() -> None:
    result = suite_from_mcp_tools(
        [tool("a.b", {"type": "object"}), tool("a_b", {"type": "object"})], name="s"
    )
    assert result.name_map == {"a_b": "a.b", "a_b_2": "a_b"}
    assert result.suite.tools[0].source_name == "a.b"
    assert result.suite.tools[1].source_name == "a_b"


def test_drafts_use_schema_values_for_required_arguments() -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string", "examples": ["Rome"]},
            "unit": {"type": "string", "enum": ["c", "f"]},
            "days": {"type": "integer", "default": 2},
            "filter": {"type": "object", "properties": {"kind": {"const": "rain"}},
                       "required": ["kind"]},
            "optional": {"type": "string"},
        },
        "required": ["city", "unit", "days", "filter"],
    }  # fmt: skip
    result = suite_from_mcp_tools([tool("forecast", schema, "Weather.\nMore.")], name="s")
    case = result.suite.cases[0]
    arguments = case.expected_calls[0].arguments
    assert {k: v.acceptable for k, v in arguments.items()} == {
        "city": ["Rome"],
        "unit": ["c"],
        "days": [2],
        "filter": [{"kind": "rain"}],
    }
    assert case.prompt is not None and case.prompt.startswith("Use forecast (Weather.) with")
    assert result.unvalued_arguments == []


def test_unknown_selection_is_refused() -> None:
    with pytest.raises(ValueError, match="no tool named x"):
        suite_from_mcp_tools([tool("a", {"type": "object"})], name="s", select=["x"])


def test_transport_guess_follows_the_url() -> None:
    assert guess_transport("http://h/sse") == "sse"
    assert guess_transport("http://h/sse/") == "sse"
    assert guess_transport("http://h/mcp") == "streamable-http"


def test_the_description_names_the_server_without_secrets_in_its_url() -> None:
    from benchstudio.toolcall.mcp_import import server_description

    text = server_description("trip-tools", "https://me:pw@mcp.example:8443/mcp?key=s#x", "sse")
    assert (
        text
        == "Tools imported from the MCP server 'trip-tools' at https://mcp.example:8443/mcp (sse)."
    )
    assert server_description(None, "http://[::1]/m", "sse") == (
        "Tools imported from the MCP server at http://[::1]/m (sse)."
    )
