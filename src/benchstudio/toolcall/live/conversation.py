"""Turn suite cases into chat requests, and model responses into records and recorded outputs.

Messages are in OpenAI shape; the provider adapters translate them to other wire formats.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import JsonValue

from benchstudio.providers.base import ChatRequest, ChatResponse, ToolCall
from benchstudio.toolcall.outputs import ModelOutput, RecordedToolCall, Usage
from benchstudio.toolcall.schemas import Suite, TestCase, Tool

TOOL_CHOICE_MODES = ("auto", "required", "none")


def parse_tool_choice(text: str | None) -> str | dict[str, Any] | None:
    """`auto` / `required` / `none`, or a tool name that forces that tool."""
    if text is None or text == "":
        return None
    if text in TOOL_CHOICE_MODES:
        return text
    return {"type": "function", "function": {"name": text}}


def initial_messages(
    suite: Suite, case: TestCase, system_prompt: str | None
) -> list[dict[str, Any]]:
    """The case's opening messages, led by the system prompt (a target's own wins)."""
    system = system_prompt if system_prompt is not None else suite.system_prompt
    if case.messages is not None:
        messages = [message.model_dump() for message in case.messages]
    else:
        messages = [{"role": "user", "content": case.prompt or ""}]
    if system and not any(message["role"] == "system" for message in messages):
        messages.insert(0, {"role": "system", "content": system})
    return messages


def tool_specs(tools: list[Tool]) -> list[dict[str, Any]]:
    """Tools in OpenAI function format, as sent on the wire (no BenchStudio-only fields)."""
    return [tool.model_dump(mode="json", exclude={"source_name"}) for tool in tools]


def with_unique_call_ids(calls: list[ToolCall], round_number: int) -> list[ToolCall]:
    """Some servers omit or repeat call ids; tool results must answer each call unambiguously."""
    seen: set[str] = set()
    unique: list[ToolCall] = []
    for position, call in enumerate(calls):
        call_id = call.id
        if not call_id or call_id in seen:
            call_id = f"call_{round_number}_{position}"
        seen.add(call_id)
        unique.append(ToolCall(call_id, call.name, call.arguments, call.index))
    return unique


def assistant_message(content: str, calls: list[ToolCall]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content or None}
    if calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in calls
        ]
    return message


def tool_result_message(call: ToolCall, result: JsonValue) -> dict[str, Any]:
    return {
        "role": "tool",
        "tool_call_id": call.id,
        "name": call.name,
        "content": json.dumps(result, ensure_ascii=False),
    }


def request_record(request: ChatRequest) -> dict[str, Any]:
    """The request as sent, with tools by name only (their schemas are in the suite snapshot)."""
    return {
        "model": request.model,
        "messages": [dict(message) for message in request.messages],
        "tools": [tool["function"]["name"] for tool in request.tools or []],
        "tool_choice": request.tool_choice,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "params": dict(request.extra),
        "request_id": request.request_id,
    }


def response_record(response: ChatResponse, calls: list[ToolCall]) -> dict[str, Any]:
    usage = response.usage
    return {
        "content": response.content,
        "reasoning": response.reasoning or None,
        "tool_calls": [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in calls],
        "finish_reason": response.finish_reason,
        "model": response.model,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "reasoning_tokens": usage.reasoning_tokens,
        },
    }


def recorded_calls(calls: list[ToolCall]) -> list[RecordedToolCall]:
    return [RecordedToolCall(name=call.name, arguments=call.arguments) for call in calls]


def output_from_response(case_id: str, response: ChatResponse, model: str) -> ModelOutput:
    """A single-turn response in the shape offline scoring reads."""
    return ModelOutput(
        case_id=case_id,
        tool_calls=recorded_calls(response.tool_calls),
        content=response.content or None,
        latency_ms=response.latency_ns / 1e6,
        usage=Usage(
            prompt_tokens=response.usage.input_tokens,
            completion_tokens=response.usage.output_tokens,
        ),
        model=model,
    )
