"""Anthropic Messages: SSE events (event: + data:) and the non-streaming body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from benchstudio.simulator import timing_log as kinds
from benchstudio.simulator.plan import PlannedCall, ResponsePlan
from benchstudio.simulator.stream_events import (
    StreamContext,
    StreamEvent,
    compact_json,
    json_string,
    token_groups,
)

STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}
STREAM_ERROR = (
    b"event: error\n"
    b'data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
)
# Opaque like the real signature; clients must pass it back unchanged, never parse it.
THINKING_SIGNATURE = "c2ltdWxhdGVkLXRoaW5raW5nLXNpZ25hdHVyZQ=="


def _event(name: str, data: str) -> bytes:
    return f"event: {name}\ndata: {data}\n\n".encode()


def _delta_head(block: int, delta_type: str, field: str) -> str:
    """The constant start of a content_block_delta; the JSON string and `}}` follow."""
    return (
        f'{{"type":"content_block_delta","index":{block},"delta":{{"type":"{delta_type}","{field}":'
    )


def _tool_input(call: PlannedCall) -> Any:
    # Malformed scripted arguments cannot be an object; the raw text stands in for it.
    return json.loads(call.arguments) if call.valid_json else call.arguments


def _usage(plan: ResponsePlan, output_tokens: int) -> dict[str, int]:
    return {
        "input_tokens": plan.prompt_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": output_tokens,
    }


def stream_events(plan: ResponsePlan, ctx: StreamContext) -> Iterator[StreamEvent]:
    """message_start, ping, content blocks (thinking, text, tool_use), message_delta, stop."""
    message: dict[str, Any] = {
        "id": ctx.response_id,
        "type": "message",
        "role": "assistant",
        "model": ctx.model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": _usage(plan, 1),
    }
    if not ctx.include_usage:
        del message["usage"]
    start_data = compact_json({"type": "message_start", "message": message})
    yield 0.0, _event("message_start", start_data), kinds.ROLE, 0
    yield 0.0, _event("ping", '{"type": "ping"}'), kinds.META, 0
    offsets = plan.offsets
    per = plan.tokens_per_chunk
    block = 0
    if plan.reasoning and ctx.include_thoughts:
        yield from _text_block(plan.reasoning, offsets, 0, per, block, thinking=True)
        block += 1
    start = len(plan.reasoning)
    if plan.content or not plan.calls:
        yield from _text_block(plan.content, offsets, start, per, block, thinking=False)
        block += 1
    start += len(plan.content)
    for call in plan.calls:
        yield from _tool_block(call, offsets, start, per, block)
        start += call.token_count
        block += 1
    delta: dict[str, Any] = {
        "type": "message_delta",
        "delta": {"stop_reason": STOP_REASONS[plan.finish], "stop_sequence": None},
    }
    if ctx.include_usage:
        delta["usage"] = {"output_tokens": plan.output_tokens}
    end = plan.end_offset
    yield end, _event("message_delta", compact_json(delta)), kinds.FINISH, 0
    yield end, _event("message_stop", '{"type":"message_stop"}'), kinds.DONE, 0


def _text_block(
    tokens: list[str], offsets: list[float], start: int, per: int, block: int, thinking: bool
) -> Iterator[StreamEvent]:
    first_at = offsets[start] if tokens else (offsets[start - 1] if start else 0.0)
    if thinking:
        opening = '{"type":"thinking","thinking":""}'
        head = _delta_head(block, "thinking_delta", "thinking")
        kind = kinds.REASONING
    else:
        opening = '{"type":"text","text":""}'
        head = _delta_head(block, "text_delta", "text")
        kind = kinds.CONTENT
    start_data = f'{{"type":"content_block_start","index":{block},"content_block":{opening}}}'
    yield first_at, _event("content_block_start", start_data), kinds.META, 0
    last_at = first_at
    for offset, text, count in token_groups(tokens, offsets, start, per):
        last_at = offset
        yield offset, _event("content_block_delta", head + json_string(text) + "}}"), kind, count
    if thinking:
        signature = (
            f'{{"type":"content_block_delta","index":{block},"delta":'
            f'{{"type":"signature_delta","signature":"{THINKING_SIGNATURE}"}}}}'
        )
        yield last_at, _event("content_block_delta", signature), kinds.META, 0
    stop = f'{{"type":"content_block_stop","index":{block}}}'
    yield last_at, _event("content_block_stop", stop), kinds.META, 0


def _tool_block(
    call: PlannedCall, offsets: list[float], start: int, per: int, block: int
) -> Iterator[StreamEvent]:
    opening = {
        "type": "content_block_start",
        "index": block,
        "content_block": {
            "type": "tool_use",
            "id": f"toolu_{call.call_id}",
            "name": call.name,
            "input": {},
        },
    }
    yield offsets[start], _event("content_block_start", compact_json(opening)), kinds.TOOL, 1
    head = _delta_head(block, "input_json_delta", "partial_json")
    last_at = offsets[start]
    for offset, text, count in token_groups(call.fragments, offsets, start + 1, per):
        last_at = offset
        yield (
            offset,
            _event("content_block_delta", head + json_string(text) + "}}"),
            kinds.TOOL,
            count,
        )
    stop = f'{{"type":"content_block_stop","index":{block}}}'
    yield last_at, _event("content_block_stop", stop), kinds.META, 0


def message_body(plan: ResponsePlan, ctx: StreamContext) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if plan.reasoning and ctx.include_thoughts:
        content.append(
            {"type": "thinking", "thinking": plan.reasoning_text, "signature": THINKING_SIGNATURE}
        )
    if plan.content or not plan.calls:
        content.append({"type": "text", "text": plan.content_text})
    for call in plan.calls:
        content.append(
            {
                "type": "tool_use",
                "id": f"toolu_{call.call_id}",
                "name": call.name,
                "input": _tool_input(call),
            }
        )
    return {
        "id": ctx.response_id,
        "type": "message",
        "role": "assistant",
        "model": ctx.model,
        "content": content,
        "stop_reason": STOP_REASONS[plan.finish],
        "stop_sequence": None,
        "usage": _usage(plan, plan.output_tokens),
    }


def models_body(names: list[str]) -> dict[str, Any]:
    data = [
        {"type": "model", "id": name, "display_name": name, "created_at": "2025-01-01T00:00:00Z"}
        for name in names
    ]
    return {
        "data": data,
        "has_more": False,
        "first_id": names[0] if names else None,
        "last_id": names[-1] if names else None,
    }
