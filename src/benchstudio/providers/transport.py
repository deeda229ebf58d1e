"""HTTP plumbing shared by the adapters: requests on an injected aiohttp session, error mapping.

The adapters own their hot loops; this module only opens the response (mapping failures to the
closed error tree) and performs the small JSON calls (non-streaming, model lists). aiohttp's
types stay here: a streamed body leaves as a `ByteStream`, and `READ_ERRORS` names what a read
may raise.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine, Mapping
from time import perf_counter_ns
from types import SimpleNamespace
from typing import Any

import aiohttp

from benchstudio import __version__
from benchstudio.core.net import egress_denial_of
from benchstudio.providers.byte_stream import ByteStream
from benchstudio.providers.errors import (
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    ServerError,
    error_from_status,
)

USER_AGENT = f"benchstudio/{__version__}"
# What reading a streamed body may raise besides a `ProviderError` (see `map_client_exception`).
READ_ERRORS: tuple[type[BaseException], ...] = (TimeoutError, aiohttp.ClientError, OSError)


class EgressBlockedError(ProviderConnectionError):
    """The egress guard refused the destination; retrying cannot help."""

    retryable = False


def map_client_exception(
    exc: BaseException, *, request_id: str | None, secrets: tuple[str, ...]
) -> ProviderError:
    """Turn aiohttp/asyncio exceptions into the closed tree (messages sanitised)."""
    if isinstance(exc, ProviderError):
        return exc
    denial = egress_denial_of(exc)
    if denial is not None:
        return EgressBlockedError(str(denial), request_id=request_id, secrets=secrets)
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return ProviderTimeoutError(
            "no response within the timeout", request_id=request_id, secrets=secrets
        )
    kind = type(exc).__name__
    detail = str(exc) or kind
    return ProviderConnectionError(f"{kind}: {detail}", request_id=request_id, secrets=secrets)


def request_timeout(session: aiohttp.ClientSession, seconds: float | None) -> aiohttp.ClientTimeout:
    """Per-request total timeout, else the session's own: aiohttp reads an explicit
    `timeout=None` as "no timeout at all", not as "the session's default"."""
    return aiohttp.ClientTimeout(total=seconds) if seconds else session.timeout


def secrets_of(api_key: str | None, extra_headers: Mapping[str, str] | None) -> tuple[str, ...]:
    """Every value that must never appear in an error message: the key and each extra header
    value (users put tokens there too)."""
    values = [api_key or "", *(extra_headers or {}).values()]
    return tuple(v for v in values if len(v) >= 4)


class SendStamp:
    """When a streamed request's body was handed to the socket (`perf_counter_ns`; 0: unseen).

    The TTFT origin, as close to the wire as aiohttp lets us see: after it built the request and
    took (or opened) a connection, the work a client adds and a server never sees.
    """

    __slots__ = ("t_ns",)

    def __init__(self) -> None:
        self.t_ns = 0


async def _on_body_sent(
    _session: aiohttp.ClientSession,
    context: SimpleNamespace,
    _params: aiohttp.TraceRequestChunkSentParams,
) -> None:
    stamp = context.trace_request_ctx
    if type(stamp) is SendStamp:
        stamp.t_ns = perf_counter_ns()  # aiohttp calls this just before writing the bytes


_SEND_TRACE = aiohttp.TraceConfig()
_SEND_TRACE.on_request_chunk_sent.append(_on_body_sent)
_SEND_TRACE.freeze()


class ResponseStream:
    """A `ByteStream` over an aiohttp response. `read` is the response's own bound `readany`,
    so a read costs what it cost before this seam existed (no wrapper coroutine)."""

    __slots__ = ("_response", "read")

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.read: Callable[[], Coroutine[Any, Any, bytes]] = response.content.readany

    def release(self) -> None:
        self._response.release()

    def close(self) -> None:
        self._response.close()


class HttpTransport:
    """Binds a session, headers and secrets; every call sends `X-Request-Id`."""

    __slots__ = ("headers", "secrets", "session")

    def __init__(
        self, session: aiohttp.ClientSession, headers: Mapping[str, str], secrets: tuple[str, ...]
    ) -> None:
        self.session = session
        self.headers = {"User-Agent": USER_AGENT, **headers}
        self.secrets = secrets
        if _SEND_TRACE not in session.trace_configs:
            # The session's own list, read for each request it starts; requests without a
            # `SendStamp` pass through the callback untouched.
            session.trace_configs.append(_SEND_TRACE)

    def _headers(self, request_id: str, streaming: bool) -> dict[str, str]:
        headers = dict(self.headers)
        headers["X-Request-Id"] = request_id
        headers["Accept"] = "text/event-stream" if streaming else "application/json"
        return headers

    async def _raise_for_status(self, resp: aiohttp.ClientResponse, request_id: str) -> None:
        if resp.status < 400:
            return
        body = await resp.text(errors="replace")
        raise error_from_status(
            resp.status, body, resp.headers, request_id=request_id, secrets=self.secrets
        )

    async def post_stream(
        self,
        url: str,
        body: bytes,
        request_id: str,
        timeout_s: float | None,
        stamp: SendStamp | None = None,
    ) -> ByteStream:
        """POST and return the streamed body once the status is known to be 2xx.

        `stamp` receives the instant the body went to the socket. The caller must `release()`
        the stream when fully read or `close()` it when stopping early.
        """
        headers = self._headers(request_id, streaming=True)
        headers["Content-Type"] = "application/json"
        try:
            resp = await self.session.post(
                url,
                data=body,
                headers=headers,
                timeout=request_timeout(self.session, timeout_s),
                trace_request_ctx=stamp,
            )
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise map_client_exception(exc, request_id=request_id, secrets=self.secrets) from None
        try:
            await self._raise_for_status(resp, request_id)
        except ProviderError:
            resp.release()
            raise
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            resp.close()
            raise map_client_exception(exc, request_id=request_id, secrets=self.secrets) from None
        return ResponseStream(resp)

    async def request_json(
        self,
        method: str,
        url: str,
        request_id: str,
        *,
        payload: dict[str, Any] | None = None,
        timeout_s: float | None = None,
    ) -> Any:
        """One JSON call; returns the decoded body or raises a `ProviderError`."""
        headers = self._headers(request_id, streaming=False)
        data = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(payload).encode()
        try:
            async with self.session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=request_timeout(self.session, timeout_s),
            ) as resp:
                await self._raise_for_status(resp, request_id)
                text = await resp.text(errors="replace")
        except ProviderError:
            raise
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise map_client_exception(exc, request_id=request_id, secrets=self.secrets) from None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):  # nested deeper than the parser goes
            raise ServerError(
                "response body is not JSON", request_id=request_id, secrets=self.secrets
            ) from None
