"""Structured-output requests on each wire, and the fallback chain with its memory."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from benchstudio.judge.schemas import VERDICT_SCHEMA_NAME, verdict_json_schema
from benchstudio.providers.base import ChatRequest, ChatResponse, ModelInfo, ToolCall, Usage
from benchstudio.providers.errors import BadRequestError, ContextOverflowError, ServerError
from benchstudio.providers.message_format import to_anthropic_body, to_gemini_body
from benchstudio.providers.openai_compat import OpenAICompatAdapter
from benchstudio.providers.structured_output import (
    FallbackMemory,
    OutputMode,
    complete_structured,
    gemini_response_schema,
    modes_for,
    structured_request,
)

SCHEMA = verdict_json_schema()
REQUEST = ChatRequest(model="judge", messages=[{"role": "user", "content": "grade this"}])


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    FallbackMemory.reset()
    yield
    FallbackMemory.reset()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


def openai_body(session: aiohttp.ClientSession, mode: OutputMode) -> dict[str, Any]:
    adapter = OpenAICompatAdapter("http://x/v1", session=session)
    wire = structured_request(REQUEST, "openai", VERDICT_SCHEMA_NAME, SCHEMA, mode)
    body: dict[str, Any] = json.loads(adapter.build_body(wire, stream=False, stream_usage=False))
    return body


async def test_openai_strict_json_schema_on_the_wire(session: aiohttp.ClientSession) -> None:
    body = openai_body(session, "json_schema")
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "judge_verdict", "strict": True, "schema": SCHEMA},
    }
    assert "stream" not in body
    assert body["messages"] == REQUEST.messages


async def test_json_object_and_prompt_modes_spell_out_the_schema(
    session: aiohttp.ClientSession,
) -> None:
    json_object = openai_body(session, "json_object")
    assert json_object["response_format"] == {"type": "json_object"}
    # llama.cpp's server, Together and Fireworks constrain decoding to a schema given here.
    with_schema = openai_body(session, "json_object_schema")
    assert with_schema["response_format"] == {"type": "json_object", "schema": SCHEMA}
    # OpenAI refuses json_object unless the messages say "json": the instruction does.
    instruction = json_object["messages"][0]
    assert instruction["role"] == "system" and "JSON" in instruction["content"]
    assert json.dumps(SCHEMA, indent=2) in instruction["content"]
    prompt = openai_body(session, "prompt")
    assert "response_format" not in prompt
    assert prompt["messages"][0] == instruction
    assert prompt["messages"][1:] == REQUEST.messages


def test_anthropic_forced_tool_carries_the_schema() -> None:
    wire = structured_request(REQUEST, "anthropic", VERDICT_SCHEMA_NAME, SCHEMA, "tool")
    body = to_anthropic_body(wire, stream=False)
    assert body["tool_choice"] == {"type": "tool", "name": "judge_verdict"}
    assert [tool["name"] for tool in body["tools"]] == ["judge_verdict"]
    assert body["tools"][0]["input_schema"] == SCHEMA
    assert "stream" not in body


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = set(node)
        for key, value in node.items():
            if key == "properties":
                for sub in value.values():
                    found |= _keys(sub)
            else:
                found |= _keys(value)
        return found
    if isinstance(node, list):
        return set().union(*(_keys(item) for item in node)) if node else set()
    return set()


def test_gemini_response_schema_in_gemini_dialect() -> None:
    wire = structured_request(REQUEST, "gemini", VERDICT_SCHEMA_NAME, SCHEMA, "response_schema")
    config = to_gemini_body(wire)["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    schema = config["responseSchema"]
    assert "additionalProperties" not in _keys(schema)
    assert schema["type"] == "OBJECT"
    assert schema["propertyOrdering"] == list(SCHEMA["properties"])
    assert schema["required"] == SCHEMA["required"]
    score = schema["properties"]["score"]
    # Gemini takes enums on strings only: the score range becomes minimum/maximum.
    assert score["type"] == "INTEGER" and "enum" not in score
    assert (score["minimum"], score["maximum"]) == (1, 5)
    verdict = schema["properties"]["verdict"]
    assert verdict == {"type": "STRING", "enum": ["pass", "marginal", "fail"]}
    item = schema["properties"]["arguments"]["items"]
    assert item["type"] == "OBJECT" and item["required"] == ["name", "status", "reason"]


def test_gemini_schema_drops_unknown_keywords() -> None:
    converted = gemini_response_schema(
        {"type": "object", "$schema": "x", "default": {}, "properties": {"a": {"type": "number"}}}
    )
    assert converted == {
        "type": "OBJECT",
        "properties": {"a": {"type": "NUMBER"}},
        "propertyOrdering": ["a"],
    }


def test_each_protocol_has_its_chain() -> None:
    assert modes_for("openai", "e") == (
        "json_schema",
        "json_object_schema",
        "json_object",
        "prompt",
    )
    assert modes_for("anthropic", "e") == ("tool",)
    assert modes_for("gemini", "e") == ("response_schema", "prompt")
    FallbackMemory.remember("e", "json_object")
    assert modes_for("openai", "e") == ("json_object", "prompt")
    assert modes_for("openai", "other") == (
        "json_schema",
        "json_object_schema",
        "json_object",
        "prompt",
    )
    FallbackMemory.reset()
    assert modes_for("openai", "e")[0] == "json_schema"


class ScriptedAdapter:
    """Fails the listed modes with the given errors; answers the others."""

    protocol = "openai"

    def __init__(self, failures: dict[str, Exception], answer: str = '{"ok": true}') -> None:
        self.failures = failures
        self.answer = answer
        self.modes: list[str] = []

    async def complete(self, request: ChatRequest) -> ChatResponse:
        fmt = request.extra.get("response_format")
        mode = str(fmt["type"]) if fmt else ("tool" if request.tools else "prompt")
        if fmt and "schema" in fmt:
            mode = "json_object_schema"
        self.modes.append(mode)
        if mode in self.failures:
            raise self.failures[mode]
        calls = [ToolCall("c", VERDICT_SCHEMA_NAME, self.answer)] if request.tools else []
        content = "" if calls else self.answer
        return ChatResponse(content, "", calls, Usage(10, 5), "stop", 1_000)

    def stream(self, request: ChatRequest) -> Any:  # pragma: no cover - not used
        raise NotImplementedError

    async def list_models(self) -> list[ModelInfo]:  # pragma: no cover - not used
        return []

    async def health_check(self) -> Any:  # pragma: no cover - not used
        return None


async def call(adapter: ScriptedAdapter, protocol: str = "openai", key: str = "e") -> Any:
    return await complete_structured(
        adapter,
        REQUEST,
        protocol=protocol,
        schema_name=VERDICT_SCHEMA_NAME,
        schema=SCHEMA,
        endpoint_key=key,
    )


async def test_fallback_chain_and_memory() -> None:
    refused = BadRequestError("Unrecognized request argument supplied: response_format")
    adapter = ScriptedAdapter(
        {"json_schema": refused, "json_object_schema": refused, "json_object": refused}
    )
    reply = await call(adapter)
    assert (reply.mode, reply.fallbacks, reply.text) == (
        "prompt",
        ["json_schema", "json_object_schema", "json_object"],
        '{"ok": true}',
    )
    assert (reply.usage.input_tokens, reply.latency_ns) == (10, 1_000)
    again = await call(adapter)
    assert (again.mode, again.fallbacks) == ("prompt", [])
    assert adapter.modes == [
        "json_schema",
        "json_object_schema",
        "json_object",
        "prompt",
        "prompt",
    ]


async def test_nothing_is_remembered_when_every_mode_fails() -> None:
    refused = BadRequestError("model not found")
    adapter = ScriptedAdapter(
        {mode: refused for mode in ("json_schema", "json_object_schema", "json_object", "prompt")}
    )
    with pytest.raises(BadRequestError):
        await call(adapter)
    assert modes_for("openai", "e")[0] == "json_schema"


@pytest.mark.parametrize("error", [ContextOverflowError("too long"), ServerError("boom")])
async def test_other_errors_do_not_fall_back(error: Exception) -> None:
    adapter = ScriptedAdapter({"json_schema": error})
    with pytest.raises(type(error)):
        await call(adapter)
    assert adapter.modes == ["json_schema"]
    assert modes_for("openai", "e")[0] == "json_schema"


async def test_a_server_error_naming_response_format_is_a_refusal() -> None:
    """llama-cpp-python 0.3 answers `json_schema` with HTTP 500 and a validation message."""
    refused = ServerError(
        "server (HTTP 500): ('body', 'response_format', 'type') Input should be 'text' or "
        "'json_object'"
    )
    adapter = ScriptedAdapter({"json_schema": refused})
    reply = await call(adapter)
    assert (reply.mode, reply.fallbacks) == ("json_object_schema", ["json_schema"])


async def test_tool_mode_answer_is_the_tool_input() -> None:
    adapter = ScriptedAdapter({}, answer='{"score": 4}')
    reply = await call(adapter, protocol="anthropic")
    assert (reply.mode, reply.text) == ("tool", '{"score": 4}')
