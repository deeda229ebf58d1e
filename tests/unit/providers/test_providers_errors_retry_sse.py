"""Error mapping and sanitising, the retry policy, and the SSE decoder."""

from __future__ import annotations

import pytest

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
from benchstudio.providers.retry import RetryPolicy, call_with_retry
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
