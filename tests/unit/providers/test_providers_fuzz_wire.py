"""Fuzz: the OpenAI, Anthropic and Gemini stream and completion parsers, fed garbage.

Whatever a server sends, a stream gives well-typed events and ends normally or with a
`ProviderError` (the closed tree); a completion body gives a `ChatResponse` or a
`ProviderError`. Never another exception, never a hang.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from benchstudio.providers.anthropic import AnthropicStreamParser, parse_anthropic_message
from benchstudio.providers.base import ERROR, StreamEvent, Usage
from benchstudio.providers.byte_stream import MemoryByteStream
from benchstudio.providers.errors import ProviderError
from benchstudio.providers.gemini import GeminiStreamParser, parse_gemini_response
from benchstudio.providers.openai_compat import OpenAIStreamParser, parse_openai_completion
from benchstudio.providers.streaming import WireParser, stream_events
from fuzz_inputs import deep_json, dumps, fuzz_settings, json_values, mutated

OPENAI_EVENTS: list[tuple[str, Any]] = [
    ("", {"choices": [{"delta": {"role": "assistant", "reasoning_content": "hm"}}]}),
    ("", {"choices": [{"delta": {"content": "Hi"}, "finish_reason": None}]}),
    (
        "",
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {"index": 0, "id": "c1", "function": {"name": "f", "arguments": "{"}}
                        ]
                    }
                }
            ]
        },
    ),
    ("", {"choices": [{"delta": {}, "finish_reason": "stop"}]}),
    (
        "",
        {
            "choices": [],
            "usage": {
                "prompt_tokens": 5,
                "completion_tokens": 2,
                "completion_tokens_details": {"reasoning_tokens": 1},
                "prompt_tokens_details": {"cached_tokens": 1},
            },
        },
    ),
    ("", {"error": {"message": "overloaded", "code": 503}}),
]
ANTHROPIC_EVENTS: list[tuple[str, Any]] = [
    (
        "message_start",
        {"type": "message_start", "message": {"usage": {"input_tokens": 3, "output_tokens": 1}}},
    ),
    (
        "content_block_start",
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": "a"}},
    ),
    (
        "content_block_delta",
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "b"}},
    ),
    (
        "content_block_start",
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": '{"a'},
        },
    ),
    (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 4},
        },
    ),
    ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "busy"}}),
    ("message_stop", {"type": "message_stop"}),
]
GEMINI_EVENTS: list[tuple[str, Any]] = [
    ("", {"candidates": [{"content": {"parts": [{"text": "think", "thought": True}]}}]}),
    (
        "",
        {
            "candidates": [
                {
                    "content": {
                        "parts": [{"text": "Hi"}, {"functionCall": {"name": "f", "args": {"a": 1}}}]
                    },
                    "finishReason": "STOP",
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 4,
                "candidatesTokenCount": 2,
                "thoughtsTokenCount": 1,
            },
        },
    ),
    ("", {"promptFeedback": {"blockReason": "SAFETY"}}),
    ("", [{"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}]),
]
PARSERS: dict[str, tuple[Callable[[], WireParser], list[tuple[str, Any]]]] = {
    "openai": (lambda: OpenAIStreamParser("r", ("sk-secret",)), OPENAI_EVENTS),
    "anthropic": (lambda: AnthropicStreamParser("r", ("sk-secret",)), ANTHROPIC_EVENTS),
    "gemini": (lambda: GeminiStreamParser("r", ("sk-secret",)), GEMINI_EVENTS),
}
protocols = st.sampled_from(sorted(PARSERS))


def sse(events: list[tuple[str, bytes]]) -> bytes:
    return b"".join(
        (b"event: " + name.encode() + b"\n" if name else b"") + b"data: " + data + b"\n\n"
        for name, data in events
    )


def check_usage(usage: Usage) -> None:
    for count in (
        usage.input_tokens,
        usage.output_tokens,
        usage.reasoning_tokens,
        usage.cached_input_tokens,
    ):
        assert count is None or (type(count) is int), usage


def check_event(event: StreamEvent) -> None:
    """What every consumer (metrics, tool-call assembly, the UI) relies on."""
    assert isinstance(event.text, str), event
    assert event.tool_index is None or type(event.tool_index) is int, event
    assert event.tool_id is None or isinstance(event.tool_id, str), event
    assert event.tool_name is None or isinstance(event.tool_name, str), event
    assert event.finish_reason is None or isinstance(event.finish_reason, str), event
    if event.usage is not None:
        check_usage(event.usage)


def run_stream(protocol: str, reads: list[bytes]) -> list[StreamEvent]:
    """The adapter's real read loop over scripted reads; a `ProviderError` is a valid end."""
    make_parser, _ = PARSERS[protocol]

    async def consume() -> list[StreamEvent]:
        async def open_body() -> MemoryByteStream:
            return MemoryByteStream(reads)

        events: list[StreamEvent] = []
        try:
            async for event in stream_events(open_body, make_parser(), "r", ("sk-secret",)):
                events.append(event)
        except ProviderError:
            assert events and events[-1].kind == ERROR
        return events

    events = asyncio.run(consume())
    for event in events:
        check_event(event)
    return events


@st.composite
def wire_events(draw: st.DrawFn, protocol: str) -> list[tuple[str, bytes]]:
    """A stream of this protocol's valid events, some mutated, some replaced by garbage."""
    _, valid = PARSERS[protocol]
    picked = draw(st.lists(st.sampled_from(valid), min_size=1, max_size=5))
    events = []
    for name, doc in picked:
        kind = draw(st.sampled_from(["valid", "mutated", "mutated", "json", "bytes"]))
        if kind == "valid":
            data = dumps(doc).encode()
        elif kind == "mutated":
            data = dumps(draw(mutated(doc))).encode()
        elif kind == "json":
            data = dumps(draw(json_values)).encode()
        else:
            data = draw(st.binary(max_size=40)).replace(b"\n", b" ")
        events.append((draw(st.sampled_from([name, "", "error", "message_stop"])), data))
    return events


@fuzz_settings(400)
@given(protocols.flatmap(lambda protocol: st.tuples(st.just(protocol), wire_events(protocol))))
@example(("openai", [("", deep_json(5000))]))  # was: RecursionError
@example(("openai", [("", b'{"choices": {"a": 1}}')]))  # was: KeyError
@example(("openai", [("", b'{"choices": [{"delta": {"content": 5}}], "x": NaN}')]))  # int text
@example(("openai", [("", b'{"choices": [], "usage": {"prompt_tokens": "5"}}')]))  # str count
@example(
    (
        "anthropic",
        [
            (
                "",
                b'{"type": "content_block_start", "index": [], "content_block": '
                b'{"type": "tool_use"}}',
            )
        ],
    )
)  # was: TypeError (unhashable index)
@example(("anthropic", [("", b'{"type": "message_start", "message": []}')]))  # AttributeError
@example(("gemini", [("", b'{"candidates": [{"finishReason": 1}], "promptFeedback": null}')]))
def test_streams_give_typed_events_or_a_provider_error(
    stream: tuple[str, list[tuple[str, bytes]]],
) -> None:
    protocol, events = stream
    run_stream(protocol, [sse(events)])


def observed(events: list[StreamEvent]) -> list[tuple[Any, ...]]:
    """What a consumer reads of a stream, timestamps and chunk marks aside."""
    return [
        (
            e.kind,
            e.text,
            e.tool_index,
            e.tool_id,
            e.tool_name,
            e.usage,
            e.finish_reason,
            str(e.error),
        )
        for e in events
        if e.kind != "first_byte"
    ]


def split(raw: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(raw) + 1) for cut in cuts})
    return [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True) if a < b]


@fuzz_settings(150)
@given(
    protocols.flatmap(lambda protocol: st.tuples(st.just(protocol), wire_events(protocol))),
    st.lists(st.integers(min_value=0), max_size=8),
)
# was: the events parsed from a read before a failing event in that same read were dropped
@example(("anthropic", [("", dumps(ANTHROPIC_EVENTS[1][1]).encode()), ("", b"")]), [99])
def test_network_chunking_does_not_change_a_streams_events(
    stream: tuple[str, list[tuple[str, bytes]]], cuts: list[int]
) -> None:
    protocol, events = stream
    raw = sse(events)
    assert observed(run_stream(protocol, split(raw, cuts))) == observed(run_stream(protocol, [raw]))


@fuzz_settings(100)
@given(protocols, st.binary(max_size=300), st.lists(st.integers(min_value=0), max_size=5))
def test_streams_of_raw_bytes(protocol: str, raw: bytes, cuts: list[int]) -> None:
    run_stream(protocol, split(raw, cuts))


@fuzz_settings(60)
@given(protocols, st.integers(min_value=900, max_value=20_000))
@example("gemini", 5000)  # was: RecursionError from msgspec, inside a valid envelope
def test_deeply_nested_chunks(protocol: str, depth: int) -> None:
    deep = deep_json(depth)
    # Deep where the typed decoders read `Any` (usage, tool calls, function-call arguments).
    envelope = (
        b'{"type": "message_start", "choices": [{"delta": {"tool_calls": [{"function": '
        + deep
        + b'}]}}], "usage": '
        + deep
        + b', "candidates": [{"content": {"parts": [{"functionCall": {"args": '
        + deep
        + b"}}]}}]}"
    )
    for data in (deep, b"{" * depth, envelope):  # each its own stream: the first error ends one
        run_stream(protocol, [sse([("", data)])])


COMPLETIONS: dict[str, tuple[Callable[[Any, int, str], Any], Any]] = {
    "openai": (
        parse_openai_completion,
        {
            "model": "m",
            "choices": [
                {
                    "message": {
                        "content": "Hi",
                        "reasoning_content": "hm",
                        "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": "{}"}}],
                    },
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 2},
        },
    ),
    "anthropic": (
        parse_anthropic_message,
        {
            "model": "m",
            "content": [
                {"type": "thinking", "thinking": "hm"},
                {"type": "text", "text": "Hi"},
                {"type": "tool_use", "id": "t", "name": "f", "input": {"a": 1}},
            ],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 1, "output_tokens": 2, "cache_read_input_tokens": 1},
        },
    ),
    "gemini": (
        parse_gemini_response,
        {
            "modelVersion": "m",
            "candidates": [
                {
                    "content": {
                        "parts": [
                            {"text": "hm", "thought": True},
                            {"text": "Hi"},
                            {"functionCall": {"name": "f", "args": {"a": 1}}},
                        ]
                    },
                    "finishReason": "STOP",
                }
            ],
            "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 2},
        },
    ),
}


def _deep_list(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):  # built without recursion, as a JSON decoder at a shallow stack would
        value = [value]
    return value


# Deeper than any recursion limit (Hypothesis raises it while a test runs).
DEEP = _deep_list(50_000)


@fuzz_settings(300)
@given(
    protocols.flatmap(
        lambda protocol: st.tuples(
            st.just(protocol), st.one_of(mutated(COMPLETIONS[protocol][1]), json_values)
        )
    )
)
# was: RecursionError re-encoding arguments decoded at a shallower stack
@example(("anthropic", {"content": [{"type": "tool_use", "input": DEEP}]}))
@example(("gemini", {"candidates": [{"content": {"parts": [{"functionCall": {"args": DEEP}}]}}]}))
@example(("gemini", None))  # was: AttributeError
def test_completion_bodies_give_a_response_or_a_provider_error(case: tuple[str, Any]) -> None:
    protocol, body = case
    parse = COMPLETIONS[protocol][0]
    try:
        response = parse(body, 1, "r")
    except ProviderError:
        return
    assert isinstance(response.content, str)
    assert isinstance(response.reasoning, str)
    assert response.finish_reason is None or isinstance(response.finish_reason, str)
    check_usage(response.usage)
    for call in response.tool_calls:
        assert isinstance(call.id, str) and isinstance(call.name, str)
        assert isinstance(call.arguments, str)
