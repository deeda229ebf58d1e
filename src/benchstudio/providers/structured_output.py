"""Structured (JSON) answers from any wire protocol, with the fallbacks real servers need.

- OpenAI-compatible: `response_format` strict `json_schema`; on HTTP 400 (or 422) `json_object`
  carrying the schema (`{"type": "json_object", "schema": …}`, the form llama.cpp's server,
  Together and Fireworks constrain decoding with); then plain `json_object`; then prompt-only
  (the schema is spelled out in a system message). The step a server
  accepted after refusing the ones above it is remembered per endpoint key for the life of the
  process (as `stream_options` is in `openai_compat`), so later calls start there. Nothing is
  remembered when every step fails: that 400 was about something else.
- Anthropic: forced tool use (`tool_choice: {type: tool, name}`, the schema as the tool's
  `input_schema`); the answer is the tool call's input, as JSON text.
- Gemini: `generationConfig.responseMimeType: application/json` with `responseSchema` in
  Gemini's OpenAPI dialect (no `additionalProperties`; `enum` on strings only); on a 400 (models
  without JSON mode, e.g. Gemma) prompt-only, remembered likewise.

llama-cpp-python's server answers an unknown `response_format` with a 500 naming the field:
that counts as a refusal too (any other 500 does not). A context-overflow 400 never falls
back: a smaller mode would not make the prompt fit. The reply's text is then read by the
caller's tolerant extraction (`judge.domain.extraction`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal

from benchstudio.providers.base import ChatRequest, ChatResponse, ProviderAdapter, Usage
from benchstudio.providers.errors import BadRequestError, ContextOverflowError, ServerError

OutputMode = Literal[
    "json_schema", "json_object_schema", "json_object", "prompt", "tool", "response_schema"
]
OPENAI_CHAIN: tuple[OutputMode, ...] = (
    "json_schema",
    "json_object_schema",
    "json_object",
    "prompt",
)
GEMINI_CHAIN: tuple[OutputMode, ...] = ("response_schema", "prompt")
ANTHROPIC_CHAIN: tuple[OutputMode, ...] = ("tool",)
# Keywords of Gemini's Schema object (OpenAPI 3.0 subset) that a JSON Schema may carry over.
_GEMINI_KEYS = frozenset(
    {"type", "format", "description", "nullable", "enum", "items", "properties", "required"}
    | {"minItems", "maxItems", "minimum", "maximum", "propertyOrdering", "anyOf", "title"}
)


@dataclass(slots=True)
class StructuredReply:
    """The answer's text (JSON, or what the model wrote), how it was asked for, and its cost.

    `fallbacks` names every mode tried and refused on this call (e.g. `["json_schema"]`).
    """

    text: str
    mode: OutputMode
    usage: Usage
    latency_ns: int
    fallbacks: list[str] = field(default_factory=list)


class FallbackMemory:
    """Per endpoint key, the first mode of its chain still worth trying (process-wide)."""

    _start: ClassVar[dict[str, OutputMode]] = {}

    @classmethod
    def start_mode(cls, endpoint_key: str) -> OutputMode | None:
        return cls._start.get(endpoint_key)

    @classmethod
    def remember(cls, endpoint_key: str, mode: OutputMode) -> None:
        cls._start[endpoint_key] = mode

    @classmethod
    def reset(cls) -> None:
        """Forget every endpoint (tests)."""
        cls._start.clear()


def _chain(protocol: str) -> tuple[OutputMode, ...]:
    if protocol == "anthropic":
        return ANTHROPIC_CHAIN
    if protocol == "gemini":
        return GEMINI_CHAIN
    return OPENAI_CHAIN


def modes_for(protocol: str, endpoint_key: str) -> tuple[OutputMode, ...]:
    """The modes to try in order: the protocol's chain from the remembered start."""
    chain = _chain(protocol)
    start = FallbackMemory.start_mode(endpoint_key)
    return chain[chain.index(start) :] if start in chain else chain


def _gemini_node(schema: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {}
    for key, value in schema.items():
        if key not in _GEMINI_KEYS:
            continue
        if key == "type" and isinstance(value, str):
            node[key] = value.upper()
        elif key == "properties" and isinstance(value, dict):
            node[key] = {name: gemini_response_schema(sub) for name, sub in value.items()}
            node["propertyOrdering"] = list(value)
        elif key == "items" and isinstance(value, dict):
            node[key] = gemini_response_schema(value)
        elif key == "anyOf" and isinstance(value, list):
            node[key] = [gemini_response_schema(sub) for sub in value]
        else:
            node[key] = value
    return node


def gemini_response_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema in Gemini's `responseSchema` dialect (recursively).

    Unsupported keywords (`additionalProperties`, `$schema`, `default`, ...) are dropped, types
    are upper-cased as Gemini's docs spell them, and a numeric `enum` (Gemini takes enums on
    strings only) becomes `minimum`/`maximum` plus a description listing the values.
    """
    node = _gemini_node(schema)
    values = node.get("enum")
    if isinstance(values, list) and node.get("type") in ("INTEGER", "NUMBER"):
        del node["enum"]
        node["minimum"], node["maximum"] = min(values), max(values)
        listed = ", ".join(str(value) for value in values)
        node["description"] = f"{node.get('description', '')} One of {listed}.".strip()
    return node


def schema_instruction(schema_name: str, schema: dict[str, Any]) -> str:
    """The system message for modes without a native schema (it says "JSON", which OpenAI's
    `json_object` mode requires of the messages)."""
    return (
        f"Answer with one JSON object only ({schema_name}), no prose and no code fence. "
        f"It must match this JSON Schema:\n{json.dumps(schema, indent=2)}"
    )


def _with_instruction(request: ChatRequest, text: str) -> list[dict[str, Any]]:
    return [{"role": "system", "content": text}, *request.messages]


def structured_request(
    request: ChatRequest, protocol: str, schema_name: str, schema: dict[str, Any], mode: OutputMode
) -> ChatRequest:
    """A copy of `request` (non-streaming) asking for `schema` in `mode` on `protocol`."""
    base = replace(request, stream=False, stream_usage=False, extra=dict(request.extra))
    if mode == "json_schema":
        spec = {"name": schema_name, "strict": True, "schema": schema}
        base.extra["response_format"] = {"type": "json_schema", "json_schema": spec}
        return base
    if mode == "tool":
        function = {
            "name": schema_name,
            "description": f"Record your answer ({schema_name}).",
            "parameters": schema,
        }
        base.tools = [{"type": "function", "function": function}]
        base.tool_choice = {"type": "function", "function": {"name": schema_name}}
        return base
    if mode == "response_schema":
        base.extra["responseMimeType"] = "application/json"
        base.extra["responseSchema"] = gemini_response_schema(schema)
        return base
    base.messages = _with_instruction(request, schema_instruction(schema_name, schema))
    if mode == "json_object_schema":
        base.extra["response_format"] = {"type": "json_object", "schema": schema}
    elif mode == "json_object":
        base.extra["response_format"] = {"type": "json_object"}
    return base


def reply_text(response: ChatResponse, mode: OutputMode, schema_name: str) -> str:
    """The answer's text: the forced tool's input in tool mode, else the message content."""
    if mode == "tool":
        for call in response.tool_calls:
            if call.name == schema_name:
                return call.arguments
    return response.content


def _refuses_mode(error: Exception) -> bool:
    """A 400 (or 422) refuses the mode; so does a 500 that names `response_format`:
    llama-cpp-python's server validates the body after routing and answers a schema it does
    not know with HTTP 500 ("Input should be 'text' or 'json_object'")."""
    if isinstance(error, BadRequestError):
        return True
    return "response_format" in str(error)


async def complete_structured(
    adapter: ProviderAdapter,
    request: ChatRequest,
    *,
    protocol: str,
    schema_name: str,
    schema: dict[str, Any],
    endpoint_key: str,
) -> StructuredReply:
    """One structured call, falling back on HTTP 400 along the protocol's chain.

    Raises the adapter's `ProviderError` when the last mode fails too (or on any other error).
    """
    modes = modes_for(protocol, endpoint_key)
    refused: list[str] = []
    for position, mode in enumerate(modes):
        wire = structured_request(request, protocol, schema_name, schema, mode)
        try:
            response = await adapter.complete(wire)
        except ContextOverflowError:
            raise
        except (BadRequestError, ServerError) as error:
            if position == len(modes) - 1 or not _refuses_mode(error):
                raise
            refused.append(mode)
            continue
        if refused:
            FallbackMemory.remember(endpoint_key, mode)
        return StructuredReply(
            text=reply_text(response, mode, schema_name),
            mode=mode,
            usage=response.usage,
            latency_ns=response.latency_ns,
            fallbacks=refused,
        )
    raise AssertionError("unreachable: every chain has a last mode")  # pragma: no cover
