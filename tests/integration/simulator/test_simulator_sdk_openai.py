"""The official openai SDK, pointed at the simulator, streams and parses text, tools, usage."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import openai
import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer, ToolRule

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    weather = ToolRule.model_validate(
        {
            "match": {"prompt": r"weather in (?P<city>\w+)", "last_role": "user"},
            "tool_calls": [{"name": "get_weather", "arguments": {"city": "${city}", "unit": "C"}}],
        }
    )
    parallel = ToolRule.model_validate(
        {
            "match": {"prompt": "both cities", "last_role": "user"},
            "tool_calls": [
                {"name": "get_weather", "arguments": {"city": "Paris"}},
                {"name": "get_weather", "arguments": {"city": "Oslo"}},
            ],
        }
    )
    answer = ToolRule.model_validate({"match": {"last_role": "tool"}, "text": "It is sunny."})
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=1, itl_ms=0.2, output_tokens=12),
        models=[
            ModelProfile(
                name="tooler", ttft_ms=1, itl_ms=0.2, tool_script=[weather, parallel, answer]
            ),
            ModelProfile(
                name="thinker", ttft_ms=1, itl_ms=0.2, output_tokens=5, reasoning_tokens=4
            ),
        ],
    )
    async with SimulatorServer(config) as server:
        yield server


def client(sim: SimulatorServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=sim.base_url + "/v1", api_key="sk-test", max_retries=0)


async def test_stream_text_with_usage_only_final_chunk(sim: SimulatorServer) -> None:
    stream = await client(sim).chat.completions.create(
        model="any-name",
        messages=[{"role": "user", "content": "Say something"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(text.split()) == 12
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes == ["stop"]
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 12
    assert chunks[-1].usage.prompt_tokens == 4  # "Say something" = 13 chars -> ceil(13/4)
    assert all(c.usage is None for c in chunks[:-1])


async def test_non_stream_text_and_usage(sim: SimulatorServer) -> None:
    response = await client(sim).chat.completions.create(
        model="any-name", messages=[{"role": "user", "content": "Say something"}]
    )
    assert response.choices[0].finish_reason == "stop"
    assert len((response.choices[0].message.content or "").split()) == 12
    assert response.usage is not None
    assert response.usage.total_tokens == 16


async def test_stream_tool_call_fragments_reassemble(sim: SimulatorServer) -> None:
    stream = await client(sim).chat.completions.create(
        model="tooler",
        messages=[{"role": "user", "content": "What is the weather in Lisbon?"}],
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        stream=True,
    )
    names: dict[int, str] = {}
    arguments: dict[int, str] = {}
    fragments = 0
    finish = None
    async for chunk in stream:
        choice = chunk.choices[0]
        finish = choice.finish_reason or finish
        for call in choice.delta.tool_calls or []:
            if call.function and call.function.name:
                names[call.index] = call.function.name
            if call.function and call.function.arguments:
                arguments[call.index] = arguments.get(call.index, "") + call.function.arguments
                fragments += 1
    assert finish == "tool_calls"
    assert names == {0: "get_weather"}
    assert json.loads(arguments[0]) == {"city": "Lisbon", "unit": "C"}
    assert fragments > 1  # streamed in pieces, as OpenAI does


async def test_non_stream_parallel_calls_then_answer_after_tool_result(
    sim: SimulatorServer,
) -> None:
    api = client(sim)
    first = await api.chat.completions.create(
        model="tooler",
        messages=[{"role": "user", "content": "Weather for both cities please"}],
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
    )
    calls = first.choices[0].message.tool_calls or []
    assert [json.loads(c.function.arguments)["city"] for c in calls] == ["Paris", "Oslo"]  # type: ignore[union-attr]
    assert first.choices[0].finish_reason == "tool_calls"
    follow_up = await api.chat.completions.create(
        model="tooler",
        messages=[
            {"role": "user", "content": "Weather for both cities please"},
            first.choices[0].message.model_dump(exclude_none=True),  # type: ignore[list-item]
            {"role": "tool", "tool_call_id": calls[0].id, "content": "18C"},
            {"role": "tool", "tool_call_id": calls[1].id, "content": "3C"},
        ],
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
    )
    assert follow_up.choices[0].message.content == "It is sunny."


async def test_forced_tool_choice_without_script_fills_required_arguments(
    sim: SimulatorServer,
) -> None:
    response = await client(sim).chat.completions.create(
        model="any-name",
        messages=[{"role": "user", "content": "hello"}],
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    call = (response.choices[0].message.tool_calls or [])[0]
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"city": "example"}  # type: ignore[union-attr]


async def test_reasoning_content_streams_before_content(sim: SimulatorServer) -> None:
    stream = await client(sim).chat.completions.create(
        model="thinker",
        messages=[{"role": "user", "content": "think"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    order: list[str] = []
    usage = None
    async for chunk in stream:
        usage = chunk.usage or usage
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta.model_dump()
        if delta.get("reasoning_content"):
            order.append("reasoning")
        elif delta.get("content"):
            order.append("content")
    assert order == ["reasoning"] * 4 + ["content"] * 5
    assert usage is not None
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 4
    assert usage.completion_tokens == 9


async def test_models_list_has_default_first(sim: SimulatorServer) -> None:
    models = [model.id async for model in client(sim).models.list()]
    assert models == ["benchstudio-sim", "tooler", "thinker"]


async def test_sdk_maps_rate_limit_fault(sim: SimulatorServer) -> None:
    with pytest.raises(openai.RateLimitError):
        await client(sim).chat.completions.create(
            model="any-name",
            messages=[{"role": "user", "content": "hi"}],
            extra_headers={"X-Sim-Fault": "rate_limit;retry_after=1"},
        )


async def test_sdk_maps_context_length_error(sim: SimulatorServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client(sim).chat.completions.create(
            model="any-name", messages=[{"role": "user", "content": "x" * 600_000}]
        )
    assert caught.value.code == "context_length_exceeded"
