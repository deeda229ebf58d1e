"""The one read loop every streaming adapter uses: network reads in, typed events out.

Timestamps are taken right after each read returns, before any parsing, so parsing cost never
shifts a measured time. Each wire protocol supplies a `WireParser` that turns SSE events into
`StreamEvent`s; this loop owns first-byte, disconnect, timeout and early-stop handling, and marks
token events that share one chunk (`StreamEvent.same_chunk`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from time import perf_counter_ns
from typing import Any, Protocol

from benchstudio.providers.base import ERROR, FIRST_BYTE, SENT, TOKEN_KINDS, StreamEvent
from benchstudio.providers.byte_stream import ByteStream
from benchstudio.providers.errors import ProviderConnectionError, ProviderError
from benchstudio.providers.sse import SSEDecoder
from benchstudio.providers.transport import READ_ERRORS, SendStamp, map_client_exception

# A count beyond this is no token count a provider could mean (and would overflow a column).
_MAX_COUNT = 2**31 - 1


def wire_dict(value: Any) -> dict[str, Any]:
    """A field read off a parsed body: a wrong type counts as absent, never as a crash."""
    return value if isinstance(value, dict) else {}


def wire_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def wire_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def wire_count(value: Any) -> int | None:
    """A token count or index: an int in range, else absent (bools and floats are not counts)."""
    return value if type(value) is int and 0 <= value <= _MAX_COUNT else None


def load_json(data: bytes) -> Any:
    """The tolerant paths' JSON decode; raises `ValueError` for anything that is not JSON."""
    try:
        return json.loads(data.decode("utf-8", "replace"))
    except RecursionError:  # nested deeper than the decoder goes
        raise ValueError("JSON nested too deeply") from None


def encode_arguments(value: Any, request_id: str) -> str:
    """Tool-call arguments a provider sent as a JSON value (Anthropic, Gemini), as JSON text."""
    try:
        return json.dumps(value or {})
    except RecursionError:  # decoded at a shallower stack than this re-encode
        raise ProviderConnectionError(
            "tool-call arguments nested too deeply", request_id=request_id
        ) from None


def encode_body(body: dict[str, Any]) -> bytes:
    """The request body as sent, by every adapter, before the caller starts its clock."""
    return json.dumps(body).encode()


class WireParser(Protocol):
    """Stateful per-request translator from SSE events to stream events."""

    done: bool

    def feed(self, event: str, data: bytes, t_ns: int, out: list[StreamEvent]) -> None:
        """Append the events of one SSE event to `out`; raises `ProviderError` for an error
        sent in the stream."""
        ...

    def finish(self, t_ns: int, out: list[StreamEvent]) -> None:
        """Append the events at end of stream; raises `ProviderConnectionError` if it was cut
        short."""
        ...


def _mark_same_chunk(events: list[StreamEvent]) -> None:
    """Every token event after the first of one network read belongs to that read's chunk."""
    first = True
    for event in events:
        if event.kind in TOKEN_KINDS and (event.text or event.tool_name):
            if first:
                first = False
            else:
                event.same_chunk = True


async def stream_events(
    open_body: Callable[[], Awaitable[ByteStream]],
    parser: WireParser,
    request_id: str,
    secrets: tuple[str, ...],
    stamp: SendStamp | None = None,
) -> AsyncIterator[StreamEvent]:
    """Open the body, then yield events until the parser is done or the body ends.

    `stamp`, filled by the transport while opening, becomes the `sent` event. Failures before
    the first byte raise. Later failures first yield an `error` event (stamped when the failure
    was seen) and then raise the same `ProviderError`.
    """
    body = await open_body()
    if stamp is not None and stamp.t_ns:
        yield StreamEvent(SENT, stamp.t_ns)
    decoder = SSEDecoder()
    read = body.read  # looked up once: the aiohttp stream's is `readany` itself
    feed = parser.feed
    sse: list[tuple[str, bytes]] = []
    events: list[StreamEvent] = []
    first = True
    finished = False
    try:
        while not parser.done:
            chunk = await read()
            t_ns = perf_counter_ns()
            if chunk:
                if first:
                    first = False
                    yield StreamEvent(FIRST_BYTE, t_ns)
                decoder.feed(chunk, sse)
            else:
                decoder.flush(sse)
            for name, data in sse:
                feed(name, data, t_ns, events)
                if parser.done:
                    break
            sse.clear()
            if events:
                # One read is one network chunk, whatever number of SSE events it carried: one
                # timestamp, one chunk, never a 0 ms gap.
                if len(events) > 1:
                    _mark_same_chunk(events)
                for item in events:
                    yield item
                events.clear()
            if not chunk:
                if not parser.done:
                    parser.finish(t_ns, events)
                    for item in events:
                        yield item
                break
        finished = True
    except ProviderError as exc:
        # The events of this read that came before the failing one happened: deliver them
        # first, as they would have been had the read ended just before the failure.
        if len(events) > 1:
            _mark_same_chunk(events)
        for item in events:
            yield item
        exc.request_id = exc.request_id or request_id
        yield StreamEvent(ERROR, perf_counter_ns(), error=exc)
        raise
    except READ_ERRORS as exc:
        error = map_client_exception(exc, request_id=request_id, secrets=secrets)
        yield StreamEvent(ERROR, perf_counter_ns(), error=error)
        raise error from None
    finally:
        if finished:
            body.release()
        else:
            body.close()  # stopped early: do not return a half-read connection to the pool
