"""OpenAI-compatible adapter against recorded byte streams (quirks included)."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from providers_replay_server import Replay, ReplayServer

from benchstudio.providers.base import ChatRequest, StreamEvent
from benchstudio.providers.errors import (
    AuthError,
    ContextOverflowError,
    ProviderConnectionError,
    RateLimitedError,
    ServerError,
)
from benchstudio.providers.openai_compat import OpenAICompatAdapter, normalize_openai_base_url


def sse(obj: Any) -> bytes:
    return f"data: {json.dumps(obj)}\n\n".encode()


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    return sse(
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
    )


USAGE_CHUNK = sse(
    {
        "choices": [],
        "usage": {
            "prompt_tokens": 12,
            "completion_tokens": 3,
            "completion_tokens_details": {"reasoning_tokens": 1},
            "prompt_tokens_details": {"cached_tokens": 4},
        },
    }
)


async def drain(stream: AsyncIterator[StreamEvent], seen: list[StreamEvent]) -> None:
    async for event in stream:
        seen.append(event)


async def collect(adapter: OpenAICompatAdapter, request: ChatRequest) -> list[StreamEvent]:
    return [event async for event in adapter.stream(request)]


def adapter_for(server: ReplayServer, session: aiohttp.ClientSession) -> OpenAICompatAdapter:
    return OpenAICompatAdapter(server.base_url + "/v1", "sk-test-secret-123456", session=session)


async def test_streams_content_reasoning_usage_and_finish(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1/chat/completions",
        Replay(
            chunks=[
                chunk({"role": "assistant", "content": ""}),
                chunk({"reasoning_content": "think"}),
                chunk({"content": "Hello"}) + chunk({"content": " world"}),
                chunk({}, "stop"),
                USAGE_CHUNK,
                b"data: [DONE]\n\n",
            ]
        ),
    )
    events = await collect(adapter_for(replay_server, http_session), ChatRequest("m", []))
    kinds = [e.kind for e in events]
    assert kinds == ["sent", "first_byte", "reasoning", "content", "content", "usage", "finish"]
    assert "".join(e.text for e in events if e.kind == "content") == "Hello world"
    usage = events[5].usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens) == (12, 3)
    assert (usage.reasoning_tokens, usage.cached_input_tokens) == (1, 4)
    assert events[-1].finish_reason == "stop"
    assert all(a.t_ns <= b.t_ns for a, b in itertools.pairwise(events))
    sent = replay_server.requests[0]
    assert sent["headers"]["x-request-id"]
    assert sent["headers"]["authorization"] == "Bearer sk-test-secret-123456"
    body = json.loads(sent["body"])
    assert body["stream_options"] == {"include_usage": True}


async def test_tolerates_comments_multiline_data_reasoning_alias_and_crlf(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    multi = b'data: {"choices":[{"index":0,\r\ndata: "delta":{"content":"ab"}}]}\r\n\r\n'
    replay_server.queue(
        "/v1/chat/completions",
        Replay(
            chunks=[
                b": keep-alive\n\n",
                chunk({"reasoning": "r"}),
                multi[:10],
                multi[10:],
                b":ping\n\n",
                chunk({}, "length"),
                b"data: [DONE]\n\n",
            ]
        ),
    )
    events = await collect(adapter_for(replay_server, http_session), ChatRequest("m", []))
    assert [e.kind for e in events] == ["sent", "first_byte", "reasoning", "content", "finish"]
    assert events[3].text == "ab"
    assert events[-1].finish_reason == "length"


async def test_tool_call_fragments_keep_index_id_and_name(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1/chat/completions",
        Replay(
            chunks=[
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_a",
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": ""},
                            }
                        ]
                    }
                ),
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}),
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": 1,
                                "id": "call_b",
                                "function": {"name": "get_time", "arguments": "{}"},
                            }
                        ]
                    }
                ),
                chunk({}, "tool_calls"),
            ]
        ),
    )  # no [DONE]: a finish reason then EOF is a clean end
    events = await collect(adapter_for(replay_server, http_session), ChatRequest("m", []))
    deltas = [e for e in events if e.kind == "tool_call_delta"]
    assert [d.tool_index for d in deltas] == [0, 0, 0, 1]
    assert deltas[0].tool_id == "call_a"
    assert deltas[0].tool_name == "get_weather"
    assert "".join(d.text for d in deltas if d.tool_index == 0) == '{"city":"Paris"}'
    assert events[-1].kind == "finish"
    assert events[-1].finish_reason == "tool_calls"


async def test_error_object_inside_stream_yields_error_event_then_raises(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1/chat/completions",
        Replay(
            chunks=[
                chunk({"content": "partial"}),
                sse({"error": {"message": "The server had an error", "type": "server_error"}}),
            ]
        ),
    )
    seen: list[StreamEvent] = []
    adapter = adapter_for(replay_server, http_session)
    with pytest.raises(ServerError):
        await drain(adapter.stream(ChatRequest("m", [])), seen)
    assert [e.kind for e in seen] == ["sent", "first_byte", "content", "error"]


async def test_mid_stream_disconnect_raises_connection_error(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1/chat/completions",
        Replay(
            chunks=[chunk({"content": "a"}), chunk({"content": "b"}), chunk({"content": "c"})],
            cut_after=2,
        ),
    )
    seen: list[StreamEvent] = []
    adapter = adapter_for(replay_server, http_session)
    with pytest.raises(ProviderConnectionError):
        await drain(adapter.stream(ChatRequest("m", [])), seen)
    assert seen[-1].kind == "error"
    assert [e.text for e in seen if e.kind == "content"] == ["a", "b"]


async def test_malformed_chunk_is_a_connection_error(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue("/v1/chat/completions", Replay(chunks=[b"data: {not json\n\n"]))
    with pytest.raises(ProviderConnectionError, match="malformed"):
        await collect(adapter_for(replay_server, http_session), ChatRequest("m", []))


async def test_rejected_stream_options_retried_once_and_remembered(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    rejection = Replay(
        status=400,
        headers={"Content-Type": "application/json"},
        chunks=[b'{"error":{"message":"Unrecognized request argument: stream_options"}}'],
    )
    ok = Replay(chunks=[chunk({"content": "x"}, "stop"), b"data: [DONE]\n\n"])
    replay_server.queue("/v1/chat/completions", rejection, ok, ok)
    adapter = adapter_for(replay_server, http_session)
    await collect(adapter, ChatRequest("m", []))
    await collect(adapter, ChatRequest("m", []))
    sent = [json.loads(r["body"]) for r in replay_server.requests]
    assert ["stream_options" in body for body in sent] == [True, False, False]
    OpenAICompatAdapter._rejects_stream_options.clear()


@pytest.mark.parametrize(
    ("status", "body", "headers", "error_type"),
    [
        (
            401,
            '{"error":{"message":"Incorrect API key provided: sk-test-secret-123456"}}',
            {},
            AuthError,
        ),
        (429, '{"error":{"message":"Rate limit reached"}}', {"retry-after": "7"}, RateLimitedError),
        (
            400,
            '{"error":{"message":"This model\'s maximum context length is 8192 tokens",'
            '"code":"context_length_exceeded"}}',
            {},
            ContextOverflowError,
        ),
        (503, "upstream unavailable", {}, ServerError),
    ],
)
async def test_http_errors_map_to_the_closed_tree_without_leaking_the_key(
    replay_server: ReplayServer,
    http_session: aiohttp.ClientSession,
    status: int,
    body: str,
    headers: dict[str, str],
    error_type: type[Exception],
) -> None:
    replay_server.queue(
        "/v1/chat/completions",
        Replay(
            status=status,
            headers={"Content-Type": "application/json", **headers},
            chunks=[body.encode()],
        ),
    )
    with pytest.raises(error_type) as caught:
        await collect(adapter_for(replay_server, http_session), ChatRequest("m", []))
    assert "sk-test-secret-123456" not in str(caught.value)
    if isinstance(caught.value, RateLimitedError):
        assert caught.value.retry_after == 7.0


async def test_complete_parses_message_tool_calls_and_usage(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    body = {
        "model": "m",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": None,
                    "reasoning_content": "hmm",
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "f", "arguments": '{"a":1}'},
                        }
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2},
    }
    replay_server.queue(
        "/v1/chat/completions",
        Replay(headers={"Content-Type": "application/json"}, chunks=[json.dumps(body).encode()]),
    )
    response = await adapter_for(replay_server, http_session).complete(
        ChatRequest("m", [{"role": "user", "content": "hi"}], max_tokens=5, stream=False)
    )
    assert response.content == ""
    assert response.reasoning == "hmm"
    assert [(c.id, c.name, c.arguments) for c in response.tool_calls] == [
        ("call_1", "f", '{"a":1}')
    ]
    assert response.usage.input_tokens == 5
    assert response.finish_reason == "tool_calls"
    assert "stream" not in json.loads(replay_server.requests[0]["body"])


async def test_list_models_and_health_check(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1/models",
        Replay(
            headers={"Content-Type": "application/json"},
            chunks=[b'{"object":"list","data":[{"id":"a","owned_by":"me"},{"id":"b"}]}'],
        ),
    )
    adapter = adapter_for(replay_server, http_session)
    assert [m.id for m in await adapter.list_models()] == ["a", "b"]
    health = await adapter.health_check()
    assert health.ok
    assert health.model_count == 2


async def test_health_check_reports_auth_failure_instead_of_raising(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1/models",
        Replay(
            status=401,
            headers={"Content-Type": "application/json"},
            chunks=[b'{"error":{"message":"bad key"}}'],
        ),
    )
    health = await adapter_for(replay_server, http_session).health_check()
    assert not health.ok
    assert isinstance(health.error, AuthError)


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("http://h:8000", "http://h:8000/v1"),
        ("http://h:8000/v1/", "http://h:8000/v1"),
        ("https://api.x.ai/v1/chat/completions", "https://api.x.ai/v1"),
        ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
    ],
)
def test_base_url_normalisation(pasted: str, expected: str) -> None:
    assert normalize_openai_base_url(pasted) == expected


async def test_stopping_early_closes_the_connection_and_the_session_stays_usable(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue(
        "/v1/chat/completions",
        Replay(
            chunks=[
                chunk({"content": "a"}),
                chunk({"content": "b"}),
                chunk({}, "stop"),
                b"data: [DONE]\n\n",
            ]
        ),
    )
    adapter = adapter_for(replay_server, http_session)
    stream = adapter.stream(ChatRequest("m", []))
    async for event in stream:
        if event.kind == "content":
            break
    await stream.aclose()  # type: ignore[attr-defined]
    events = await collect(adapter, ChatRequest("m", []))
    assert [e.kind for e in events][-1] == "finish"
