"""Per-request speed metrics from a stream's arrival timestamps (pure: no I/O, no providers).

Definitions (product spec section 1):
- TTFT: request sent -> first chunk carrying a generated token of any kind (content, reasoning or
  tool-call name/arguments). Role-only, empty and usage-only chunks never count.
- TTFCT: request sent -> first content token (reasoning models show "thinking" and "answer").
- ITL: every gap between consecutive token-bearing chunks (the list is kept).
- E2E: request sent -> last token-bearing chunk (a trailing usage chunk or `[DONE]` does not
  extend it). A stream that ends without any token has E2E up to its end and no TTFT.
- TPOT: (E2E - TTFT) / (output_tokens - 1); output speed = 1000 / TPOT tokens/s after the first
  token; E2E tokens/s = output_tokens / E2E.
- Token counts: the provider's usage first; when absent, a tokenizer count of the received text,
  marked `tokens_estimated`; without a tokenizer, the chunk count, also marked estimated.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CONTENT_KIND = 1
REASONING_KIND = 2
TOOL_KIND = 3
NS_PER_MS = 1_000_000.0


@dataclass(slots=True)
class UsageCounts:
    """Token counts the provider reported (None: not reported)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None


# The category of a request the run itself cut short (stopped, cancelled): an outcome of its
# own, neither a success nor an error of the endpoint.
CANCELLED = "cancelled"


@dataclass(slots=True)
class RequestError:
    """A classified failure: category from the provider error tree, sanitised message."""

    category: str
    message: str
    status: int | None = None

    @property
    def cancelled(self) -> bool:
        return self.category == CANCELLED


@dataclass(slots=True)
class StreamTrace:
    """What the client saw on one stream, compactly (8 bytes + 1 byte per token chunk)."""

    request_id: str
    sent_ns: int
    chunk_ns: array[int] = field(default_factory=lambda: array("q"))
    chunk_kinds: bytearray = field(default_factory=bytearray)
    first_byte_ns: int | None = None
    end_ns: int | None = None
    usage: UsageCounts | None = None
    finish_reason: str | None = None
    error: RequestError | None = None
    # DNS + TCP + TLS time this request spent opening a connection (0: it reused a pooled one;
    # None: not measured). Filled from the session's tracing once the request is over.
    connect_ns: int | None = None
    # Received text, one part per chunk while streaming; `compact()` folds it.
    text_parts: list[str] = field(default_factory=list)
    output_text: str = ""
    reasoning_text: str = ""

    def add_chunk(self, t_ns: int, kind: int, text: str) -> None:
        self.chunk_ns.append(t_ns)
        self.chunk_kinds.append(kind)
        self.text_parts.append(text)

    def compact(self) -> None:
        """Drop per-chunk text: kept joined only when usage will not give the counts."""
        parts = self.text_parts
        if not parts:
            return
        usage = self.usage
        if usage is None or usage.output_tokens is None:
            self.output_text = "".join(parts)
        if REASONING_KIND in self.chunk_kinds and (usage is None or usage.reasoning_tokens is None):
            self.reasoning_text = "".join(
                part
                for part, kind in zip(parts, self.chunk_kinds, strict=False)
                if kind == REASONING_KIND
            )
        self.text_parts = []

    def texts(self) -> tuple[str, str]:
        """(all generated text, reasoning text), whether compacted or not."""
        if self.text_parts:
            reasoning = "".join(
                p
                for p, k in zip(self.text_parts, self.chunk_kinds, strict=False)
                if k == REASONING_KIND
            )
            return "".join(self.text_parts), reasoning
        return self.output_text, self.reasoning_text


@dataclass(slots=True)
class RequestMetrics:
    """One request's measured figures; times in milliseconds, None where undefined."""

    request_id: str
    ttft_ms: float | None
    ttfct_ms: float | None
    itl_ms: list[float]
    tpot_ms: float | None
    e2e_ms: float | None
    first_byte_ms: float | None
    input_tokens: int | None
    output_tokens: int | None
    reasoning_tokens: int | None
    cached_input_tokens: int | None
    tokens_estimated: bool
    output_tokens_per_s: float | None
    e2e_tokens_per_s: float | None
    chunk_count: int
    finish_reason: str | None
    error: RequestError | None
    tokenizer: str | None = None
    cost_usd: float | None = None
    connect_ms: float | None = None
    # Filled by the engine: where this request sat in its run.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def cancelled(self) -> bool:
        """Cut short by the run stopping: counted apart, never as an error."""
        return self.error is not None and self.error.cancelled

    @property
    def outcome(self) -> str:
        """`ok`, `cancelled` or `error`: the three outcomes every figure tells apart."""
        if self.error is None:
            return "ok"
        return CANCELLED if self.error.cancelled else "error"

    def to_dict(self) -> dict[str, Any]:
        """The per-request JSON record (schema in docs/bench-output.md)."""
        record: dict[str, Any] = {
            "request_id": self.request_id,
            "ttft_ms": _round(self.ttft_ms),
            "ttfct_ms": _round(self.ttfct_ms),
            "itl_ms": [round(gap, 3) for gap in self.itl_ms],
            "tpot_ms": _round(self.tpot_ms),
            "e2e_ms": _round(self.e2e_ms),
            "first_byte_ms": _round(self.first_byte_ms),
            "connect_ms": _round(self.connect_ms),
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "tokens_estimated": self.tokens_estimated,
            "tokenizer": self.tokenizer,
            "output_tokens_per_s": _round(self.output_tokens_per_s),
            "e2e_tokens_per_s": _round(self.e2e_tokens_per_s),
            "chunk_count": self.chunk_count,
            "finish_reason": self.finish_reason,
            "cost_usd": self.cost_usd,
            "error": None
            if self.error is None
            else {
                "category": self.error.category,
                "message": self.error.message,
                "status": self.error.status,
            },
        }
        record.update(self.extra)
        return record


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _ms(delta_ns: int) -> float:
    return delta_ns / NS_PER_MS


@dataclass(frozen=True, slots=True)
class TokenCounting:
    """How to fill in counts the provider did not report."""

    count_tokens: Callable[[str], int] | None = None
    tokenizer_name: str | None = None
    prompt_tokens: int | None = None


def _output_tokens(trace: StreamTrace, counting: TokenCounting) -> tuple[int, bool]:
    usage = trace.usage
    if usage is not None and usage.output_tokens is not None:
        return usage.output_tokens, False
    text = trace.texts()[0]
    if counting.count_tokens is not None and text:
        counted = counting.count_tokens(text)
        # Each token-bearing chunk carries at least one token.
        return max(counted, len(trace.chunk_ns)), True
    return len(trace.chunk_ns), True


def _reasoning_tokens(trace: StreamTrace, counting: TokenCounting) -> tuple[int | None, bool]:
    if trace.usage is not None and trace.usage.reasoning_tokens is not None:
        return trace.usage.reasoning_tokens, False
    # Reasoning that shared a chunk with content leaves that chunk marked content, but its
    # text is kept exactly (`record_stream`), so look at both.
    text = trace.texts()[1]
    if REASONING_KIND not in trace.chunk_kinds and not text:
        return (0, False) if trace.usage is not None else (None, False)
    if counting.count_tokens is not None:
        return counting.count_tokens(text), True
    return max(trace.chunk_kinds.count(REASONING_KIND), 1), True


def _input_tokens(trace: StreamTrace, counting: TokenCounting) -> tuple[int | None, bool]:
    if trace.usage is not None and trace.usage.input_tokens is not None:
        return trace.usage.input_tokens, False
    if counting.prompt_tokens is not None:
        return counting.prompt_tokens, True
    return None, False


def _first_content_ns(trace: StreamTrace) -> int | None:
    position = trace.chunk_kinds.find(CONTENT_KIND)
    return None if position < 0 else trace.chunk_ns[position]


def compute_request_metrics(
    trace: StreamTrace, counting: TokenCounting | None = None
) -> RequestMetrics:
    """Derive every per-request metric from a finished (or failed) stream trace."""
    counting = counting or TokenCounting()
    chunks = trace.chunk_ns
    sent = trace.sent_ns
    ttft = _ms(chunks[0] - sent) if chunks else None
    first_content = _first_content_ns(trace)
    last_ns = chunks[-1] if chunks else trace.end_ns
    e2e = None if last_ns is None else _ms(last_ns - sent)
    itl = [_ms(chunks[i] - chunks[i - 1]) for i in range(1, len(chunks))]
    output_tokens, output_estimated = _output_tokens(trace, counting)
    reasoning_tokens, reasoning_estimated = _reasoning_tokens(trace, counting)
    input_tokens, input_estimated = _input_tokens(trace, counting)
    tpot = None
    if ttft is not None and e2e is not None and output_tokens > 1:
        tpot = (e2e - ttft) / (output_tokens - 1)
    output_speed = 1000.0 / tpot if tpot else None
    e2e_speed = output_tokens / (e2e / 1000.0) if e2e and chunks else None
    return RequestMetrics(
        request_id=trace.request_id,
        ttft_ms=ttft,
        ttfct_ms=None if first_content is None else _ms(first_content - sent),
        itl_ms=itl,
        tpot_ms=tpot,
        e2e_ms=e2e,
        first_byte_ms=None if trace.first_byte_ns is None else _ms(trace.first_byte_ns - sent),
        input_tokens=input_tokens,
        output_tokens=output_tokens if (chunks or trace.usage is not None) else None,
        reasoning_tokens=reasoning_tokens,
        cached_input_tokens=None if trace.usage is None else trace.usage.cached_input_tokens,
        tokens_estimated=output_estimated or reasoning_estimated or input_estimated,
        output_tokens_per_s=output_speed,
        e2e_tokens_per_s=e2e_speed,
        chunk_count=len(chunks),
        finish_reason=trace.finish_reason,
        error=trace.error,
        tokenizer=counting.tokenizer_name,
        connect_ms=None if trace.connect_ns is None else _ms(trace.connect_ns),
    )
