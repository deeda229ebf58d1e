"""OpenAI chat completions: streamed chunks and the non-streaming body."""

from __future__ import annotations

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

SYSTEM_FINGERPRINT = "fp_benchstudio_sim"
STREAM_ERROR = (
    b'data: {"error":{"message":"The server had an error while processing your request. '
    b'Sorry about that!","type":"server_error","param":null,"code":null}}\n\n'
)


def usage_of(plan: ResponsePlan) -> dict[str, Any]:
    return {
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": plan.output_tokens,
        "total_tokens": plan.prompt_tokens + plan.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
    }


def stream_events(plan: ResponsePlan, ctx: StreamContext) -> Iterator[StreamEvent]:
    """Role chunk, reasoning, content, tool-call fragments, finish, usage-only chunk, [DONE]."""
    head = (
        f'data: {{"id":"{ctx.response_id}","object":"chat.completion.chunk",'
        f'"created":{ctx.created},"model":{json_string(ctx.model)},'
        f'"system_fingerprint":"{SYSTEM_FINGERPRINT}","choices":[{{"index":0,"delta":'
    )
    usage_null = ',"usage":null' if ctx.include_usage else ""
    tail = ',"logprobs":null,"finish_reason":null}]' + usage_null + "}\n\n"
    offsets = plan.offsets
    per = plan.tokens_per_chunk
    if ctx.role_chunk:
        role = '{"role":"assistant","content":"","refusal":null}'
        yield 0.0, (head + role + tail).encode(), kinds.ROLE, 0
    reasoning_key = '{"' + ctx.reasoning_field + '":'
    for offset, text, count in token_groups(plan.reasoning, offsets, 0, per):
        yield (
            offset,
            (head + reasoning_key + json_string(text) + "}" + tail).encode(),
            kinds.REASONING,
            count,
        )
    start = len(plan.reasoning)
    for offset, text, count in token_groups(plan.content, offsets, start, per):
        yield (
            offset,
            (head + '{"content":' + json_string(text) + "}" + tail).encode(),
            kinds.CONTENT,
            count,
        )
    yield from _tool_call_events(plan, head, tail, start + len(plan.content))
    finish = (
        head + '{},"logprobs":null,"finish_reason":"' + plan.finish + '"}]' + usage_null + "}\n\n"
    )
    end = plan.end_offset
    yield end, finish.encode(), kinds.FINISH, 0
    if ctx.include_usage:
        usage_chunk = {
            "id": ctx.response_id,
            "object": "chat.completion.chunk",
            "created": ctx.created,
            "model": ctx.model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
            "choices": [],
            "usage": usage_of(plan),
        }
        yield end, b"data: " + compact_json(usage_chunk).encode() + b"\n\n", kinds.USAGE, 0
    yield end, b"data: [DONE]\n\n", kinds.DONE, 0


def _tool_call_events(
    plan: ResponsePlan, head: str, tail: str, start: int
) -> Iterator[StreamEvent]:
    """Each call: a header chunk (id, name, empty arguments) then its argument fragments."""
    offsets = plan.offsets
    for index, call in enumerate(plan.calls):
        header = (
            f'{{"tool_calls":[{{"index":{index},"id":"call_{call.call_id}","type":"function",'
            f'"function":{{"name":{json_string(call.name)},"arguments":""}}}}]}}'
        )
        yield offsets[start], (head + header + tail).encode(), kinds.TOOL, 1
        fragment_head = f'{{"tool_calls":[{{"index":{index},"function":{{"arguments":'
        for offset, text, count in token_groups(
            call.fragments, offsets, start + 1, plan.tokens_per_chunk
        ):
            delta = fragment_head + json_string(text) + "}}]}"
            yield offset, (head + delta + tail).encode(), kinds.TOOL, count
        start += call.token_count


def completion_body(plan: ResponsePlan, ctx: StreamContext) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": plan.content_text if plan.content or not plan.calls else None,
        "refusal": None,
    }
    if plan.reasoning:
        message[ctx.reasoning_field] = plan.reasoning_text
    if plan.calls:
        message["tool_calls"] = [
            {
                "id": f"call_{call.call_id}",
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in plan.calls
        ]
    return {
        "id": ctx.response_id,
        "object": "chat.completion",
        "created": ctx.created,
        "model": ctx.model,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": plan.finish}
        ],
        "usage": usage_of(plan),
    }


def models_body(names: list[str], created: int) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [
            {"id": name, "object": "model", "created": created, "owned_by": "benchstudio-simulator"}
            for name in names
        ],
    }
