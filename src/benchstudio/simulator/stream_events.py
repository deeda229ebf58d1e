"""Stream events shared by the wire encoders, and the format-independent stream transforms.

A stream event is `(offset_s, payload, kind, tokens)`: when it is due (seconds after the request
was read), the exact bytes to write, its timing-log kind and how many tokens it carries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii

from benchstudio.simulator import timing_log as kinds

StreamEvent = tuple[float, bytes, int, int]

# json.dumps(str) without the dispatch overhead: the C string encoder json itself uses.
json_string = encode_basestring_ascii


def compact_json(value: object) -> str:
    """JSON without spaces after separators, as the real APIs write their events."""
    return json.dumps(value, separators=(",", ":"))


@dataclass(slots=True)
class StreamContext:
    response_id: str
    model: str
    created: int
    include_usage: bool = True
    include_thoughts: bool = True
    role_chunk: bool = True
    reasoning_field: str = "reasoning_content"


def token_groups(
    tokens: list[str], offsets: list[float], start: int, per_chunk: int
) -> Iterator[tuple[float, str, int]]:
    """Consecutive tokens grouped `per_chunk` at a time: (due offset of the last, text, count).
    `start` is the index of tokens[0] in the plan's offsets."""
    for index in range(0, len(tokens), per_chunk):
        group = tokens[index : index + per_chunk]
        yield offsets[start + index + len(group) - 1], "".join(group), len(group)


def with_comments(events: Iterable[StreamEvent], every: int) -> Iterator[StreamEvent]:
    """SSE comments and blank keep-alive lines, as proxies and some servers send them."""
    yield 0.0, b": keep-alive\n\n", kinds.COMMENT, 0
    for index, event in enumerate(events, start=1):
        yield event
        if index % every == 0:
            payload = b": keep-alive\n\n" if index % (2 * every) else b"\n"
            yield event[0], payload, kinds.COMMENT, 0


def split_data_lines(payload: bytes) -> bytes:
    """The event's JSON split over two `data:` lines after its opening brace (valid SSE: the
    reader joins data lines with a newline, which is whitespace to JSON)."""
    marker = payload.find(b"data: {")
    if marker < 0:
        return payload
    cut = marker + len(b"data: {")
    newline = b"\r\n" if payload.endswith(b"\r\n\r\n") else b"\n"
    return payload[:cut] + newline + b"data: " + payload[cut:]


def with_multiline_data(events: Iterable[StreamEvent]) -> Iterator[StreamEvent]:
    for offset, payload, kind, tokens in events:
        yield offset, split_data_lines(payload), kind, tokens


def with_error_after(
    events: Iterable[StreamEvent], after_events: int, error_payload: bytes
) -> Iterator[StreamEvent]:
    """Cut the stream after `after_events` events and end it with an in-stream error object."""
    last_offset = 0.0
    for index, event in enumerate(events):
        if index >= after_events:
            break
        last_offset = event[0]
        yield event
    yield last_offset, error_payload, kinds.ERROR, 0


def with_malformed_event(events: Iterable[StreamEvent], at_event: int) -> Iterator[StreamEvent]:
    """Replace event number `at_event` (0-based) by its JSON cut in half."""
    for index, event in enumerate(events):
        if index != at_event:
            yield event
            continue
        offset, payload, _kind, _tokens = event
        body = payload.rstrip(b"\r\n")
        ending = payload[len(body) :]
        yield offset, body[: max(len(b"data: {"), len(body) // 2)] + ending, kinds.MALFORMED, 0
