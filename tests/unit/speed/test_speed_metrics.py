"""Every per-request metric definition, on hand-made traces (times in ns from send)."""

from __future__ import annotations

import pytest

from benchstudio.speed.metrics import (
    CONTENT_KIND,
    REASONING_KIND,
    TOOL_KIND,
    RequestError,
    StreamTrace,
    TokenCounting,
    UsageCounts,
    compute_request_metrics,
)

MS = 1_000_000


def trace_with(
    chunks: list[tuple[float, int, str]], usage: UsageCounts | None = None
) -> StreamTrace:
    trace = StreamTrace("req-1", sent_ns=1_000 * MS)
    trace.first_byte_ns = trace.sent_ns + 5 * MS
    for t_ms, kind, text in chunks:
        trace.add_chunk(trace.sent_ns + int(t_ms * MS), kind, text)
    trace.usage = usage
    trace.end_ns = trace.sent_ns + 500 * MS  # a late usage chunk / [DONE]
    trace.finish_reason = "stop"
    return trace


def test_ttft_itl_tpot_e2e_from_token_chunks() -> None:
    trace = trace_with(
        [(100, CONTENT_KIND, "a"), (110, CONTENT_KIND, "b"), (130, CONTENT_KIND, "c")],
        UsageCounts(input_tokens=12, output_tokens=3),
    )
    metrics = compute_request_metrics(trace)
    assert metrics.ttft_ms == 100.0
    assert metrics.ttfct_ms == 100.0
    assert metrics.itl_ms == [10.0, 20.0]
    # E2E ends at the last token chunk, not at the trailing usage chunk (500 ms).
    assert metrics.e2e_ms == 130.0
    assert metrics.tpot_ms == pytest.approx(15.0)
    assert metrics.output_tokens_per_s == pytest.approx(1000 / 15)
    assert metrics.e2e_tokens_per_s == pytest.approx(3 / 0.130)
    assert metrics.first_byte_ms == 5.0
    assert metrics.input_tokens == 12
    assert not metrics.tokens_estimated
    assert metrics.chunk_count == 3


def test_reasoning_first_sets_ttft_and_ttfct_separately() -> None:
    trace = trace_with(
        [(50, REASONING_KIND, "think"), (60, REASONING_KIND, "more"), (200, CONTENT_KIND, "ok")],
        UsageCounts(input_tokens=5, output_tokens=3, reasoning_tokens=2),
    )
    metrics = compute_request_metrics(trace)
    assert metrics.ttft_ms == 50.0
    assert metrics.ttfct_ms == 200.0
    assert metrics.reasoning_tokens == 2


def test_tool_call_arguments_count_as_first_token() -> None:
    trace = trace_with([(80, TOOL_KIND, '{"a"'), (90, TOOL_KIND, ": 1}")], UsageCounts(3, 2))
    metrics = compute_request_metrics(trace)
    assert metrics.ttft_ms == 80.0
    assert metrics.ttfct_ms is None


def test_multi_token_chunks_use_token_counts_for_tpot() -> None:
    # 2 chunks carrying 8 tokens in all: ITL has one gap, TPOT divides by 7 tokens.
    trace = trace_with(
        [(100, CONTENT_KIND, "abcd"), (170, CONTENT_KIND, "efgh")], UsageCounts(1, 8)
    )
    metrics = compute_request_metrics(trace)
    assert metrics.itl_ms == [70.0]
    assert metrics.tpot_ms == pytest.approx(10.0)


def test_usage_absent_counts_with_tokenizer_and_marks_estimated() -> None:
    trace = trace_with([(100, CONTENT_KIND, "hello "), (110, CONTENT_KIND, "world again")])
    trace.compact()
    counting = TokenCounting(lambda text: len(text.split()), "words", prompt_tokens=42)
    metrics = compute_request_metrics(trace, counting)
    assert metrics.output_tokens == 3
    assert metrics.tokens_estimated
    assert metrics.input_tokens == 42
    assert metrics.tokenizer == "words"


def test_usage_absent_without_tokenizer_falls_back_to_chunk_count_marked() -> None:
    trace = trace_with([(100, CONTENT_KIND, "x"), (110, CONTENT_KIND, "y")])
    metrics = compute_request_metrics(trace)
    assert metrics.output_tokens == 2
    assert metrics.tokens_estimated


def test_tokenizer_count_never_below_chunk_count() -> None:
    trace = trace_with([(100, CONTENT_KIND, ""), (110, CONTENT_KIND, "")])
    metrics = compute_request_metrics(trace, TokenCounting(lambda _text: 0, "zero"))
    assert metrics.output_tokens == 2


def test_no_tokens_means_no_ttft_and_e2e_to_stream_end() -> None:
    trace = trace_with([], UsageCounts(4, 0))
    metrics = compute_request_metrics(trace)
    assert metrics.ttft_ms is None
    assert metrics.tpot_ms is None
    assert metrics.e2e_ms == 500.0
    assert metrics.itl_ms == []


def test_single_token_has_no_tpot() -> None:
    metrics = compute_request_metrics(trace_with([(100, CONTENT_KIND, "a")], UsageCounts(1, 1)))
    assert metrics.tpot_ms is None
    assert metrics.output_tokens_per_s is None


def test_error_mid_stream_keeps_partial_timings() -> None:
    trace = trace_with([(100, CONTENT_KIND, "a"), (120, CONTENT_KIND, "b")])
    trace.error = RequestError("connection", "stream ended early")
    metrics = compute_request_metrics(trace)
    assert not metrics.ok
    assert metrics.ttft_ms == 100.0
    assert metrics.to_dict()["error"] == {
        "category": "connection",
        "message": "stream ended early",
        "status": None,
    }


def test_compact_keeps_reasoning_text_only_when_needed() -> None:
    trace = trace_with([(1, REASONING_KIND, "ab"), (2, CONTENT_KIND, "cd")])
    trace.compact()
    assert trace.texts() == ("abcd", "ab")
    with_usage = trace_with([(1, CONTENT_KIND, "ab")], UsageCounts(1, 1, 0))
    with_usage.compact()
    assert with_usage.texts() == ("", "")


def test_record_dict_has_documented_fields() -> None:
    record = compute_request_metrics(trace_with([(1, CONTENT_KIND, "a")], UsageCounts(1, 1)))
    keys = set(record.to_dict())
    assert keys >= {
        "request_id",
        "ttft_ms",
        "ttfct_ms",
        "itl_ms",
        "tpot_ms",
        "e2e_ms",
        "input_tokens",
        "output_tokens",
        "reasoning_tokens",
        "tokens_estimated",
        "cost_usd",
        "error",
    }
