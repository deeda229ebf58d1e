"""Structured-output request fields: OpenAI `response_format`, Gemini `responseSchema`.

The simulator checks them the way the real APIs do, so a client's fallback chain (strict
`json_schema`, then `json_object`, then prompt-only) meets the same refusals:
- OpenAI refuses an unknown `response_format.type`, a `json_schema` without a `name`, a
  `json_object` request whose messages never say "json", and (with `strict: true`) a schema
  that leaves a property out of `required` or does not set `additionalProperties: false`.
- Gemini takes `responseSchema` (OpenAPI subset) or `responseJsonSchema`, with
  `responseMimeType: application/json`.
The quirks `reject_json_schema` and `reject_response_format` (chat_handler) turn the field
into a 400, as older servers do.
"""

from __future__ import annotations

import re
from typing import Any

from benchstudio.simulator.chat_request import ChatRequest, RequestError

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TYPES = ("text", "json_object", "json_schema")


def strict_schema_problem(schema: Any, context: str = "") -> str | None:
    """Why `schema` breaks OpenAI's strict rules (first problem found), or None."""
    if not isinstance(schema, dict):
        return f"In context=({context}), schema must be a JSON object"
    if schema.get("type") == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        required = schema.get("required")
        missing = [name for name in properties if name not in (required or [])]
        if missing:
            return (
                f"In context=({context}), 'required' is required to be supplied and to be an "
                f"array including every key in properties. Missing '{missing[0]}'."
            )
        if schema.get("additionalProperties") is not False:
            return (
                f"In context=({context}), 'additionalProperties' is required to be supplied "
                "and to be false."
            )
        for name, sub in properties.items():
            problem = strict_schema_problem(sub, f"{context}, 'properties', '{name}'".lstrip(", "))
            if problem:
                return problem
    if isinstance(schema.get("items"), dict):
        return strict_schema_problem(schema["items"], f"{context}, 'items'".lstrip(", "))
    return None


def _json_schema(fmt: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    spec = fmt.get("json_schema")
    if not isinstance(spec, dict):
        raise RequestError(
            "Missing required parameter: 'response_format.json_schema'.",
            "response_format.json_schema",
        )
    name = spec.get("name")
    if not isinstance(name, str):
        raise RequestError(
            "Missing required parameter: 'response_format.json_schema.name'.",
            "response_format.json_schema.name",
        )
    if not _NAME.match(name):
        raise RequestError(
            f"Invalid 'response_format.json_schema.name': string does not match pattern. "
            f"Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'. Got {name!r}.",
            "response_format.json_schema.name",
        )
    schema = spec.get("schema")
    if spec.get("strict") is True:
        problem = strict_schema_problem(schema)
        if problem:
            raise RequestError(
                f"Invalid schema for response_format '{name}': {problem}", "response_format"
            )
    return name, schema if isinstance(schema, dict) else None


def apply_openai_response_format(body: dict[str, Any], request: ChatRequest) -> None:
    """Read and check `response_format` into `request` (raises RequestError like OpenAI)."""
    fmt = body.get("response_format")
    if fmt is None:
        return
    kind = fmt.get("type") if isinstance(fmt, dict) else None
    if not isinstance(fmt, dict) or kind not in _TYPES:
        raise RequestError(
            f"Invalid value: {kind!r}. Supported values are: 'json_object', 'json_schema', "
            "and 'text'.",
            "response_format.type",
        )
    request.response_format = str(kind)
    if kind == "json_schema":
        request.response_schema_name, request.response_schema = _json_schema(fmt)
    elif kind == "json_object" and isinstance(fmt.get("schema"), dict):
        # llama.cpp's server (and Together, Fireworks) constrain `json_object` to this schema.
        request.response_schema = fmt["schema"]
    if kind == "json_object" and "json" not in request.all_text.lower():
        raise RequestError(
            "'messages' must contain the word 'json' in some form, to use 'response_format' of "
            "type 'json_object'.",
            "messages",
        )


def apply_gemini_response_schema(config: dict[str, Any], request: ChatRequest) -> None:
    """`generationConfig.responseSchema` / `responseJsonSchema` / `responseMimeType`."""
    schema = next(
        (
            config[key]
            for key in (
                "responseSchema",
                "response_schema",
                "responseJsonSchema",
                "response_json_schema",
            )
            if isinstance(config.get(key), dict)
        ),
        None,
    )
    mime = str(config.get("responseMimeType") or config.get("response_mime_type") or "")
    if schema is not None:
        if mime != "application/json":
            raise RequestError(
                "* GenerationConfig.response_schema: responseSchema requires "
                "responseMimeType: application/json"
            )
        request.response_format = "json_schema"
        request.response_schema = schema
    elif mime == "application/json":
        request.response_format = "json_object"
