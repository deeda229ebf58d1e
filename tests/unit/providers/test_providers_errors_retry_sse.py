"""Error mapping and sanitising, the retry policy, and the SSE decoder."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from benchstudio.providers.base import ChatRequest, HealthStatus, ModelInfo, StreamEvent
from benchstudio.providers.errors import (
    AuthError,
    BadRequestError,
    ContentFilteredError,
    ContextOverflowError,
    NotFoundError,
    ProviderError,
    RateLimitedError,
    ServerError,
    error_from_status,
    sanitize,
)
from benchstudio.providers.retry import RetryPolicy, call_with_retry, stream_with_retry
from benchstudio.providers.sse import SSEDecoder


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (401, "{}", AuthError),
        (403, "{}", AuthError),
        (404, '{"error":{"message":"model not found"}}', NotFoundError),
        (429, "{}", RateLimitedError),
        (
            400,
            '{"type":"error","error":{"type":"invalid_request_error",'
            '"message":"prompt is too long: 210000 tokens > 200000 maximum"}}',
            ContextOverflowError,
        ),
        (400, '{"error":{"code":"content_filter","message":"filtered"}}', ContentFilteredError),
        (400, '{"error":{"message":"bad"}}', BadRequestError),
        (500, "oops", ServerError),
        (529, '{"type":"error","error":{"type":"overloaded_error"}}', ServerError),
        (
            400,
            '[{"error":{"code":400,"message":"The input token count exceeds the maximum '
            'number of tokens allowed","status":"INVALID_ARGUMENT"}}]',
            ContextOverflowError,
        ),
    ],
)
def test_status_mapping(status: int, body: str, expected: type[ProviderError]) -> None:
    error = error_from_status(status, body)
    assert type(error) is expected


def test_retry_after_headers() -> None:
    error = error_from_status(429, "{}", {"retry-after-ms": "1500"})
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == 1.5


def test_messages_never_carry_keys_or_key_urls() -> None:
    text = sanitize(
        "failed GET https://x.googleapis.com/v1/models?key=AIzaSyABCDEFGHIJKLMNOPQRSTUV "
        "with Authorization: Bearer abcdefgh12345678 and my-custom-key-0001",
        secrets=("my-custom-key-0001",),
    )
    assert "AIzaSy" not in text
    assert "abcdefgh12345678" not in text
    assert "my-custom-key-0001" not in text
    error = AuthError("Incorrect API key provided: sk-proj-abcdefghijklmnop")
    assert "abcdefghijklmnop" not in str(error)


def test_sse_decoder_handles_split_lines_comments_and_multiline() -> None:
    decoder = SSEDecoder()
    stream = b': hi\n\nevent: delta\ndata: {"a":\ndata: 1}\n\nid: 3\nretry: 5\ndata: x\r\n\r\n'
    events: list[tuple[str, bytes]] = []
    for i in range(0, len(stream), 3):
        decoder.feed(stream[i : i + 3], events)
    assert events == [("delta", b'{"a":\n1}'), ("", b"x")]
    events.clear()
    decoder.feed(b"data: tail", events)
    assert events == []
    decoder.flush(events)
    assert events == [("", b"tail")]


def test_sse_decoder_appends_to_the_callers_list() -> None:
    decoder = SSEDecoder()
    out: list[tuple[str, bytes]] = [("keep", b"me")]
    decoder.feed(b"data: 1\n\ndata: 2\n\n", out)
    assert out == [("keep", b"me"), ("", b"1"), ("", b"2")]


@pytest.mark.parametrize("reads", [1000, 4000])
def test_sse_decoder_is_linear_on_an_event_split_into_one_byte_reads(reads: int) -> None:
    payload = b"x" * reads
    stream = b"data: " + payload + b"\n\n"
    decoder = SSEDecoder()
    events: list[tuple[str, bytes]] = []
    for i in range(len(stream)):
        decoder.feed(stream[i : i + 1], events)
    assert events == [("", payload)]
    # The line is joined once, when its newline arrives: bytes copied = the line, not n²/2.
    assert decoder.copied == len(stream) - 1


def test_sse_decoder_crlf_split_between_reads() -> None:
    decoder = SSEDecoder()
    events: list[tuple[str, bytes]] = []
    for piece in (b"data: a\r", b"\n", b"\r", b"\ndata: b\r\n", b"\r\n"):
        decoder.feed(piece, events)
    assert events == [("", b"a"), ("", b"b")]


async def test_call_with_retry_honours_retry_after_then_succeeds() -> None:
    sleeps: list[float] = []
    attempts = 0

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def flaky() -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RateLimitedError("slow", retry_after=2.0)
        if attempts == 2:
            raise ServerError("boom")
        return "ok"

    assert await call_with_retry(flaky, RetryPolicy(max_attempts=3), sleep) == "ok"
    assert sleeps[0] == 2.0
    assert 1.0 <= sleeps[1] <= 1.25  # second attempt: base 0.5 s doubled, plus jitter


async def test_no_retry_policy_and_non_retryable_errors_raise_at_once() -> None:
    async def fail() -> None:
        raise ServerError("boom")

    async def bad() -> None:
        raise BadRequestError("no")

    with pytest.raises(ServerError):
        await call_with_retry(fail, RetryPolicy.none())
    with pytest.raises(BadRequestError):
        await call_with_retry(bad, RetryPolicy())


class ScriptedAdapter:
    protocol = "openai"

    def __init__(self, failures_before_start: int, fail_mid_stream: bool) -> None:
        self.calls = 0
        self.failures_before_start = failures_before_start
        self.fail_mid_stream = fail_mid_stream

    async def _events(self) -> AsyncIterator[StreamEvent]:
        self.calls += 1
        if self.calls <= self.failures_before_start:
            raise ServerError("not yet")
        yield StreamEvent("first_byte", 1)
        if self.fail_mid_stream:
            raise ServerError("cut")
        yield StreamEvent("finish", 2, finish_reason="stop")

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        return self._events()

    async def complete(self, request: ChatRequest) -> object:
        raise NotImplementedError

    async def list_models(self) -> list[ModelInfo]:
        return []

    async def health_check(self) -> HealthStatus:
        return HealthStatus(ok=True, latency_ms=0)


async def _no_sleep(seconds: float) -> None:
    return None


async def test_stream_retries_only_before_the_first_event() -> None:
    adapter = ScriptedAdapter(failures_before_start=2, fail_mid_stream=False)
    events = [
        e
        async for e in stream_with_retry(
            adapter,
            ChatRequest("m", []),  # type: ignore[arg-type]
            RetryPolicy(max_attempts=3),
            _no_sleep,
        )
    ]
    assert [e.kind for e in events] == ["first_byte", "finish"]
    assert adapter.calls == 3
    broken = ScriptedAdapter(failures_before_start=0, fail_mid_stream=True)
    with pytest.raises(ServerError):
        async for _ in stream_with_retry(
            broken,
            ChatRequest("m", []),  # type: ignore[arg-type]
            RetryPolicy(max_attempts=3),
            _no_sleep,
        ):
            pass
    assert broken.calls == 1
