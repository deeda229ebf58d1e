"""Anthropic Messages API (`POST /v1/messages`, `GET /v1/models`).

Requests arrive in OpenAI message shape and are translated here: system messages move to
`system`, tool results become `tool_result` blocks, assistant tool calls become `tool_use`.
Usage: `input_tokens` is reported including cache reads and writes, matching OpenAI's meaning.
"""

from __future__ import annotations

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
from benchstudio.providers.streaming import (
    encode_arguments,
    encode_body,
    load_json,
    stream_events,
    wire_count,
    wire_dict,
    wire_list,
    wire_text,
)
from benchstudio.providers.transport import HttpTransport, SendStamp, secrets_of

ANTHROPIC_VERSION = "2023-06-01"
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
    input_tokens = wire_count(data.get("input_tokens"))
    if input_tokens is not None:
        cache_read = wire_count(data.get("cache_read_input_tokens")) or 0
        cache_write = wire_count(data.get("cache_creation_input_tokens")) or 0
        usage.input_tokens = input_tokens + cache_read + cache_write
        usage.cached_input_tokens = cache_read
    output_tokens = wire_count(data.get("output_tokens"))
    if output_tokens is not None:
        usage.output_tokens = output_tokens
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
        except (msgspec.MsgspecError, RecursionError):  # RecursionError: nested too deep
            typed = None
        if typed is not None and typed.delta is not None and typed.type == "content_block_delta":
            delta = typed.delta
            self._delta(
                delta.type, delta.text, delta.thinking, delta.partial_json, typed.index, t_ns, out
            )
            return
        try:
            obj = load_json(data)
        except ValueError:
            raise ProviderConnectionError(
                f"malformed stream event: {data[:80]!r}", request_id=self.request_id
            ) from None
        # Fields of the wrong type count as absent: consumers only ever see strings and ints.
        fields = wire_dict(obj)
        kind = fields.get("type", event) if isinstance(obj, dict) else event
        if kind == "content_block_delta":
            change = wire_dict(fields.get("delta"))
            self._delta(
                wire_text(change.get("type")),
                wire_text(change.get("text")),
                wire_text(change.get("thinking")),
                wire_text(change.get("partial_json")),
                wire_count(fields.get("index")) or 0,
                t_ns,
                out,
            )
        elif kind == "content_block_start":
            self._block_start(fields, t_ns, out)
        elif kind == "message_start":
            usage = wire_dict(wire_dict(fields.get("message")).get("usage"))
            usage_from_anthropic(usage, self.usage)
        elif kind == "message_delta":
            reason = wire_text(wire_dict(fields.get("delta")).get("stop_reason"))
            if reason:
                self.finish_reason = FINISH_REASONS.get(reason, reason)
            usage_from_anthropic(wire_dict(fields.get("usage")), self.usage)
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
        block = wire_dict(obj.get("content_block"))
        if block.get("type") != "tool_use":
            text = wire_text(block.get("text")) or wire_text(block.get("thinking"))
            if text:
                kind: EventKind = REASONING if block.get("type") == "thinking" else CONTENT
                out.append(StreamEvent(kind, t_ns, text))
            return
        ordinal = len(self.block_tools)
        index = wire_count(obj.get("index"))
        self.block_tools[ordinal if index is None else index] = ordinal
        out.append(
            StreamEvent(
                TOOL_CALL_DELTA,
                t_ns,
                "",
                tool_index=ordinal,
                tool_id=wire_text(block.get("id")),
                tool_name=wire_text(block.get("name")),
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


def parse_anthropic_message(data: Any, latency_ns: int, request_id: str) -> ChatResponse:
    """A non-streaming Messages response to a `ChatResponse`."""
    if not isinstance(data, dict):
        raise ProviderConnectionError("message body is not an object", request_id=request_id)
    content: list[str] = []
    reasoning: list[str] = []
    calls: list[ToolCall] = []
    for item in wire_list(data.get("content")):
        block = wire_dict(item)
        kind = block.get("type")
        if kind == "text":
            content.append(wire_text(block.get("text")) or "")
        elif kind == "thinking":
            reasoning.append(wire_text(block.get("thinking")) or "")
        elif kind == "tool_use":
            arguments = encode_arguments(block.get("input"), request_id)
            calls.append(
                ToolCall(str(block.get("id")), str(block.get("name")), arguments, len(calls))
            )
    reason = wire_text(data.get("stop_reason"))
    return ChatResponse(
        content="".join(content),
        reasoning="".join(reasoning),
        tool_calls=calls,
        usage=usage_from_anthropic(wire_dict(data.get("usage"))),
        finish_reason=FINISH_REASONS.get(reason, reason) if reason else None,
        latency_ns=latency_ns,
        model=wire_text(data.get("model")),
        request_id=request_id,
        raw=data,
    )
