"""Turn the tools of an MCP server into a suite: OpenAI function tools and optional draft cases.

Input schemas are made self-contained (local `$ref`s into `$defs`/`definitions` inlined; a
recursive reference becomes an unconstrained `{}` after its first expansion), names are
sanitised to `^[a-zA-Z0-9_-]{1,64}$` (the server's name is kept as `source_name`, and
`name_map` maps back), and each drafted case calls one tool with its required arguments, using
values from the schema (`examples`, `example`, `default`, `const`, first `enum` value). Required
arguments without such a value are expected to be present with any value; edit the drafts.

Listing the server is `providers.mcp_client`'s job (only providers speak to MCP servers);
`import_mcp` wires both together.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from benchstudio.toolcall.schema_check import schema_problem
from benchstudio.toolcall.schemas import (
    TOOL_NAME_PATTERN,
    ArgumentExpectation,
    ExpectedCall,
    MatchMode,
    Suite,
    TestCase,
    Tool,
    ToolFunction,
)

if TYPE_CHECKING:
    from benchstudio.core.net import EgressPolicy
    from benchstudio.providers.mcp_client import McpTool, Transport

DRAFT_CATEGORY = "mcp-draft"
_MAX_NAME = 64
_SUBSCHEMA_KEYS = frozenset(
    {
        "items",
        "additionalProperties",
        "additionalItems",
        "not",
        "if",
        "then",
        "else",
        "contains",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
_SUBSCHEMA_LIST_KEYS = frozenset({"anyOf", "oneOf", "allOf", "prefixItems", "items"})
_SUBSCHEMA_MAP_KEYS = frozenset({"properties", "patternProperties", "dependentSchemas"})
_DROPPED_KEYS = frozenset({"$defs", "definitions", "$schema", "$id"})
_NO_VALUE = object()
# Inlining is exponential when definitions refer to each other several times (d0 -> 2 x d1 ->
# 4 x d2 ...): a schema that expands past this many nodes is refused rather than hanging.
_MAX_EXPANDED_NODES = 20_000


class McpSchemaError(ValueError):
    """A tool schema that cannot be made self-contained (e.g. a remote `$ref`)."""


def _pointer_target(root: Any, ref: str) -> Any:
    if not ref.startswith("#"):
        raise McpSchemaError(f"only local references are supported, got {ref!r}")
    node = root
    for raw in ref[1:].split("/")[1:]:
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            raise McpSchemaError(f"reference {ref!r} points nowhere")
    return node


def resolve_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with local references inlined and definition blocks removed."""
    budget = [_MAX_EXPANDED_NODES]

    def resolve(node: Any, active: tuple[str, ...]) -> Any:
        if not isinstance(node, dict):
            return node
        budget[0] -= 1
        if budget[0] < 0:
            raise McpSchemaError(f"the schema expands to more than {_MAX_EXPANDED_NODES} nodes")
        ref = node.get("$ref")
        if isinstance(ref, str):
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if ref in active:  # recursive structure: stop expanding, accept anything below
                base: Any = {}
            else:
                base = resolve(_pointer_target(schema, ref), (*active, ref))
            merged = {**base, **resolve(siblings, active)} if isinstance(base, dict) else base
            return merged
        resolved: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED_KEYS:
                continue
            if key in _SUBSCHEMA_MAP_KEYS and isinstance(value, dict):
                resolved[key] = {name: resolve(sub, active) for name, sub in value.items()}
            elif key in _SUBSCHEMA_LIST_KEYS and isinstance(value, list):
                resolved[key] = [resolve(sub, active) for sub in value]
            elif key in _SUBSCHEMA_KEYS and isinstance(value, dict):
                resolved[key] = resolve(value, active)
            else:
                resolved[key] = value
        return resolved

    try:
        result = resolve(schema, ())
    except RecursionError:
        raise McpSchemaError("the input schema is nested too deeply") from None
    if not isinstance(result, dict):
        raise McpSchemaError("the input schema is not an object")
    return result


def sanitize_tool_name(name: str, taken: set[str]) -> str:
    """An OpenAI-valid name, unique among `taken` (which it is added to)."""
    base = re.sub(r"[^a-zA-Z0-9_-]", "_", name)[:_MAX_NAME] or "tool"
    candidate, counter = base, 2
    while candidate in taken:
        suffix = f"_{counter}"
        candidate = base[: _MAX_NAME - len(suffix)] + suffix
        counter += 1
    taken.add(candidate)
    assert TOOL_NAME_PATTERN.match(candidate)
    return candidate


def example_value(schema: Any) -> Any:
    """A value the schema itself suggests, or `_NO_VALUE`."""
    if not isinstance(schema, dict):
        return _NO_VALUE
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    if schema.get("type") == "object" and isinstance(schema.get("properties"), dict):
        values = {
            name: example_value(schema["properties"].get(name))
            for name in schema.get("required", [])
        }
        if all(value is not _NO_VALUE for value in values.values()):
            return values
    return _NO_VALUE


@dataclass(slots=True)
class McpImportResult:
    suite: Suite
    name_map: dict[str, str] = field(default_factory=dict)  # sanitised name -> server's name
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (tool, reason)
    unvalued_arguments: list[tuple[str, str]] = field(default_factory=list)  # (tool, argument)


def convert_tool(tool: McpTool, name: str) -> Tool:
    """One MCP tool as an OpenAI function tool (raises `McpSchemaError` / `ValueError`)."""
    parameters = resolve_refs(tool.input_schema or {"type": "object"})
    if parameters.get("type", "object") != "object":
        raise McpSchemaError("the input schema is not of type object")
    parameters = {"type": "object", "properties": {}, **parameters}
    try:
        problem = schema_problem(parameters)
    except RecursionError:  # the validator recurses per level of nesting
        problem = "nested too deeply"
    if problem is not None:
        raise McpSchemaError(f"invalid input schema: {problem}")
    description = tool.description or tool.title or ""
    return Tool(
        function=ToolFunction(name=name, description=description, parameters=parameters),
        source_name=tool.name if tool.name != name else None,
    )


def draft_case(tool: Tool, unvalued: list[str]) -> TestCase:
    """A case that calls `tool` once with its required arguments."""
    function = tool.function
    properties: dict[str, Any] = function.parameters.get("properties", {})
    arguments: dict[str, ArgumentExpectation] = {}
    shown: list[str] = []
    for argument in function.parameters.get("required", []):
        value = example_value(properties.get(argument))
        if value is _NO_VALUE:
            unvalued.append(argument)
            arguments[argument] = ArgumentExpectation(match=MatchMode.PRESENT)
            shown.append(f"{argument} = <your value>")
        else:
            arguments[argument] = ArgumentExpectation(acceptable=[value])
            shown.append(f"{argument} = {json.dumps(value, ensure_ascii=False)}")
    summary = function.description.strip().split("\n")[0][:200]
    prompt = f"Use {function.name}" + (f" ({summary})" if summary else "")
    prompt += f" with {', '.join(shown)}." if shown else "."
    return TestCase(
        id=f"mcp-{function.name}",
        category=DRAFT_CATEGORY,
        prompt=prompt,
        expected_calls=[ExpectedCall(name=function.name, arguments=arguments)],
    )


def _selected(tools: Sequence[McpTool], wanted: Sequence[str] | None) -> list[McpTool]:
    if not wanted:
        return list(tools)
    known = {tool.name for tool in tools}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ValueError(f"the server has no tool named {', '.join(unknown)}")
    chosen = set(wanted)
    return [tool for tool in tools if tool.name in chosen]


def suite_from_mcp_tools(
    tools: Sequence[McpTool],
    *,
    name: str,
    select: Sequence[str] | None = None,
    draft_cases: bool = True,
    description: str = "",
) -> McpImportResult:
    """Convert (the selected) tools; tools whose schema cannot be used are skipped."""
    taken: set[str] = set()
    converted: list[Tool] = []
    result = McpImportResult(suite=Suite(name=name))
    for mcp_tool in _selected(tools, select):
        safe = sanitize_tool_name(mcp_tool.name, taken)
        try:
            converted.append(convert_tool(mcp_tool, safe))
        except ValueError as error:  # McpSchemaError or the Tool model's own validation
            taken.discard(safe)
            result.skipped.append((mcp_tool.name, str(error).splitlines()[0][:200]))
            continue
        result.name_map[safe] = mcp_tool.name
    cases: list[TestCase] = []
    if draft_cases:
        for tool in converted:
            unvalued: list[str] = []
            cases.append(draft_case(tool, unvalued))
            result.unvalued_arguments += [(tool.function.name, arg) for arg in unvalued]
    result.suite = Suite(name=name, description=description, tools=converted, cases=cases)
    return result


async def import_mcp(
    url: str,
    *,
    policy: EgressPolicy,
    transport: Transport = "auto",
    headers: dict[str, str] | None = None,
    select: Sequence[str] | None = None,
    draft_cases: bool = True,
    name: str | None = None,
    timeout_s: float = 30.0,
) -> McpImportResult:
    """List the server's tools (through the egress guard) and convert them into a suite."""
    from benchstudio.providers.mcp_client import list_mcp_tools

    listing = await list_mcp_tools(
        url, policy=policy, transport=transport, headers=headers, timeout_s=timeout_s
    )
    return suite_from_mcp_tools(
        listing.tools,
        name=name or listing.server_name or "MCP tools",
        select=select,
        draft_cases=draft_cases,
        description=server_description(listing.server_name, url, listing.transport),
    )


def server_description(server_name: str | None, url: str, transport: str) -> str:
    """The suite's description: which server the tools came from (not the suite's own name)."""
    named = f"{server_name!r} " if server_name else ""
    return f"Tools imported from the MCP server {named}at {public_url(url)} ({transport})."


def public_url(url: str) -> str:
    """The URL without user info, query or fragment (they may hold a token)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
