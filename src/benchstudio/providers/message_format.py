"""Translate OpenAI-shaped chat requests into Anthropic and Gemini request bodies.

Callers (speed engine, evals, judges) speak one message shape; only this module knows the others.
"""

from __future__ import annotations

import json
from typing import Any

from benchstudio.providers.base import ChatRequest

ANTHROPIC_DEFAULT_MAX_TOKENS = 4096
_MAX_ARGUMENT_DEPTH = 100
# JSON Schema keywords Gemini's function declarations reject.
_GEMINI_UNSUPPORTED_SCHEMA_KEYS = frozenset(
    {"$schema", "additionalProperties", "$id", "$defs", "definitions", "examples", "default"}
)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return "" if content is None else str(content)


def _nested_at_most(value: Any, limit: int) -> bool:
    """Whether `value` nests no deeper than `limit` (walked without recursion)."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return True


def _parse_arguments(arguments: Any) -> Any:
    if isinstance(arguments, dict):
        return arguments
    try:
        parsed = json.loads(arguments or "{}")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json goes
        parsed = None
    else:
        # Arguments a model wrote: nested near the interpreter's limit they would load here
        # but fail to encode again in the request body.
        if _nested_at_most(parsed, _MAX_ARGUMENT_DEPTH):
            return parsed
    return {"_raw": arguments}  # keep malformed arguments visible rather than dropping them


def _anthropic_message(message: dict[str, Any]) -> dict[str, Any]:
    role = message.get("role")
    if role == "tool":
        block = {
            "type": "tool_result",
            "tool_use_id": message.get("tool_call_id", ""),
            "content": _text_of(message.get("content")),
        }
        return {"role": "user", "content": [block]}
    blocks: list[dict[str, Any]] = []
    text = _text_of(message.get("content"))
    if text:
        blocks.append({"type": "text", "text": text})
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id", ""),
                "name": function.get("name", ""),
                "input": _parse_arguments(function.get("arguments")),
            }
        )
    return {"role": "assistant" if role == "assistant" else "user", "content": blocks}


def _merge_same_role(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Anthropic wants alternating roles: consecutive tool results must share one user turn.
    merged: list[dict[str, Any]] = []
    for message in messages:
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1]["content"] = merged[-1]["content"] + message["content"]
        else:
            merged.append(message)
    return merged


def _anthropic_tool_choice(choice: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        return {"type": "tool", "name": name} if name else choice
    return {"auto": {"type": "auto"}, "required": {"type": "any"}, "none": {"type": "none"}}.get(
        choice, {"type": "auto"}
    )


def to_anthropic_body(request: ChatRequest, *, stream: bool) -> dict[str, Any]:
    system = [_text_of(m.get("content")) for m in request.messages if m.get("role") == "system"]
    turns = [_anthropic_message(m) for m in request.messages if m.get("role") != "system"]
    body: dict[str, Any] = {
        "model": request.model,
        "messages": _merge_same_role(turns),
        "max_tokens": request.max_tokens or ANTHROPIC_DEFAULT_MAX_TOKENS,
    }
    if system:
        body["system"] = "\n\n".join(system)
    if stream:
        body["stream"] = True
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.tools:
        body["tools"] = [
            {
                "name": fn.get("name", ""),
                "description": fn.get("description", ""),
                "input_schema": fn.get("parameters") or {"type": "object", "properties": {}},
            }
            for fn in (tool.get("function", tool) for tool in request.tools)
        ]
    if request.tool_choice is not None:
        body["tool_choice"] = _anthropic_tool_choice(request.tool_choice)
    body.update(request.extra)
    return body


def gemini_schema(schema: Any) -> Any:
    """Drop JSON Schema keywords that Gemini refuses, recursively (property names are kept)."""
    if isinstance(schema, list):
        return [gemini_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    cleaned: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _GEMINI_UNSUPPORTED_SCHEMA_KEYS:
            continue
        if key == "properties" and isinstance(value, dict):
            cleaned[key] = {name: gemini_schema(sub) for name, sub in value.items()}
        else:
            cleaned[key] = gemini_schema(value)
    return cleaned


def _gemini_parts(message: dict[str, Any], tool_names: dict[str, str]) -> list[dict[str, Any]]:
    if message.get("role") == "tool":
        name = tool_names.get(message.get("tool_call_id", ""), message.get("name", "tool"))
        response = {"content": _text_of(message.get("content"))}
        return [{"functionResponse": {"name": name, "response": response}}]
    parts: list[dict[str, Any]] = []
    text = _text_of(message.get("content"))
    if text:
        parts.append({"text": text})
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        tool_names[call.get("id", "")] = function.get("name", "")
        args = _parse_arguments(function.get("arguments"))
        parts.append({"functionCall": {"name": function.get("name", ""), "args": args}})
    return parts


def _gemini_tool_config(choice: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        config: dict[str, Any] = {"mode": "ANY"}
        if name:
            config["allowedFunctionNames"] = [name]
        return {"functionCallingConfig": config}
    mode = {"auto": "AUTO", "required": "ANY", "none": "NONE"}.get(choice, "AUTO")
    return {"functionCallingConfig": {"mode": mode}}


# Request-level (not generationConfig) fields a caller may pass in `extra`.
GEMINI_TOP_LEVEL_FIELDS = frozenset(
    {"safetySettings", "cachedContent", "toolConfig", "labels", "systemInstruction"}
)


def to_gemini_body(request: ChatRequest) -> dict[str, Any]:
    tool_names: dict[str, str] = {}
    system = [_text_of(m.get("content")) for m in request.messages if m.get("role") == "system"]
    contents = [
        {
            "role": "model" if m.get("role") == "assistant" else "user",
            "parts": _gemini_parts(m, tool_names),
        }
        for m in request.messages
        if m.get("role") != "system"
    ]
    body: dict[str, Any] = {"contents": contents}
    if system:
        body["systemInstruction"] = {"parts": [{"text": "\n\n".join(system)}]}
    generation: dict[str, Any] = {}
    if request.max_tokens is not None:
        generation["maxOutputTokens"] = request.max_tokens
    if request.temperature is not None:
        generation["temperature"] = request.temperature
    if request.tools:
        declarations = [
            gemini_schema(
                {
                    "name": fn.get("name", ""),
                    "description": fn.get("description", ""),
                    "parameters": fn.get("parameters") or {"type": "object", "properties": {}},
                }
            )
            for fn in (tool.get("function", tool) for tool in request.tools)
        ]
        body["tools"] = [{"functionDeclarations": declarations}]
    if request.tool_choice is not None:
        body["toolConfig"] = _gemini_tool_config(request.tool_choice)
    for key, value in request.extra.items():
        if key in GEMINI_TOP_LEVEL_FIELDS:
            body[key] = value
        else:
            generation[key] = value
    if generation:
        body["generationConfig"] = generation
    return body
