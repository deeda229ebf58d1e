"""Anthropic Messages API (`POST /v1/messages`, `GET /v1/models`).

Requests arrive in OpenAI message shape and are translated here: system messages move to
`system`, tool results become `tool_result` blocks, assistant tool calls become `tool_use`.
Usage: `input_tokens` is reported including cache reads and writes, matching OpenAI's meaning.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from time import perf_counter_ns
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import msgspec

from benchstudio.providers.base import (
    CONTENT,
    FINISH,
    REASONING,
    TOOL_CALL_DELTA,
    USAGE,
    ChatRequest,
    ChatResponse,
    EventKind,
    HealthStatus,
    ModelInfo,
    StreamEvent,
    ToolCall,
    Usage,
    new_request_id,
)
from benchstudio.providers.discovery import DISCOVERY_TIMEOUT_S, probe_health
from benchstudio.providers.errors import ProviderConnectionError, error_from_stream_payload
from benchstudio.providers.message_format import to_anthropic_body
from benchstudio.providers.streaming import encode_body, stream_events
from benchstudio.providers.transport import HttpTransport, SendStamp, secrets_of

ANTHROPIC_VERSION = "2023-06-01"
_loads = json.loads
FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "stop",
}


def normalize_anthropic_base_url(base_url: str) -> str:
    """`https://api.anthropic.com`, `.../v1` and `.../v1/messages` all become `.../v1`."""
    parts = urlsplit(base_url.strip())
    path = parts.path.rstrip("/")
    for suffix in ("/messages", "/models"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    if not path.endswith("/v1"):
        path = f"{path}/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def usage_from_anthropic(data: dict[str, Any], usage: Usage | None = None) -> Usage:
    usage = usage or Usage()
    if "input_tokens" in data and data["input_tokens"] is not None:
        cache_read = data.get("cache_read_input_tokens") or 0
        cache_write = data.get("cache_creation_input_tokens") or 0
        usage.input_tokens = data["input_tokens"] + cache_read + cache_write
        usage.cached_input_tokens = cache_read
    if data.get("output_tokens") is not None:
        usage.output_tokens = data["output_tokens"]
    return usage


class _Delta(msgspec.Struct, gc=False):
    type: str | None = None
    text: str | None = None
    thinking: str | None = None
    partial_json: str | None = None


class _Event(msgspec.Struct, gc=False):
    """The fields of a `content_block_delta`, the one event per token; others go the dict way."""

    type: str | None = None
    index: int = 0
    delta: _Delta | None = None


_decode_event = msgspec.json.Decoder(_Event).decode


class AnthropicStreamParser:
    """Messages SSE events to stream events."""

    __slots__ = ("block_tools", "done", "finish_reason", "request_id", "secrets", "usage")

    def __init__(self, request_id: str, secrets: tuple[str, ...]) -> None:
        self.done = False
        self.finish_reason: str | None = None
        self.request_id = request_id
        self.secrets = secrets
        self.usage = Usage()
        self.block_tools: dict[int, int] = {}  # content block index -> tool call ordinal

    def feed(self, event: str, data: bytes, t_ns: int, out: list[StreamEvent]) -> None:
        try:
            typed = _decode_event(data)
        except msgspec.MsgspecError:
            typed = None
        if typed is not None and typed.delta is not None and typed.type == "content_block_delta":
            delta = typed.delta
            self._delta(
                delta.type, delta.text, delta.thinking, delta.partial_json, typed.index, t_ns, out
            )
            return
        try:
            obj = _loads(data.decode("utf-8", "replace"))
        except ValueError:
            raise ProviderConnectionError(
                f"malformed stream event: {data[:80]!r}", request_id=self.request_id
            ) from None
        kind = obj.get("type", event) if isinstance(obj, dict) else event
        if kind == "content_block_delta":
            fields = obj.get("delta") or {}
            self._delta(
                fields.get("type"),
                fields.get("text"),
                fields.get("thinking"),
                fields.get("partial_json"),
                obj.get("index", 0),
                t_ns,
                out,
            )
        elif kind == "content_block_start":
            self._block_start(obj, t_ns, out)
        elif kind == "message_start":
            usage_from_anthropic((obj.get("message") or {}).get("usage") or {}, self.usage)
        elif kind == "message_delta":
            reason = (obj.get("delta") or {}).get("stop_reason")
            if reason:
                self.finish_reason = FINISH_REASONS.get(reason, reason)
            usage_from_anthropic(obj.get("usage") or {}, self.usage)
            out.append(StreamEvent(USAGE, t_ns, usage=self.usage))
        elif kind == "message_stop":
            self.done = True
            out.append(StreamEvent(FINISH, t_ns, finish_reason=self.finish_reason))
        elif kind == "error":
            raise error_from_stream_payload(obj, request_id=self.request_id, secrets=self.secrets)
        # ping, content_block_stop, unknown future events: nothing

    def _delta(
        self,
        kind: str | None,
        text: str | None,
        thinking: str | None,
        partial_json: str | None,
        index: int,
        t_ns: int,
        out: list[StreamEvent],
    ) -> None:
        if kind == "text_delta":
            if text:
                out.append(StreamEvent(CONTENT, t_ns, text))
        elif kind == "thinking_delta":
            if thinking:
                out.append(StreamEvent(REASONING, t_ns, thinking))
        elif kind == "input_json_delta":
            ordinal = self.block_tools.get(index, 0)
            out.append(StreamEvent(TOOL_CALL_DELTA, t_ns, partial_json or "", tool_index=ordinal))
        # signature_delta, citations_delta: nothing

    def _block_start(self, obj: dict[str, Any], t_ns: int, out: list[StreamEvent]) -> None:
        block = obj.get("content_block") or {}
        if block.get("type") != "tool_use":
            text = block.get("text") or block.get("thinking")
            if text:
                kind: EventKind = REASONING if block.get("type") == "thinking" else CONTENT
                out.append(StreamEvent(kind, t_ns, text))
            return
        ordinal = len(self.block_tools)
        self.block_tools[obj.get("index", ordinal)] = ordinal
        out.append(
            StreamEvent(
                TOOL_CALL_DELTA,
                t_ns,
                "",
                tool_index=ordinal,
                tool_id=block.get("id"),
                tool_name=block.get("name"),
            )
        )

    def finish(self, t_ns: int, out: list[StreamEvent]) -> None:
        raise ProviderConnectionError(
            "stream ended before message_stop", request_id=self.request_id
        )


class AnthropicAdapter:
    """Adapter for the Anthropic Messages API."""

    protocol = "anthropic"

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        session: aiohttp.ClientSession,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = normalize_anthropic_base_url(base_url)
        self.messages_url = f"{self.base_url}/messages"
        headers = {"anthropic-version": ANTHROPIC_VERSION, **(extra_headers or {})}
        if api_key:
            headers["x-api-key"] = api_key
        self._transport = HttpTransport(session, headers, secrets_of(api_key, extra_headers))

    def build_body(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        return to_anthropic_body(request, stream=stream)

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        body = encode_body(self.build_body(request, stream=True))  # eagerly: see base
        parser = AnthropicStreamParser(request.request_id, self._transport.secrets)
        stamp = SendStamp()
        return stream_events(
            lambda: self._transport.post_stream(
                self.messages_url, body, request.request_id, request.timeout_s, stamp
            ),
            parser,
            request.request_id,
            self._transport.secrets,
            stamp,
        )

    async def complete(self, request: ChatRequest) -> ChatResponse:
        started = perf_counter_ns()
        data = await self._transport.request_json(
            "POST",
            self.messages_url,
            request.request_id,
            payload=self.build_body(request, stream=False),
            timeout_s=request.timeout_s,
        )
        latency = perf_counter_ns() - started
        if not isinstance(data, dict) or data.get("type") == "error":
            raise error_from_stream_payload(
                data, request_id=request.request_id, secrets=self._transport.secrets
            )
        return parse_anthropic_message(data, latency, request.request_id)

    async def list_models(self) -> list[ModelInfo]:
        data = await self._transport.request_json(
            "GET",
            f"{self.base_url}/models?limit=1000",
            new_request_id(),
            timeout_s=DISCOVERY_TIMEOUT_S,
        )
        items = data.get("data", []) if isinstance(data, dict) else []
        return [
            ModelInfo(id=str(item["id"]), display_name=item.get("display_name"))
            for item in items
            if isinstance(item, dict) and item.get("id")
        ]

    async def health_check(self) -> HealthStatus:
        return await probe_health(self.list_models)


def parse_anthropic_message(data: dict[str, Any], latency_ns: int, request_id: str) -> ChatResponse:
    """A non-streaming Messages response to a `ChatResponse`."""
    content: list[str] = []
    reasoning: list[str] = []
    calls: list[ToolCall] = []
    for block in data.get("content") or []:
        kind = block.get("type")
        if kind == "text":
            content.append(block.get("text") or "")
        elif kind == "thinking":
            reasoning.append(block.get("thinking") or "")
        elif kind == "tool_use":
            arguments = json.dumps(block.get("input") or {})
            calls.append(
                ToolCall(str(block.get("id")), str(block.get("name")), arguments, len(calls))
            )
    reason = data.get("stop_reason")
    return ChatResponse(
        content="".join(content),
        reasoning="".join(reasoning),
        tool_calls=calls,
        usage=usage_from_anthropic(data.get("usage") or {}),
        finish_reason=FINISH_REASONS.get(reason, reason) if reason else None,
        latency_ns=latency_ns,
        model=data.get("model"),
        request_id=request_id,
        raw=data,
    )
