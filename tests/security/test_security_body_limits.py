"""Request bodies are capped at the ASGI edge (issue 15 item 2).

Before the fix a 20 MB anonymous login body was read and parsed whole, a 300 MB body grew the
server by about 1 GB, a 300 MB suite upload was read whole before its 20 MB check, and JSON
nested about 500 deep answered 500. Now: a declared `Content-Length` over the route's cap is a
413 before any byte is read; a chunked body is a 413 as soon as it passes the cap and the rest is
never read; suites (20 MB) and the benchmark import have caps of their own; JSON nested past the
bound is a 422. The tests drive the app with raw ASGI calls and count the bytes it read.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from security_platform import create_app, sign_up
from starlette.types import Message

from benchstudio.config import Settings
from benchstudio.core.input_types import unstorable_value
from benchstudio.evals.suites.domain import MAX_UPLOAD_BYTES
from benchstudio.http.body_limit import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_JSON_DEPTH,
    MB,
    json_nesting_exceeds,
)

CHUNK = 64 * 1024
CANARY = "body-canary-7f3a9c"


@dataclass
class Outcome:
    status: int
    headers: dict[str, str]
    body: bytes
    read: int  # body bytes the app pulled through receive()

    @property
    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = json.loads(self.body)["error"]
        return error


def _chunks(total: int, fill: bytes = b"x") -> Iterator[bytes]:
    sent = 0
    while sent < total:
        size = min(CHUNK, total - sent)
        yield fill * size
        sent += size


def _call(
    app: FastAPI,
    method: str,
    path: str,
    body: Iterator[bytes] | bytes,
    *,
    content_type: str | None = "application/json",
    declared: int | None = None,
) -> Outcome:
    """One raw ASGI request: `declared` sets Content-Length, else the body is chunked."""
    headers = [(b"host", b"testserver")]
    if content_type is not None:
        headers.append((b"content-type", content_type.encode()))
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    else:
        headers.append((b"transfer-encoding", b"chunked"))
    pieces = iter([body]) if isinstance(body, bytes) else body
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    outcome = Outcome(0, {}, b"", 0)
    upcoming = next(pieces, None)

    async def receive() -> Message:
        nonlocal upcoming
        if upcoming is None:
            return {"type": "http.disconnect"}
        chunk, upcoming = upcoming, next(pieces, None)
        outcome.read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": upcoming is not None}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            outcome.status = message["status"]
            outcome.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            outcome.body += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return outcome


@pytest.fixture
def app(sqlite_settings: Settings) -> FastAPI:
    # No lifespan: every refusal here happens at the edge, before a route or the database.
    return create_app(sqlite_settings)


def _assert_refused(outcome: Outcome, status: int, code: str) -> None:
    assert outcome.status == status, (outcome.status, outcome.body[:300])
    error = outcome.error
    assert error["code"] == code
    assert error["message"] and error["request_id"]
    assert outcome.headers.get("x-request-id") == error["request_id"]
    assert outcome.headers.get("x-content-type-options") == "nosniff"


def test_declared_oversize_login_refused_before_reading(app: FastAPI) -> None:
    size = 20 * MB
    outcome = _call(app, "POST", "/api/auth/login", _chunks(size), declared=size)
    _assert_refused(outcome, 413, "payload_too_large")
    assert outcome.read == 0


def test_chunked_oversize_body_stops_at_the_cap(app: FastAPI) -> None:
    size = 300 * MB
    outcome = _call(app, "POST", "/api/auth/login", _chunks(size))
    _assert_refused(outcome, 413, "payload_too_large")
    assert DEFAULT_MAX_BODY_BYTES < outcome.read <= DEFAULT_MAX_BODY_BYTES + CHUNK


def test_chunked_oversize_non_json_body_stops_at_the_cap(app: FastAPI) -> None:
    # Streamed to the route (not read ahead at the edge), still cut off at the cap.
    outcome = _call(app, "POST", "/api/benchmarks", _chunks(50 * MB), content_type="text/plain")
    _assert_refused(outcome, 413, "payload_too_large")
    assert outcome.read <= DEFAULT_MAX_BODY_BYTES + CHUNK


def test_default_cap_applies_to_ordinary_routes(app: FastAPI) -> None:
    size = 3 * MB
    outcome = _call(app, "POST", "/api/benchmarks", _chunks(size), declared=size)
    _assert_refused(outcome, 413, "payload_too_large")
    assert outcome.read == 0


def _multipart(size: int) -> tuple[str, Iterator[bytes]]:
    boundary = "bsboundary1234"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def pieces() -> Iterator[bytes]:
        yield head
        yield from _chunks(size, b" ")
        yield tail

    return f"multipart/form-data; boundary={boundary}", pieces()


def test_suite_upload_has_its_own_cap(app: FastAPI) -> None:
    content_type, body = _multipart(5 * MB)
    outcome = _call(app, "POST", "/api/suites/import", body, content_type=content_type)
    assert outcome.status != 413, outcome.body[:300]
    # 300 MB, chunked: refused once past 20 MB (+ framing), the rest never read.
    content_type, body = _multipart(300 * MB)
    outcome = _call(app, "POST", "/api/suites/import", body, content_type=content_type)
    _assert_refused(outcome, 413, "payload_too_large")
    assert MAX_UPLOAD_BYTES < outcome.read <= MAX_UPLOAD_BYTES + MB + CHUNK
    # Declared: refused before reading.
    size = 300 * MB
    outcome = _call(app, "POST", "/api/suites/import", _chunks(size), declared=size)
    _assert_refused(outcome, 413, "payload_too_large")
    assert outcome.read == 0
    # The JSON suite routes take suites as large as uploads.
    outcome = _call(app, "POST", "/api/suites", b'{"name": "' + b"x" * (5 * MB) + b'"}')
    assert outcome.status != 413


def test_benchmark_import_has_its_own_cap(app: FastAPI) -> None:
    size = 10 * MB  # over the default cap, under the import's
    outcome = _call(app, "POST", "/api/benchmarks/import", _chunks(size), declared=size)
    assert outcome.status != 413, outcome.body[:300]
    size = 300 * MB
    outcome = _call(app, "POST", "/api/benchmarks/import", _chunks(size), declared=size)
    _assert_refused(outcome, 413, "payload_too_large")
    assert outcome.read == 0


def _nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def test_deep_nesting_is_a_422_at_the_edge(app: FastAPI) -> None:
    for depth in (DEFAULT_MAX_JSON_DEPTH + 1, 500, 100_000):
        body = f'{{"email": {_nested(depth)}, "password": "x"}}'.encode()
        outcome = _call(app, "POST", "/api/auth/login", body)
        _assert_refused(outcome, 422, "validation_error")
        assert "nested" in outcome.error["message"]


def test_deep_nesting_in_a_signed_in_submit_is_a_422(sqlite_settings: Settings) -> None:
    with TestClient(create_app(sqlite_settings), raise_server_exceptions=False) as client:
        user = sign_up(client, "nesting@example.com")
        for depth in (200, 500, 5000):
            body = (
                '{"targets": [{"provider_id": "p1", "model_id": "m"}], "prompt": "hi", '
                f'"params": {{"extra": {_nested(depth)}}}}}'
            )
            headers = {**user.headers, "Content-Type": "application/json"}
            for url in ("/api/benchmarks", "/api/benchmarks/preview", "/api/jobs"):
                response = client.post(url, content=body.encode(), headers=headers)
                assert response.status_code == 422, (url, depth, response.text[:300])
                assert response.json()["error"]["code"] == "validation_error"


def test_json_nesting_scanner() -> None:
    assert not json_nesting_exceeds(b'{"a": [1, {"b": [2]}]}', 4)
    assert json_nesting_exceeds(b'{"a": [1, {"b": [2]}]}', 3)
    assert not json_nesting_exceeds(b'{"a": "[[[[[[[[[[", "b": "\\"[[[[["}', 1)
    assert not json_nesting_exceeds(b"[]" * 100_000, 1)
    assert json_nesting_exceeds(b"[" * 1_000_000, 64)
    assert not json_nesting_exceeds(b'["unterminated [[[[[[[[', 1)


def test_unstorable_value_walk_is_iterative() -> None:
    deep: Any = "a\x00b"
    for _ in range(200_000):
        deep = [deep]
    assert unstorable_value(deep) == "text must not contain NUL characters"


def test_refused_bodies_are_not_logged(app: FastAPI, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    big = json.dumps({"email": CANARY, "password": CANARY * (3 * MB // len(CANARY))}).encode()
    _assert_refused(_call(app, "POST", "/api/auth/login", big), 413, "payload_too_large")
    deep = f'{{"email": "{CANARY}", "password": {_nested(1000)}}}'.encode()
    _assert_refused(_call(app, "POST", "/api/auth/login", deep), 422, "validation_error")
    for record in caplog.records:
        assert CANARY not in record.getMessage()
        assert CANARY not in json.dumps(record.__dict__, default=str)
