"""Outermost ASGI middleware: client address, request ids, security headers, last-resort 500.

Pure ASGI (not BaseHTTPMiddleware) so it wraps Starlette's own error handling too: every
response, including unhandled exceptions and 404s, gets the headers and the envelope. It
resolves the client's address through the trusted proxies first (`http.client_address`), for
WebSockets too, and sends HSTS over https and always in production.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from benchstudio.core.ids import accept_request_id
from benchstudio.core.logging_setup import request_id_var
from benchstudio.core.redaction import redact
from benchstudio.http.client_address import TrustedProxies, client_ip_var
from benchstudio.http.envelope import envelope_bytes
from benchstudio.http.security_headers import HSTS_HEADER, SECURITY_HEADERS

log = logging.getLogger("benchstudio.http")


class EdgeMiddleware:
    def __init__(
        self, app: ASGIApp, *, production: bool = False, trusted_proxies: Sequence[str] = ()
    ) -> None:
        self.app = app
        self.production = production
        self.proxies = TrustedProxies(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        self.proxies.apply(scope)
        client = scope.get("client")
        ip_token = client_ip_var.set(client[0] if client else None)
        try:
            await self._serve(scope, receive, send)
        finally:
            client_ip_var.reset(ip_token)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = accept_request_id(incoming)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 0, "sent": False}
        hsts = self.production or scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["sent"] = True
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {name for name, _ in SECURITY_HEADERS}
                ]
                headers.extend(SECURITY_HEADERS)
                if hsts:
                    headers.append(HSTS_HEADER)
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error", extra={"path": redact(scope.get("path", ""))})
            if status_holder["sent"]:
                raise
            body = envelope_bytes("internal_error", "Internal server error.", request_id)
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            status_holder["status"] = 500
        finally:
            log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "path": redact(scope.get("path", "")),
                    "status": status_holder["status"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)
