"""Google Gemini generateContent / streamGenerateContent (SSE with alt=sse, else a JSON array)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from benchstudio.simulator import timing_log as kinds
from benchstudio.simulator.plan import ResponsePlan
from benchstudio.simulator.stream_events import (
    StreamContext,
    StreamEvent,
    compact_json,
    json_string,
    token_groups,
)

FINISH_REASONS = {"stop": "STOP", "tool_calls": "STOP", "length": "MAX_TOKENS"}
STREAM_ERROR = (
    b'data: {"error":{"code":503,"message":"The model is overloaded. Please try again later.",'
    b'"status":"UNAVAILABLE"}}\r\n\r\n'
)


def _finish_reason(plan: ResponsePlan) -> str:
    if any(not call.valid_json for call in plan.calls):
        return "MALFORMED_FUNCTION_CALL"
    return FINISH_REASONS[plan.finish]


def usage_metadata(plan: ResponsePlan) -> dict[str, int]:
    usage = {
        "promptTokenCount": plan.prompt_tokens,
        "candidatesTokenCount": plan.output_tokens - plan.reasoning_tokens,
        "totalTokenCount": plan.prompt_tokens + plan.output_tokens,
    }
    if plan.reasoning_tokens:
        usage["thoughtsTokenCount"] = plan.reasoning_tokens
    return usage


def _call_parts(plan: ResponsePlan) -> list[dict[str, Any]]:
    # Gemini sends whole function calls (never fragments); malformed ones are not sent at all.
    return [
        {"functionCall": {"name": call.name, "args": json.loads(call.arguments)}}
        for call in plan.calls
        if call.valid_json
    ]


class _Framing:
    """SSE (`data: ...\\r\\n\\r\\n`, as Google sends it) or a streamed JSON array."""

    def __init__(self, sse: bool) -> None:
        self.sse = sse
        self.first = True

    def frame(self, body: str) -> bytes:
        if self.sse:
            return ("data: " + body + "\r\n\r\n").encode()
        prefix = "[" if self.first else ",\r\n"
        self.first = False
        return (prefix + body).encode()


def stream_events(
    plan: ResponsePlan, ctx: StreamContext, sse: bool = True
) -> Iterator[StreamEvent]:
    """Thought parts (only if includeThoughts), text parts, function calls, final chunk."""
    framing = _Framing(sse)
    tail = (
        f'],"role":"model"}},"index":0}}],"modelVersion":{json_string(ctx.model)},'
        f'"responseId":"{ctx.response_id}"}}'
    )
    head = '{"candidates":[{"content":{"parts":['
    offsets = plan.offsets
    per = plan.tokens_per_chunk
    if ctx.include_thoughts:
        for offset, text, count in token_groups(plan.reasoning, offsets, 0, per):
            part = '{"text":' + json_string(text) + ',"thought":true}'
            yield offset, framing.frame(head + part + tail), kinds.REASONING, count
    start = len(plan.reasoning)
    for offset, text, count in token_groups(plan.content, offsets, start, per):
        yield (
            offset,
            framing.frame(head + '{"text":' + json_string(text) + "}" + tail),
            kinds.CONTENT,
            count,
        )
    start += len(plan.content)
    for call in plan.calls:
        start += call.token_count
        if call.valid_json:  # a malformed call is not sent: the finish reason says so
            call_part = {"functionCall": {"name": call.name, "args": json.loads(call.arguments)}}
            payload = framing.frame(head + compact_json(call_part) + tail)
            yield offsets[start - 1], payload, kinds.TOOL, call.token_count
    final: dict[str, Any] = {
        "candidates": [
            {
                "content": {"parts": [{"text": ""}], "role": "model"},
                "finishReason": _finish_reason(plan),
                "index": 0,
            }
        ],
        "modelVersion": ctx.model,
        "responseId": ctx.response_id,
    }
    if ctx.include_usage:
        final["usageMetadata"] = usage_metadata(plan)
    end = plan.end_offset
    yield end, framing.frame(compact_json(final)), kinds.FINISH, 0
    if not sse:
        yield end, b"]", kinds.DONE, 0


def generate_body(plan: ResponsePlan, ctx: StreamContext) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if plan.reasoning and ctx.include_thoughts:
        parts.append({"text": plan.reasoning_text, "thought": True})
    if plan.content:
        parts.append({"text": plan.content_text})
    parts.extend(_call_parts(plan))
    return {
        "candidates": [
            {
                "content": {"parts": parts, "role": "model"},
                "finishReason": _finish_reason(plan),
                "index": 0,
            }
        ],
        "usageMetadata": usage_metadata(plan),
        "modelVersion": ctx.model,
        "responseId": ctx.response_id,
    }


def models_body(profiles: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "models": [
            {
                "name": f"models/{name}",
                "version": "001",
                "displayName": name,
                "inputTokenLimit": window,
                "outputTokenLimit": 65536,
                "supportedGenerationMethods": ["generateContent", "streamGenerateContent"],
            }
            for name, window in profiles
        ]
    }
