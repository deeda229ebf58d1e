"""Chunk semantics, the TTFT origin and cancellation, through `record_stream` and real adapters.

A chunk is what one network read delivered, whatever it carries: one timestamp, counted once.
Expectations are written from the byte streams below, not from the code under test.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import aiohttp
import pytest
from providers_replay_server import Replay, ReplayServer

from benchstudio.providers import anthropic, gemini, openai_compat
from benchstudio.providers.anthropic import AnthropicAdapter
from benchstudio.providers.base import (
    CONTENT,
    FIRST_BYTE,
    REASONING,
    SENT,
    ChatRequest,
    ProviderAdapter,
    StreamEvent,
)
from benchstudio.providers.gemini import GeminiAdapter
from benchstudio.providers.openai_compat import OpenAICompatAdapter
from benchstudio.speed import engine
from benchstudio.speed.engine import record_stream
from benchstudio.speed.metrics import (
    CONTENT_KIND,
    REASONING_KIND,
    TOOL_KIND,
    TokenCounting,
    compute_request_metrics,
)


def sse(obj: Any, name: str | None = None) -> bytes:
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {json.dumps(obj)}\n\n".encode()


def delta(fields: dict[str, Any], finish: str | None = None) -> bytes:
    return sse(
        {"object": "chat.completion.chunk", "choices": [{"delta": fields, "finish_reason": finish}]}
    )


OPENAI_STREAM = [
    delta({"role": "assistant"}),
    delta({"reasoning_content": "Let "}),
    delta({"reasoning_content": "me see.", "content": "The"}),  # one chunk: both kinds
    delta({"content": " answer is"}),  # several tokens, one chunk
    delta({"content": " 4."}) + delta({"content": ""}) + delta({}, finish="stop"),  # one write
    b"data: [DONE]\n\n",
]


def openai(server: ReplayServer, session: aiohttp.ClientSession) -> OpenAICompatAdapter:
    return OpenAICompatAdapter(server.base_url + "/v1", "sk-test-123456", session=session)


async def test_reasoning_and_content_in_one_event_are_one_chunk(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue("/v1/chat/completions", Replay(chunks=OPENAI_STREAM))
    trace = await record_stream(
        openai(replay_server, http_session), ChatRequest("m", [{"role": "user", "content": "?"}])
    )
    assert trace.error is None
    # token-bearing SSE events: "Let ", "me see."+"The", " answer is", " 4."
    assert list(trace.chunk_kinds) == [REASONING_KIND, CONTENT_KIND, CONTENT_KIND, CONTENT_KIND]
    assert len(trace.chunk_ns) == 4
    assert trace.output_text == "Let me see.The answer is 4."
    assert trace.reasoning_text == "Let me see."
    metrics = compute_request_metrics(trace)
    assert metrics.chunk_count == 4
    assert len(metrics.itl_ms) == 3
    assert metrics.ttft_ms == (trace.chunk_ns[0] - trace.sent_ns) / 1e6
    assert metrics.ttfct_ms == (trace.chunk_ns[1] - trace.sent_ns) / 1e6  # the mixed chunk


async def test_reasoning_only_inside_mixed_chunks_is_still_counted(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    stream = [
        delta({"reasoning_content": "hm, ok", "content": "The"}),
        delta({"content": " end"}, finish="stop"),
        b"data: [DONE]\n\n",
    ]
    replay_server.queue("/v1/chat/completions", Replay(chunks=stream))
    trace = await record_stream(
        openai(replay_server, http_session), ChatRequest("m", [{"role": "user", "content": "?"}])
    )
    assert list(trace.chunk_kinds) == [CONTENT_KIND, CONTENT_KIND]
    # No usage in this stream: the counts come from the kept texts, reasoning included.
    words = TokenCounting(count_tokens=lambda text: len(text.split()))
    metrics = compute_request_metrics(trace, words)
    assert metrics.reasoning_tokens == 2  # "hm, ok"


async def test_the_adapter_marks_the_second_token_event_of_one_sse_event(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    replay_server.queue("/v1/chat/completions", Replay(chunks=OPENAI_STREAM))
    adapter = openai(replay_server, http_session)
    events = [e async for e in adapter.stream(ChatRequest("m", [{"role": "user", "content": "?"}]))]
    tokens = [(e.kind, e.text, e.same_chunk) for e in events if e.kind in (CONTENT, REASONING)]
    assert tokens == [
        (REASONING, "Let ", False),
        (REASONING, "me see.", False),
        (CONTENT, "The", True),
        (CONTENT, " answer is", False),
        (CONTENT, " 4.", False),
    ]
    assert [e.kind for e in events[:2]] == [SENT, FIRST_BYTE]


async def test_gemini_thought_and_text_parts_in_one_response_are_one_chunk(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    def response(parts: list[dict[str, Any]], finish: str | None = None) -> bytes:
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
        if finish:
            candidate["finishReason"] = finish
        return sse({"candidates": [candidate]})

    path = "/v1beta/models/g:streamGenerateContent"
    replay_server.queue(
        path,
        Replay(
            chunks=[
                response([{"text": "Plan.", "thought": True}, {"text": "Hello"}]),
                response([{"functionCall": {"name": "f", "args": {"x": 1}}}]),
                response([{"text": " world"}], finish="STOP"),
            ]
        ),
    )
    adapter = GeminiAdapter(replay_server.base_url, None, session=http_session)
    trace = await record_stream(adapter, ChatRequest("g", [{"role": "user", "content": "?"}]))
    assert trace.error is None
    assert list(trace.chunk_kinds) == [CONTENT_KIND, TOOL_KIND, CONTENT_KIND]
    assert trace.reasoning_text == "Plan."
    assert trace.output_text == 'Plan.Hello{"x": 1} world'
    metrics = compute_request_metrics(trace)
    assert metrics.ttft_ms == metrics.ttfct_ms


async def test_anthropic_deltas_in_one_read_are_one_chunk(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    def block_delta(kind: str, field: str, text: str) -> bytes:
        payload = {"type": "content_block_delta", "index": 0, "delta": {"type": kind, field: text}}
        return sse(payload, "content_block_delta")

    stream = [
        sse({"type": "message_start", "message": {"usage": {"input_tokens": 3}}}, "message_start"),
        block_delta("thinking_delta", "thinking", "hm"),
        block_delta("text_delta", "text", "A") + block_delta("text_delta", "text", "B"),
        sse({"type": "message_delta", "delta": {"stop_reason": "end_turn"}}, "message_delta"),
        sse({"type": "message_stop"}, "message_stop"),
    ]
    replay_server.queue("/v1/messages", Replay(chunks=stream))
    adapter = AnthropicAdapter(replay_server.base_url, "sk-ant-123456", session=http_session)
    trace = await record_stream(adapter, ChatRequest("c", [{"role": "user", "content": "?"}]))
    assert trace.error is None
    # two SSE events in one write arrive in one read: one chunk with both texts, no 0 ms gap
    assert list(trace.chunk_kinds) == [REASONING_KIND, CONTENT_KIND]
    assert trace.output_text == "hmAB"
    assert len(compute_request_metrics(trace).itl_ms) == 1
    assert trace.reasoning_text == "hm"
    assert trace.finish_reason == "stop"


# ---------------------------------------------------------------- the TTFT origin

GEMINI_OK = [
    sse({"candidates": [{"content": {"parts": [{"text": "hi"}]}, "finishReason": "STOP"}]})
]
ANTHROPIC_OK = [
    sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "hi"}}),
    sse({"type": "message_delta", "delta": {"stop_reason": "end_turn"}}),
    sse({"type": "message_stop"}),
]
OPENAI_OK = [delta({"content": "hi"}, finish="stop"), b"data: [DONE]\n\n"]


def _openai(base: str, session: aiohttp.ClientSession) -> ProviderAdapter:
    return OpenAICompatAdapter(base + "/v1", "sk-123456", session=session)


def _anthropic(base: str, session: aiohttp.ClientSession) -> ProviderAdapter:
    return AnthropicAdapter(base, "sk-123456", session=session)


def _gemini(base: str, session: aiohttp.ClientSession) -> ProviderAdapter:
    return GeminiAdapter(base, "key-123456", session=session)


@pytest.mark.parametrize(
    ("module", "make", "path", "stream"),
    [
        (openai_compat, _openai, "/v1/chat/completions", OPENAI_OK),
        (anthropic, _anthropic, "/v1/messages", ANTHROPIC_OK),
        (gemini, _gemini, "/v1beta/models/m:streamGenerateContent", GEMINI_OK),
    ],
    ids=["openai", "anthropic", "gemini"],
)
async def test_the_body_is_serialized_before_the_send_stamp_for_every_protocol(
    replay_server: ReplayServer,
    http_session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    make: Callable[[str, aiohttp.ClientSession], ProviderAdapter],
    path: str,
    stream: list[bytes],
) -> None:
    log: list[str] = []
    encoded: list[bytes] = []
    real_encode = module.encode_body
    real_clock = engine.perf_counter_ns

    def encode(body: dict[str, Any]) -> bytes:
        log.append("encode")
        encoded.append(real_encode(body))
        return encoded[-1]

    stamps: list[int] = []

    def clock() -> int:
        log.append("clock")
        stamps.append(real_clock())
        return stamps[-1]

    monkeypatch.setattr(module, "encode_body", encode)
    monkeypatch.setattr(engine, "perf_counter_ns", clock)
    replay_server.queue(path, Replay(chunks=stream))
    request = ChatRequest("m", [{"role": "user", "content": "x" * 100_000}], max_tokens=5)
    trace = await record_stream(make(replay_server.base_url, http_session), request)
    assert trace.error is None and len(trace.chunk_ns) == 1
    assert log[:2] == ["encode", "clock"]  # serialized once, then the window opens
    assert log.count("encode") == 1
    assert replay_server.requests[-1]["body"] == encoded[0]  # that body, not a later one
    # the origin is the transport's `sent` stamp: inside the window, before any response byte
    assert trace.first_byte_ns is not None
    assert stamps[0] < trace.sent_ns < trace.first_byte_ns <= trace.chunk_ns[0]


# ---------------------------------------------------------------- cancellation


class HangingAdapter:
    """Sends the first byte, then waits forever: a request in flight."""

    protocol = "fake"

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def _events(self) -> AsyncIterator[StreamEvent]:
        yield StreamEvent(FIRST_BYTE, 1)
        self.started.set()
        await asyncio.Event().wait()

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        return self._events()


async def _cancel_mid_stream(stopping: Callable[[], bool] | None) -> asyncio.Task[Any]:
    adapter = HangingAdapter()
    task = asyncio.create_task(
        record_stream(cast(ProviderAdapter, adapter), ChatRequest("m", []), stopping=stopping)
    )
    await adapter.started.wait()
    task.cancel()
    await asyncio.wait([task])
    return task


async def test_cancel_while_stopping_keeps_a_cancelled_trace() -> None:
    task = await _cancel_mid_stream(lambda: True)
    assert not task.cancelled()
    trace = task.result()
    assert trace.error is not None and trace.error.category == "cancelled"
    assert trace.first_byte_ns == 1


@pytest.mark.parametrize("stopping", [None, lambda: False], ids=["no-stopping", "not-stopping"])
async def test_cancel_when_not_stopping_propagates(stopping: Callable[[], bool] | None) -> None:
    task = await _cancel_mid_stream(stopping)
    assert task.cancelled()


# ---------------------------------------------------------------- the typed fast path's fallback


async def test_unexpected_shapes_and_bad_utf8_take_the_tolerant_path(
    replay_server: ReplayServer, http_session: aiohttp.ClientSession
) -> None:
    stream = [
        delta({"content": "a"}),
        # usage of the wrong type fails typed decoding; the dict path ignores it
        sse({"choices": [{"delta": {"content": "b"}}], "usage": []}),
        b'data: {"choices":[{"delta":{"content":"c\xff"}}]}\n\n',  # invalid UTF-8
        delta({}, finish="stop"),
        b"data: [DONE]\n\n",
    ]
    replay_server.queue("/v1/chat/completions", Replay(chunks=stream))
    trace = await record_stream(
        openai(replay_server, http_session), ChatRequest("m", [{"role": "user", "content": "?"}])
    )
    assert trace.error is None
    assert trace.output_text == "abc\ufffd"
    assert len(trace.chunk_ns) == 3
    assert trace.finish_reason == "stop"
