"""The official anthropic SDK, pointed at the simulator, streams and parses text, tools, usage."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic
import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer, ToolRule

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    weather = ToolRule.model_validate(
        {
            "match": {"prompt": r"weather in (?P<city>\w+)", "last_role": "user"},
            "text": "Let me check.",
            "tool_calls": [{"name": "get_weather", "arguments": {"city": "${city}"}}],
        }
    )
    answer = ToolRule.model_validate({"match": {"last_role": "tool"}, "text": "Sunny, 21C."})
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=1, itl_ms=0.2, output_tokens=10),
        models=[
            ModelProfile(name="claude-sim", ttft_ms=1, itl_ms=0.2, tool_script=[weather, answer]),
            ModelProfile(
                name="claude-thinker",
                ttft_ms=1,
                itl_ms=0.2,
                output_tokens=3,
                reasoning_tokens=6,
                require_key="sk-ant-right",
            ),
        ],
    )
    async with SimulatorServer(config) as server:
        yield server


def client(sim: SimulatorServer, key: str = "sk-ant-test") -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=sim.base_url, api_key=key, max_retries=0)


async def test_stream_text_and_usage(sim: SimulatorServer) -> None:
    async with client(sim).messages.stream(
        model="whatever", max_tokens=100, messages=[{"role": "user", "content": "Hello there"}]
    ) as stream:
        text = "".join([piece async for piece in stream.text_stream])
        final = await stream.get_final_message()
    assert len(text.split()) == 10
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 10
    assert final.usage.input_tokens == 3  # "Hello there" = 11 chars -> 3 tokens


async def test_non_stream_tool_use_then_answer(sim: SimulatorServer) -> None:
    api = client(sim)
    first = await api.messages.create(
        model="claude-sim",
        max_tokens=200,
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        messages=[{"role": "user", "content": "What is the weather in Rome?"}],
    )
    assert first.stop_reason == "tool_use"
    assert [block.type for block in first.content] == ["text", "tool_use"]
    tool_use = first.content[1]
    assert tool_use.type == "tool_use"
    assert tool_use.input == {"city": "Rome"}
    second = await api.messages.create(
        model="claude-sim",
        max_tokens=200,
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        messages=[
            {"role": "user", "content": "What is the weather in Rome?"},
            {"role": "assistant", "content": first.content},  # type: ignore[typeddict-item]
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "21C"}],
            },
        ],
    )
    assert second.content[0].type == "text"
    assert second.content[0].text == "Sunny, 21C."


async def test_stream_tool_use_input_json_delta(sim: SimulatorServer) -> None:
    async with client(sim).messages.stream(
        model="claude-sim",
        max_tokens=200,
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        messages=[{"role": "user", "content": "weather in Kyoto"}],
    ) as stream:
        deltas = [event async for event in stream if event.type == "input_json"]
        final = await stream.get_final_message()
    assert len(deltas) > 1
    tool_use = final.content[-1]
    assert tool_use.type == "tool_use"
    assert tool_use.input == {"city": "Kyoto"}
    assert final.stop_reason == "tool_use"


async def test_stream_thinking_block_first(sim: SimulatorServer) -> None:
    async with client(sim, "sk-ant-right").messages.stream(
        model="claude-thinker", max_tokens=100, messages=[{"role": "user", "content": "hmm"}]
    ) as stream:
        final = await stream.get_final_message()
    assert [block.type for block in final.content] == ["thinking", "text"]
    thinking = final.content[0]
    assert thinking.type == "thinking"
    assert len(thinking.thinking.split()) == 6
    assert thinking.signature
    assert final.usage.output_tokens == 9


async def test_wrong_key_is_authentication_error(sim: SimulatorServer) -> None:
    with pytest.raises(anthropic.AuthenticationError):
        await client(sim, "sk-ant-wrong").messages.create(
            model="claude-thinker", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
        )


async def test_models_list(sim: SimulatorServer) -> None:
    page = await client(sim).models.list()
    assert [model.id for model in page.data] == ["benchstudio-sim", "claude-sim", "claude-thinker"]
