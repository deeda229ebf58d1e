"""Recorded model outputs and how their tool calls are decoded (natively or from text)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class RecordedToolCall(BaseModel):
    """One tool call as the API returned it (OpenAI shape; arguments are a JSON string)."""

    model_config = ConfigDict(extra="ignore")

    name: str
    arguments: str = ""

    @field_validator("arguments", mode="before")
    @classmethod
    def _arguments_as_text(cls, value: Any) -> Any:
        # Recordings sometimes hold the decoded object; keep the wire form (a JSON string).
        if isinstance(value, dict | list):
            return json.dumps(value)
        if value is None:
            return ""
        return value


class Usage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ModelOutput(BaseModel):
    """What the model answered for one case. `error` set means the API call failed."""

    model_config = ConfigDict(extra="ignore")

    case_id: str
    tool_calls: list[RecordedToolCall] = Field(default_factory=list)
    content: str | None = None
    error: str | None = None
    latency_ms: float | None = None
    usage: Usage | None = None
    model: str | None = None

    @field_validator("tool_calls", mode="before")
    @classmethod
    def _accept_openai_nesting(cls, value: Any) -> Any:
        # Accept both {"name", "arguments"} and OpenAI's {"function": {"name", "arguments"}}.
        if value is None:
            return []
        if isinstance(value, list):
            return [
                item["function"] if isinstance(item, dict) and "function" in item else item
                for item in value
            ]
        return value


class CallFormat(StrEnum):
    NATIVE = "native"  # tool calls came through the API's tool-call channel
    RECOVERED = "recovered"  # recovered from text content (lenient profile only passes these)
    FAILED = "failed"  # a tool call's arguments were not a JSON object
    NONE = "none"  # no tool call at all


@dataclass(frozen=True, slots=True)
class DecodedCall:
    """A tool call with its arguments decoded; `arguments` is None when decoding failed."""

    name: str
    arguments: dict[str, Any] | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class DecodedOutput:
    calls: list[DecodedCall] = field(default_factory=list)
    format: CallFormat = CallFormat.NONE

    @property
    def all_decoded(self) -> bool:
        return all(call.arguments is not None for call in self.calls)


def decode_call(name: str, raw_arguments: str) -> DecodedCall:
    """Decode one call's JSON arguments; an empty string means no arguments."""
    if raw_arguments.strip() == "":
        return DecodedCall(name, {})
    try:
        value = json.loads(raw_arguments)
    except ValueError:
        return DecodedCall(name, None, "arguments are not valid JSON")
    if not isinstance(value, dict):
        return DecodedCall(name, None, "arguments are not a JSON object")
    return DecodedCall(name, value)


def decode_output(output: ModelOutput, *, recover_from_text: bool) -> DecodedOutput:
    """Decode native tool calls, or (if allowed and there are none) calls written as text."""
    if output.tool_calls:
        calls = [decode_call(call.name, call.arguments) for call in output.tool_calls]
        ok = all(call.arguments is not None for call in calls)
        return DecodedOutput(calls, CallFormat.NATIVE if ok else CallFormat.FAILED)
    if recover_from_text and output.content:
        recovered = recover_calls_from_text(output.content)
        if recovered:
            return DecodedOutput(recovered, CallFormat.RECOVERED)
    return DecodedOutput([], CallFormat.NONE)


_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*</tool_call>", re.DOTALL)
_FENCED = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def recover_calls_from_text(content: str) -> list[DecodedCall]:
    """Calls a model wrote as JSON text: `<tool_call>` tags, a fenced block, or bare JSON.

    Each call is an object with `name` and `arguments` (or `parameters`), as an object or a
    JSON string. Anything else recovers nothing.
    """
    candidates = _TAGGED.findall(content) or _FENCED.findall(content) or [content.strip()]
    calls: list[DecodedCall] = []
    for candidate in candidates:
        try:
            parsed = json.loads(candidate)
        except ValueError:
            return []
        items = parsed if isinstance(parsed, list) else [parsed]
        for item in items:
            call = _call_from_object(item)
            if call is None:
                return []
            calls.append(call)
    return calls


def _call_from_object(item: Any) -> DecodedCall | None:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return None
    arguments = item.get("arguments", item.get("parameters", {}))
    if isinstance(arguments, str):
        return decode_call(item["name"], arguments)
    if isinstance(arguments, dict):
        return DecodedCall(item["name"], arguments)
    return None
