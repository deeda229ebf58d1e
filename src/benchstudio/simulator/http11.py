"""A minimal HTTP/1.1 reader and writer for the simulator: keep-alive, Content-Length or
chunked request bodies, Expect: 100-continue, chunked streaming responses."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_BODY_BYTES = 64 * 1024 * 1024
LAST_CHUNK = b"0\r\n\r\n"


class HttpProtocolError(Exception):
    """The client sent something that is not acceptable HTTP/1.1; answer `status` and close."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased; repeated headers joined with ", "
    body: bytes
    keep_alive: bool

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    try:
        text = head.decode("latin-1")
        request_line, *header_lines = text.split("\r\n")
        method, target, version = request_line.split(" ")
    except ValueError as exc:
        raise HttpProtocolError(400, "malformed request line") from exc
    if not version.startswith("HTTP/1."):
        raise HttpProtocolError(505, "only HTTP/1.x is supported")
    headers: dict[str, str] = {}
    for line in header_lines:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpProtocolError(400, "malformed header line")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return method, target, version, headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError as exc:
            raise HttpProtocolError(400, "bad chunk size") from exc
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return b"".join(parts)
        total += size
        if total > MAX_BODY_BYTES:
            raise HttpProtocolError(413, "request body too large")
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> HttpRequest | None:
    """The next request on the connection, or None when the client closed it cleanly."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise HttpProtocolError(400, "incomplete request head") from exc
    except asyncio.LimitOverrunError as exc:
        raise HttpProtocolError(431, "request head too large") from exc
    method, target, version, headers = _parse_head(head[:-4])
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    else:
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError as exc:
            raise HttpProtocolError(400, "bad content-length") from exc
        if length < 0 or length > MAX_BODY_BYTES:
            raise HttpProtocolError(413, "request body too large")
        body = await reader.readexactly(length) if length else b""
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
    split = urlsplit(target)
    query = dict(parse_qsl(split.query, keep_blank_values=True))
    return HttpRequest(method, unquote(split.path), query, headers, body, keep_alive)


def response_head(
    status: int,
    headers: dict[str, str],
    keep_alive: bool,
    content_length: int | None = None,
) -> bytes:
    """Status line and headers; chunked transfer encoding when no content length is given."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines.extend(f"{name}: {value}" for name, value in headers.items())
    if content_length is None:
        lines.append("transfer-encoding: chunked")
    else:
        lines.append(f"content-length: {content_length}")
    lines.append("connection: keep-alive" if keep_alive else "connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def json_response(status: int, body: Any, headers: dict[str, str], keep_alive: bool) -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    all_headers = {"content-type": "application/json", **headers}
    return response_head(status, all_headers, keep_alive, len(payload)) + payload


def chunk(data: bytes) -> bytes:
    """One HTTP/1.1 chunk (the streaming driver writes one per batch of due events)."""
    return b"%x\r\n%b\r\n" % (len(data), data)
