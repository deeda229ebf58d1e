"""Anthropic and Gemini adapters against recorded byte streams."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from providers_replay_server import Replay, ReplayServer

from benchstudio.providers.anthropic import AnthropicAdapter, normalize_anthropic_base_url
from benchstudio.providers.base import ChatRequest, StreamEvent
from benchstudio.providers.errors import (
    ContentFilteredError,
    ProviderConnectionError,
    RateLimitedError,
    ServerError,
)
from benchstudio.providers.gemini import GeminiAdapter, normalize_gemini_base_url

KEY = "sk-ant-test-secret-abcdef"


def event(name: str, obj: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(obj)}\n\n".encode()


def data(obj: Any) -> bytes:
    return f"data: {json.dumps(obj)}\r\n\r\n".encode()


ANTHROPIC_STREAM = [
    event(
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "content": [],
                "model": "m",
                "usage": {"input_tokens": 20, "cache_read_input_tokens": 5, "output_tokens": 1},
            },
        },
    ),
    event(
        "content_block_start",
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": ""},
        },
    ),
    event(
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "hmm"},
        },
    ),
    event(
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": "xx"},
        },
    ),
    event("content_block_stop", {"type": "content_block_stop", "index": 0}),
    event("ping", {"type": "ping"}),
    event(
        "content_block_start",
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
    ),
    event(
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "text_delta", "text": "Let me check."},
        },
    ),
    event("content_block_stop", {"type": "content_block_stop", "index": 1}),
    event(
        "content_block_start",
        {
            "type": "content_block_start",
            "index": 2,
            "content_block": {
                "type": "tool_use",
                "id": "toolu_1",
                "name": "get_weather",
                "input": {},
            },
        },
    ),
    event(
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": '{"ci'},
        },
    ),
    event(
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": 'ty":"P"}'},
        },
    ),
    event("content_block_stop", {"type": "content_block_stop", "index": 2}),
    event(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use"},
            "usage": {"output_tokens": 9},
        },
    ),
    event("message_stop", {"type": "message_stop"}),
]


async def drain(stream: AsyncIterator[StreamEvent], seen: list[StreamEvent]) -> None:
    async for item in stream:
        seen.append(item)


async def test_anthropic_stream_thinking_text_tool_use_and_usage(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue("/v1/messages", Replay(chunks=ANTHROPIC_STREAM))
    adapter = AnthropicAdapter(replay_server.base_url, KEY, session=http_session)
    request = ChatRequest(
        "claude",
        [{"role": "system", "content": "be brief"}, {"role": "user", "content": "weather?"}],
        max_tokens=50,
    )
    events: list[StreamEvent] = []
    await drain(adapter.stream(request), events)
    assert [e.kind for e in events] == [
        "sent",
        "first_byte",
        "reasoning",
        "content",
        "tool_call_delta",
        "tool_call_delta",
        "tool_call_delta",
        "usage",
        "finish",
    ]
    tool_events = [e for e in events if e.kind == "tool_call_delta"]
    assert tool_events[0].tool_id == "toolu_1"
    assert tool_events[0].tool_name == "get_weather"
    assert "".join(e.text for e in tool_events) == '{"city":"P"}'
    usage = events[-2].usage
    assert usage is not None
    assert (usage.input_tokens, usage.cached_input_tokens, usage.output_tokens) == (25, 5, 9)
    assert events[-1].finish_reason == "tool_calls"
    sent = replay_server.requests[0]
    assert sent["headers"]["x-api-key"] == KEY
    assert sent["headers"]["anthropic-version"]
    assert sent["headers"]["x-request-id"] == request.request_id
    body = json.loads(sent["body"])
    assert body["system"] == "be brief"
    assert body["stream"] is True
    assert body["max_tokens"] == 50


async def test_anthropic_overloaded_error_event_mid_stream(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1/messages",
        Replay(
            chunks=[
                ANTHROPIC_STREAM[0],
                event(
                    "error",
                    {
                        "type": "error",
                        "error": {"type": "overloaded_error", "message": "Overloaded"},
                    },
                ),
            ]
        ),
    )
    adapter = AnthropicAdapter(replay_server.base_url, KEY, session=http_session)
    seen: list[StreamEvent] = []
    with pytest.raises(ServerError):
        await drain(adapter.stream(ChatRequest("claude", [])), seen)
    assert seen[-1].kind == "error"


async def test_anthropic_stream_without_message_stop_is_truncated(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue("/v1/messages", Replay(chunks=ANTHROPIC_STREAM[:8]))
    adapter = AnthropicAdapter(replay_server.base_url, KEY, session=http_session)
    with pytest.raises(ProviderConnectionError, match="message_stop"):
        await drain(adapter.stream(ChatRequest("claude", [])), [])


async def test_anthropic_rate_limit_with_retry_after(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1/messages",
        Replay(
            status=429,
            headers={"Content-Type": "application/json", "retry-after": "3"},
            chunks=[b'{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}'],
        ),
    )
    adapter = AnthropicAdapter(replay_server.base_url, KEY, session=http_session)
    with pytest.raises(RateLimitedError) as caught:
        await drain(adapter.stream(ChatRequest("claude", [])), [])
    assert caught.value.retry_after == 3.0


async def test_anthropic_complete_translates_tool_history(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    reply = {
        "id": "msg",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [{"type": "text", "text": "It is sunny."}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 30, "output_tokens": 4},
    }
    replay_server.queue(
        "/v1/messages",
        Replay(headers={"Content-Type": "application/json"}, chunks=[json.dumps(reply).encode()]),
    )
    adapter = AnthropicAdapter(replay_server.base_url + "/v1", KEY, session=http_session)
    messages = [
        {"role": "user", "content": "weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
    ]
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    response = await adapter.complete(
        ChatRequest("claude", messages, tools=tools, tool_choice="required", stream=False)
    )
    assert response.content == "It is sunny."
    assert response.finish_reason == "stop"
    body = json.loads(replay_server.requests[0]["body"])
    assert body["messages"][1]["content"][0] == {
        "type": "tool_use",
        "id": "c1",
        "name": "get_weather",
        "input": {"city": "Paris"},
    }
    assert body["messages"][2]["content"][0]["type"] == "tool_result"
    assert body["tools"][0]["input_schema"]["properties"]["city"] == {"type": "string"}
    assert body["tool_choice"] == {"type": "any"}


GEMINI_STREAM = [
    data(
        {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": "plan", "thought": True}]}}
            ],
            "usageMetadata": {"promptTokenCount": 7},
        }
    ),
    data({"candidates": [{"content": {"role": "model", "parts": [{"text": "Hi "}]}}]}),
    data(
        {
            "candidates": [
                {
                    "content": {
                        "role": "model",
                        "parts": [
                            {"text": "there"},
                            {"functionCall": {"name": "f", "args": {"x": 1}}},
                        ],
                    },
                    "finishReason": "STOP",
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 7,
                "candidatesTokenCount": 3,
                "thoughtsTokenCount": 2,
                "totalTokenCount": 12,
            },
        }
    ),
]


async def test_gemini_stream_parts_function_call_and_final_usage(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    replay_server.queue(path, Replay(chunks=GEMINI_STREAM))
    adapter = GeminiAdapter(
        replay_server.base_url, "AIzaSyTestKey0123456789abcdefgh", session=http_session
    )
    events: list[StreamEvent] = []
    await drain(
        adapter.stream(
            ChatRequest(
                "gemini-2.5-flash",
                [{"role": "user", "content": "hi"}],
                max_tokens=20,
                extra={"topP": 0.5},
            )
        ),
        events,
    )
    assert [e.kind for e in events] == [
        "sent",
        "first_byte",
        "reasoning",
        "content",
        "content",
        "tool_call_delta",
        "usage",
        "finish",
    ]
    call = events[5]
    assert (call.tool_name, json.loads(call.text)) == ("f", {"x": 1})
    usage = events[6].usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.reasoning_tokens) == (7, 5, 2)
    assert events[-1].finish_reason == "tool_calls"
    sent = replay_server.requests[0]
    assert sent["path"].endswith("?alt=sse")
    assert "key=" not in sent["path"]
    assert sent["headers"]["x-goog-api-key"].startswith("AIza")
    body = json.loads(sent["body"])
    assert body["generationConfig"] == {"maxOutputTokens": 20, "topP": 0.5}


async def test_gemini_blocked_prompt_is_content_filtered(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    path = "/v1beta/models/g:streamGenerateContent"
    replay_server.queue(path, Replay(chunks=[data({"promptFeedback": {"blockReason": "SAFETY"}})]))
    adapter = GeminiAdapter(replay_server.base_url, None, session=http_session)
    with pytest.raises(ContentFilteredError):
        await drain(adapter.stream(ChatRequest("g", [])), [])


async def test_gemini_list_models_strips_prefix(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1beta/models",
        Replay(
            headers={"Content-Type": "application/json"},
            chunks=[b'{"models":[{"name":"models/gemini-2.5-pro","inputTokenLimit":1048576}]}'],
        ),
    )
    adapter = GeminiAdapter(replay_server.base_url + "/v1beta", None, session=http_session)
    models = await adapter.list_models()
    assert [(m.id, m.context_window) for m in models] == [("gemini-2.5-pro", 1048576)]


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("https://api.anthropic.com", "https://api.anthropic.com/v1"),
        ("https://api.anthropic.com/v1/messages", "https://api.anthropic.com/v1"),
    ],
)
def test_anthropic_base_url(pasted: str, expected: str) -> None:
    assert normalize_anthropic_base_url(pasted) == expected


def test_gemini_base_url() -> None:
    assert normalize_gemini_base_url("https://generativelanguage.googleapis.com") == (
        "https://generativelanguage.googleapis.com/v1beta"
    )
    assert normalize_gemini_base_url("http://h:1/v1beta/models/x:generateContent") == (
        "http://h:1/v1beta"
    )
