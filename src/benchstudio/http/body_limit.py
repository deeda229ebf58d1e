"""Request-body caps and a JSON nesting bound, enforced at the ASGI edge (issue 15 item 2).

Pure ASGI, inside `EdgeMiddleware` (so refusals carry the request id and security headers):

- a `Content-Length` over the route's cap is refused with 413 before a byte of the body is read;
- a body without one (chunked) is counted while it is read, and refused with 413 as soon as it
  passes the cap: the rest is never read;
- JSON bodies (and bodies without a content type, which FastAPI parses as JSON) are read here,
  under the cap, and refused with 422 when nested deeper than `max_json_depth`, before any
  parser sees them; other bodies stream through to the route, counted.

Refusals never echo or log the body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from benchstudio.http.envelope import envelope_bytes

MB = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = 2 * MB
DEFAULT_MAX_JSON_DEPTH = 64
# Bodies above this size have their nesting measured in a worker thread (off the event loop).
_THREAD_SCAN_BYTES = 256 * 1024

_SPECIAL = re.compile(rb'[\[\]{}"]')
# The rest of a JSON string after its opening quote (escapes included), up to the closing quote.
_STRING_REST = re.compile(rb'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def json_nesting_exceeds(body: bytes, limit: int) -> bool:
    """Whether JSON text nests arrays/objects deeper than `limit` (brackets in strings ignored).

    Linear and iterative; stops at the first level past the limit. Invalid JSON is left to the
    parser (an unterminated string ends the scan).
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    position = 0
    search = _SPECIAL.search
    while (found := search(body, position)) is not None:
        char = found.group()
        position = found.end()
        if char == b'"':
            rest = _STRING_REST.match(body, position)
            if rest is None:
                return False
            position = rest.end()
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


@dataclass(frozen=True)
class BodyRule:
    """A route (method and full-path pattern) with a cap of its own."""

    method: str
    path: str  # a regular expression matched against the whole path
    max_bytes: int
    # False for routes that parse the body themselves with their own depth handling (streamed).
    check_nesting: bool = True

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and re.fullmatch(self.path, path) is not None


@dataclass(frozen=True)
class BodyLimits:
    default_max_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH
    rules: Sequence[BodyRule] = ()

    def for_request(self, method: str, path: str) -> tuple[int, bool]:
        for rule in self.rules:
            if rule.matches(method, path):
                return rule.max_bytes, rule.check_nesting
        return self.default_max_bytes, True


class BodyTooLargeError(HTTPException):
    """Raised from `receive()` when a streamed body passes its cap; rendered as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large_message(limit))


def _too_large_message(limit: int) -> str:
    size = f"{limit // MB} MB" if limit >= MB else f"{limit // 1024} KB"
    return f"The request body is larger than this route accepts ({size})."


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value)
    return None


def _declared_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw)


def _parsed_as_json(scope: Scope) -> bool:
    raw = _header(scope, b"content-type")
    if raw is None or not raw.strip():
        return True
    media = raw.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
    request_id = scope.get("state", {}).get("request_id")
    body = envelope_bytes(code, message, request_id if isinstance(request_id, str) else None)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: BodyLimits | None = None) -> None:
        self.app = app
        self.limits = limits or BodyLimits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap, check_nesting = self.limits.for_request(scope["method"], scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > cap:
            await _refuse(scope, send, 413, "payload_too_large", _too_large_message(cap))
            return
        has_body = bool(declared) or _header(scope, b"transfer-encoding") is not None
        if check_nesting and has_body and _parsed_as_json(scope):
            await self._buffered(scope, receive, send, cap)
        else:
            await self._streamed(scope, receive, send, cap)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                await _refuse(scope, send, 413, "payload_too_large", _too_large_message(cap))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        chunks.clear()
        limit = self.limits.max_json_depth
        if len(body) > _THREAD_SCAN_BYTES:
            too_deep = await anyio.to_thread.run_sync(json_nesting_exceeds, body, limit)
        else:
            too_deep = json_nesting_exceeds(body, limit)
        if too_deep:
            message_text = f"Invalid request: JSON nested deeper than {limit} levels."
            await _refuse(scope, send, 422, "validation_error", message_text)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        size = 0
        started = False

        async def counted() -> Message:
            nonlocal size
            if size > cap:  # refused already: never read the rest
                raise BodyTooLargeError(cap)
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > cap:
                    raise BodyTooLargeError(cap)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if size > cap and not started:
                return  # whatever the route made of the error, the answer is our 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLargeError:
            if started:
                raise
        if size > cap and not started:
            await _refuse(scope, send, 413, "payload_too_large", _too_large_message(cap))
