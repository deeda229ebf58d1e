"""`stream_events` over scripted reads (`MemoryByteStream`): one read is one chunk with one
timestamp taken right after it returns; events split across reads land at the read that
completes them; early stop and failures close the body instead of releasing it."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from benchstudio.providers import streaming
from benchstudio.providers.base import CONTENT, ERROR, FINISH, FIRST_BYTE, SENT, StreamEvent
from benchstudio.providers.byte_stream import MemoryByteStream
from benchstudio.providers.errors import ProviderConnectionError, ServerError
from benchstudio.providers.openai_compat import OpenAIStreamParser
from benchstudio.providers.streaming import stream_events
from benchstudio.providers.transport import SendStamp


def delta(text: str | None = None, finish: str | None = None) -> bytes:
    fields = {} if text is None else {"content": text}
    chunk = {
        "object": "chat.completion.chunk",
        "choices": [{"delta": fields, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


DONE = b"data: [DONE]\n\n"


@pytest.fixture(autouse=True)
def read_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each clock reading is the next integer: read n (from 1) is stamped n."""
    ticks = itertools.count(1)
    monkeypatch.setattr(streaming, "perf_counter_ns", lambda: next(ticks))


def run(body: MemoryByteStream, stamp: SendStamp | None = None) -> Any:
    async def open_body() -> MemoryByteStream:
        return body

    return stream_events(open_body, OpenAIStreamParser("req-1", ()), "req-1", (), stamp)


async def collect(body: MemoryByteStream) -> list[StreamEvent]:
    return [event async for event in run(body)]


async def collect_until_raised(body: MemoryByteStream, seen: list[StreamEvent]) -> None:
    async for event in run(body):
        seen.append(event)


def tokens(events: list[StreamEvent]) -> list[tuple[str | None, int, bool]]:
    return [(e.text, e.t_ns, e.same_chunk) for e in events if e.kind == CONTENT]


async def test_an_event_split_across_reads_is_stamped_at_the_read_that_completes_it() -> None:
    whole = delta("Hello")
    body = MemoryByteStream([whole[:9], whole[9:20], whole[20:], delta(finish="stop"), DONE])
    events = await collect(body)
    assert [(e.kind, e.t_ns) for e in events if e.kind == FIRST_BYTE] == [(FIRST_BYTE, 1)]
    assert tokens(events) == [("Hello", 3, False)]
    assert [(e.kind, e.finish_reason) for e in events if e.kind == FINISH] == [(FINISH, "stop")]
    assert body.released and not body.closed


async def test_several_events_in_one_read_share_its_timestamp_and_chunk() -> None:
    body = MemoryByteStream([delta("A"), delta("B") + delta("C") + delta("D"), DONE])
    events = await collect(body)
    assert tokens(events) == [("A", 1, False), ("B", 2, False), ("C", 2, True), ("D", 2, True)]
    assert body.released


async def test_the_send_stamp_comes_first_then_the_first_byte() -> None:
    stamp = SendStamp()
    stamp.t_ns = 42  # the transport fills it while opening
    events = [e async for e in run(MemoryByteStream([delta("A"), DONE]), stamp)]
    assert [(e.kind, e.t_ns) for e in events[:2]] == [(SENT, 42), (FIRST_BYTE, 1)]


async def test_stopping_early_closes_the_body_and_reads_no_further() -> None:
    body = MemoryByteStream([delta("A"), delta("B"), delta("C"), DONE])
    stream = run(body)
    async for event in stream:
        if event.kind == CONTENT:
            break
    await stream.aclose()
    assert body.closed and not body.released
    assert body.reads_done == 1


async def test_a_read_failing_mid_stream_yields_an_error_event_then_raises() -> None:
    body = MemoryByteStream([delta("A"), ConnectionResetError("peer reset")])
    seen: list[StreamEvent] = []
    with pytest.raises(ProviderConnectionError, match="peer reset") as raised:
        await collect_until_raised(body, seen)
    assert tokens(seen) == [("A", 1, False)]
    error = seen[-1]
    assert error.kind == ERROR and error.error is raised.value
    assert raised.value.request_id == "req-1"
    assert body.closed and not body.released


async def test_an_error_object_inside_the_stream_is_raised_after_an_error_event() -> None:
    failure = b'data: {"error": {"message": "overloaded", "code": 500}}\n\n'
    body = MemoryByteStream([delta("A"), failure])
    seen: list[StreamEvent] = []
    with pytest.raises(ServerError):
        await collect_until_raised(body, seen)
    assert seen[-1].kind == ERROR and body.closed


async def test_a_body_ending_before_the_finish_is_a_connection_error() -> None:
    body = MemoryByteStream([delta("A")])
    with pytest.raises(ProviderConnectionError):
        await collect(body)
    assert body.closed
