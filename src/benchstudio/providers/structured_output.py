"""Structured (JSON) answers from any wire protocol, with the fallbacks real servers need.

- OpenAI-compatible: `response_format` strict `json_schema`; on HTTP 400 `json_object`; on
  another 400 prompt-only (the schema is spelled out in a system message). The step a server
  refused is remembered per endpoint key for the life of the process (as `stream_options` is in
  `openai_compat`), so later calls start where the last one succeeded.
- Anthropic: forced tool use (`tool_choice: {type: tool, name}`, the schema as the tool's
  `input_schema`); the answer is the tool call's input, as JSON text.
- Gemini: `generationConfig.responseMimeType: application/json` with `responseSchema` in
  Gemini's OpenAPI dialect (no `additionalProperties`; `enum` on strings only).

The reply's text is then read by the caller's tolerant extraction (`judge.domain.extraction`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from benchstudio.providers.base import ChatRequest, ProviderAdapter, Usage

OutputMode = Literal["json_schema", "json_object", "prompt", "tool", "response_schema"]
OPENAI_CHAIN: tuple[OutputMode, ...] = ("json_schema", "json_object", "prompt")


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
    """Per endpoint key, the first OpenAI mode still worth trying (class-level, process-wide)."""

    _start: ClassVar[dict[str, OutputMode]] = {}

    @classmethod
    def start_mode(cls, endpoint_key: str) -> OutputMode:
        raise NotImplementedError

    @classmethod
    def remember(cls, endpoint_key: str, mode: OutputMode) -> None:
        raise NotImplementedError

    @classmethod
    def reset(cls) -> None:
        """Forget every endpoint (tests)."""
        raise NotImplementedError


def gemini_response_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema in Gemini's `responseSchema` dialect (recursively)."""
    raise NotImplementedError


def structured_request(
    request: ChatRequest, protocol: str, schema_name: str, schema: dict[str, Any], mode: OutputMode
) -> ChatRequest:
    """A copy of `request` (non-streaming) asking for `schema` in `mode` on `protocol`."""
    raise NotImplementedError


def modes_for(protocol: str, endpoint_key: str) -> tuple[OutputMode, ...]:
    """The modes to try in order: the remembered OpenAI chain position, or the one native mode."""
    raise NotImplementedError


async def complete_structured(
    adapter: ProviderAdapter,
    request: ChatRequest,
    *,
    protocol: str,
    schema_name: str,
    schema: dict[str, Any],
    endpoint_key: str,
) -> StructuredReply:
    """One structured call, falling back on HTTP 400 along the OpenAI chain.

    Raises the adapter's `ProviderError` when the last mode fails too (or on any non-400 error).
    """
    raise NotImplementedError
