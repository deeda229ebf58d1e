"""Stable types of the provider layer: requests, streamed events, responses, the adapter protocol.

The speed engine builds on these; change them only additively. `StreamEvent` is created once per
received token delta, so it is a slotted dataclass with plain fields and no validation.

A *chunk* is one SSE event of the wire protocol (an OpenAI `chat.completion.chunk`, an Anthropic
`content_block_delta`, a Gemini `GenerateContentResponse`), whatever it carries: several tokens,
or reasoning and content together. It gets one timestamp: the read that completed it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, Literal, Protocol, runtime_checkable

from benchstudio.providers.errors import (
    AuthError,
    BadRequestError,
    ContentFilteredError,
    ContextOverflowError,
    NotFoundError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitedError,
    ServerError,
)

__all__ = [
    "AuthError",
    "BadRequestError",
    "ChatRequest",
    "ChatResponse",
    "ContentFilteredError",
    "ContextOverflowError",
    "EventKind",
    "HealthStatus",
    "ModelInfo",
    "NotFoundError",
    "ProviderAdapter",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderTimeoutError",
    "RateLimitedError",
    "ServerError",
    "StreamEvent",
    "ToolCall",
    "Usage",
    "new_request_id",
]

EventKind = Literal[
    "sent", "first_byte", "content", "reasoning", "tool_call_delta", "usage", "finish", "error"
]

# Plain string constants: comparing interned strings is the cheapest check on the hot path.
SENT: Final = "sent"  # the request went out: the TTFT origin (see `ProviderAdapter.stream`)
FIRST_BYTE: Final = "first_byte"
CONTENT: Final = "content"
REASONING: Final = "reasoning"
TOOL_CALL_DELTA: Final = "tool_call_delta"
USAGE: Final = "usage"
FINISH: Final = "finish"
ERROR: Final = "error"

# Events that carry generated tokens (TTFT counts the first of any of these).
TOKEN_KINDS: Final = frozenset({CONTENT, REASONING, TOOL_CALL_DELTA})


def new_request_id() -> str:
    """A fresh id sent as `X-Request-Id` and used to join client events with server logs."""
    return uuid.uuid4().hex


@dataclass(slots=True)
class Usage:
    """Token counts as reported by the provider (None: the provider did not say)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_input_tokens: int | None = None
    # Set by callers that count tokens themselves because the provider sent no usage.
    estimated: bool = False


@dataclass(slots=True)
class StreamEvent:
    """One thing that happened on a stream, stamped when the bytes carrying it arrived.

    `t_ns` is `time.perf_counter_ns()` read right after the network read that delivered the
    bytes. `text` carries content/reasoning text or, for tool-call deltas, the argument fragment.
    `same_chunk` is True on a token event that came in the same network chunk (one read) as the
    token event before it: content after reasoning in one OpenAI delta, or several SSE events
    that arrived together. Consumers that count chunks must not count it again, so a chunk has
    one timestamp and no gap is 0 ms.
    """

    kind: EventKind
    t_ns: int
    text: str = ""
    tool_index: int | None = None
    tool_id: str | None = None
    tool_name: str | None = None
    usage: Usage | None = None
    finish_reason: str | None = None
    error: ProviderError | None = None
    same_chunk: bool = False


@dataclass(slots=True)
class ToolCall:
    """A complete tool call. `arguments` is the raw JSON text as the model produced it."""

    id: str
    name: str
    arguments: str
    index: int = 0


@dataclass(slots=True)
class ChatRequest:
    """A chat call in OpenAI message shape; adapters translate it to their wire protocol.

    `extra` is merged last into the wire body (already-effective provider parameters, e.g. from
    `providers.params`). `stream_usage` asks for usage in streams (include_usage on OpenAI).
    `timeout_s` bounds the whole call, streaming included (None: the session's default).
    """

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    stream: bool = True
    stream_usage: bool = True
    request_id: str = field(default_factory=new_request_id)
    timeout_s: float | None = None


@dataclass(slots=True)
class ChatResponse:
    """The result of a non-streaming call (used by evals and judges)."""

    content: str
    reasoning: str
    tool_calls: list[ToolCall]
    usage: Usage
    finish_reason: str | None
    latency_ns: int
    model: str | None = None
    request_id: str = ""
    raw: dict[str, Any] | None = None


@dataclass(slots=True)
class ModelInfo:
    """A model as listed by a provider's models endpoint."""

    id: str
    display_name: str | None = None
    context_window: int | None = None
    owned_by: str | None = None


@dataclass(slots=True)
class HealthStatus:
    """Outcome of a cheap reachability/auth probe (the models endpoint)."""

    ok: bool
    latency_ms: float
    model_count: int | None = None
    error: ProviderError | None = None
    cost_estimate: Decimal | None = None


@runtime_checkable
class ProviderAdapter(Protocol):
    """One wire protocol. Constructed with a base URL, an optional key and an injected session."""

    protocol: str

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream events for one request; errors are raised as `ProviderError` subclasses.

        The first event is `sent`, stamped when the request body was handed to the socket
        (after the client library built the request and took a connection), when the transport
        saw it; then `first_byte` (when any response byte arrived); the last is `finish` on
        success. Consumers should `aclose()` the iterator if they stop early.
        The body is serialized here, eagerly; nothing is sent before the first `__anext__`, so
        the origin is the same for every wire protocol and never includes JSON encoding.
        """
        ...

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """One non-streaming call."""
        ...

    async def list_models(self) -> list[ModelInfo]:
        """The provider's model list."""
        ...

    async def health_check(self) -> HealthStatus:
        """A cheap probe: never raises, reports the error instead."""
        ...
