"""The one read loop every streaming adapter uses: network reads in, typed events out.

Timestamps are taken right after each read returns, before any parsing, so parsing cost never
shifts a measured time. Each wire protocol supplies a `WireParser` that turns SSE events into
`StreamEvent`s; this loop owns first-byte, disconnect, timeout and early-stop handling.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from time import perf_counter_ns
from typing import Protocol

import aiohttp

from benchstudio.providers.base import ERROR, FIRST_BYTE, StreamEvent
from benchstudio.providers.errors import ProviderError
from benchstudio.providers.sse import SSEDecoder
from benchstudio.providers.transport import map_client_exception


class WireParser(Protocol):
    """Stateful per-request translator from SSE events to stream events."""

    done: bool

    def feed(self, event: str, data: str, t_ns: int) -> list[StreamEvent]:
        """Events for one SSE event; raises `ProviderError` for an error sent in the stream."""
        ...

    def finish(self, t_ns: int) -> list[StreamEvent]:
        """Events at end of stream; raises `ProviderConnectionError` if it was cut short."""
        ...


async def stream_events(
    open_response: Callable[[], Awaitable[aiohttp.ClientResponse]],
    parser: WireParser,
    request_id: str,
    secrets: tuple[str, ...],
) -> AsyncIterator[StreamEvent]:
    """Open the response, then yield events until the parser is done or the body ends.

    Failures before the first byte raise. Later failures first yield an `error` event (stamped
    when the failure was seen) and then raise the same `ProviderError`.
    """
    resp = await open_response()
    decoder = SSEDecoder()
    read = resp.content.readany
    first = True
    finished = False
    try:
        while not parser.done:
            chunk = await read()
            t_ns = perf_counter_ns()
            if not chunk:
                for name, data in decoder.flush():
                    for item in parser.feed(name, data, t_ns):
                        yield item
                if not parser.done:
                    for item in parser.finish(t_ns):
                        yield item
                break
            if first:
                first = False
                yield StreamEvent(FIRST_BYTE, t_ns)
            for name, data in decoder.feed(chunk):
                for item in parser.feed(name, data, t_ns):
                    yield item
                if parser.done:
                    break
        finished = True
    except ProviderError as exc:
        exc.request_id = exc.request_id or request_id
        yield StreamEvent(ERROR, perf_counter_ns(), error=exc)
        raise
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        error = map_client_exception(exc, request_id=request_id, secrets=secrets)
        yield StreamEvent(ERROR, perf_counter_ns(), error=error)
        raise error from None
    finally:
        if finished:
            resp.release()
        else:
            resp.close()  # stopped early: do not return a half-read connection to the pool
