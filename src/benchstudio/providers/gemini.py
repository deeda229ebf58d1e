"""Google Gemini API (`:generateContent`, `:streamGenerateContent?alt=sse`, `GET /models`).

Function calls arrive whole (not in fragments), so each becomes one tool-call delta carrying
its complete JSON arguments. `usageMetadata` is cumulative and repeated; the last one wins and is
emitted once at the end of the stream, just before `finish`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from time import perf_counter_ns
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

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
    HealthStatus,
    ModelInfo,
    StreamEvent,
    ToolCall,
    Usage,
    new_request_id,
)
from benchstudio.providers.discovery import DISCOVERY_TIMEOUT_S, probe_health
from benchstudio.providers.errors import (
    ContentFilteredError,
    ProviderConnectionError,
    error_from_stream_payload,
)
from benchstudio.providers.message_format import to_gemini_body
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

_FILTER_REASONS = frozenset(
    {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}
)


def normalize_gemini_base_url(base_url: str) -> str:
    """`https://generativelanguage.googleapis.com` gains `/v1beta`; `/models...` is dropped."""
    parts = urlsplit(base_url.strip())
    path = parts.path.rstrip("/")
    if "/models" in path:
        path = path[: path.index("/models")]
    if not path:
        path = "/v1beta"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def gemini_finish_reason(reason: str | None, saw_tool_call: bool) -> str | None:
    if reason is None:
        return None
    if reason == "STOP":
        return "tool_calls" if saw_tool_call else "stop"
    if reason == "MAX_TOKENS":
        return "length"
    if reason in _FILTER_REASONS:
        return "content_filter"
    return reason.lower()


def usage_from_gemini(meta: dict[str, Any]) -> Usage:
    """Gemini counts thoughts apart from candidates; our output count includes them."""
    output = wire_count(meta.get("candidatesTokenCount"))
    thoughts = wire_count(meta.get("thoughtsTokenCount"))
    if output is not None and thoughts:
        output += thoughts
    return Usage(
        input_tokens=wire_count(meta.get("promptTokenCount")),
        output_tokens=output,
        reasoning_tokens=thoughts,
        cached_input_tokens=wire_count(meta.get("cachedContentTokenCount")),
    )


def _check_blocked(obj: dict[str, Any], request_id: str, secrets: tuple[str, ...]) -> None:
    reason = wire_dict(obj.get("promptFeedback")).get("blockReason")
    if reason:
        raise ContentFilteredError(
            f"prompt blocked: {reason}", request_id=request_id, secrets=secrets
        )


class _Part(msgspec.Struct, gc=False):
    text: str | None = None
    thought: bool | None = None
    functionCall: dict[str, Any] | None = None  # noqa: N815 (the wire name)


class _Content(msgspec.Struct, gc=False):
    parts: list[_Part] | None = None


class _Candidate(msgspec.Struct, gc=False):
    content: _Content | None = None
    finishReason: str | None = None  # noqa: N815


class _Response(msgspec.Struct, gc=False):
    """The fields of a streamed response the parser reads; errors and blocks go the dict way."""

    candidates: list[_Candidate] | None = None
    usageMetadata: dict[str, Any] | None = None  # noqa: N815
    promptFeedback: Any = None  # noqa: N815
    error: Any = None


_decode_response = msgspec.json.Decoder(_Response).decode


class GeminiStreamParser:
    """`streamGenerateContent?alt=sse` chunks to events."""

    __slots__ = ("done", "raw_finish", "request_id", "secrets", "tool_count", "usage", "usage_t")

    def __init__(self, request_id: str, secrets: tuple[str, ...]) -> None:
        self.done = False
        self.raw_finish: str | None = None
        self.request_id = request_id
        self.secrets = secrets
        self.tool_count = 0
        self.usage: dict[str, Any] | None = None
        self.usage_t = 0

    def feed(self, event: str, data: bytes, t_ns: int, out: list[StreamEvent]) -> None:
        try:
            typed = _decode_response(data)
        except (msgspec.MsgspecError, RecursionError):  # RecursionError: nested too deep
            typed = None
        if typed is None or typed.error is not None or typed.promptFeedback is not None:
            self._feed_dict(data, t_ns, out)
            return
        if typed.usageMetadata:
            self.usage, self.usage_t = typed.usageMetadata, t_ns
        if typed.candidates:
            candidate = typed.candidates[0]
            if candidate.content is not None and candidate.content.parts:
                for part in candidate.content.parts:
                    self._part(part.text, part.thought, part.functionCall, t_ns, out)
            if candidate.finishReason:
                self.raw_finish = candidate.finishReason

    def _feed_dict(self, data: bytes, t_ns: int, out: list[StreamEvent]) -> None:
        """The tolerant path: any JSON, errors sent in the stream, blocked prompts."""
        try:
            obj = load_json(data)
        except ValueError:
            raise ProviderConnectionError(
                f"malformed stream chunk: {data[:80]!r}", request_id=self.request_id
            ) from None
        if isinstance(obj, list):  # a JSON-array framed error
            obj = obj[0] if obj else {}
        if not isinstance(obj, dict):
            return
        if "error" in obj:
            raise error_from_stream_payload(obj, request_id=self.request_id, secrets=self.secrets)
        _check_blocked(obj, self.request_id, self.secrets)
        # Fields of the wrong type count as absent: consumers only ever see strings and ints.
        meta = wire_dict(obj.get("usageMetadata"))
        if meta:
            self.usage, self.usage_t = meta, t_ns
        for item in wire_list(obj.get("candidates"))[:1]:
            candidate = wire_dict(item)
            for raw_part in wire_list(wire_dict(candidate.get("content")).get("parts")):
                part = wire_dict(raw_part)
                call = wire_dict(part.get("functionCall"))
                self._part(wire_text(part.get("text")), bool(part.get("thought")), call, t_ns, out)
            reason = wire_text(candidate.get("finishReason"))
            if reason:
                self.raw_finish = reason

    def _part(
        self,
        text: str | None,
        thought: bool | None,
        call: dict[str, Any] | None,
        t_ns: int,
        out: list[StreamEvent],
    ) -> None:
        if text:
            out.append(StreamEvent(REASONING if thought else CONTENT, t_ns, text))
            return
        if not call:
            return
        index = self.tool_count
        self.tool_count += 1
        out.append(
            StreamEvent(
                TOOL_CALL_DELTA,
                t_ns,
                encode_arguments(call.get("args"), self.request_id),
                tool_index=index,
                tool_id=wire_text(call.get("id")) or f"call_{index}",
                tool_name=wire_text(call.get("name")),
            )
        )

    def finish(self, t_ns: int, out: list[StreamEvent]) -> None:
        if self.raw_finish is None:
            raise ProviderConnectionError(
                "stream ended before a finish reason", request_id=self.request_id
            )
        self.done = True
        if self.usage is not None:
            out.append(StreamEvent(USAGE, self.usage_t, usage=usage_from_gemini(self.usage)))
        reason = gemini_finish_reason(self.raw_finish, self.tool_count > 0)
        out.append(StreamEvent(FINISH, t_ns, finish_reason=reason))


class GeminiAdapter:
    """Adapter for the Gemini Developer API (key sent as `x-goog-api-key`, never in the URL)."""

    protocol = "gemini"

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        session: aiohttp.ClientSession,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = normalize_gemini_base_url(base_url)
        headers = dict(extra_headers or {})
        if api_key:
            headers["x-goog-api-key"] = api_key
        self._transport = HttpTransport(session, headers, secrets_of(api_key, extra_headers))

    def model_url(self, model: str, method: str) -> str:
        name = model.removeprefix("models/")
        return f"{self.base_url}/models/{quote(name, safe='-._')}:{method}"

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        url = self.model_url(request.model, "streamGenerateContent") + "?alt=sse"
        body = encode_body(to_gemini_body(request))  # eagerly: see base
        parser = GeminiStreamParser(request.request_id, self._transport.secrets)
        stamp = SendStamp()
        return stream_events(
            lambda: self._transport.post_stream(
                url, body, request.request_id, request.timeout_s, stamp
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
            self.model_url(request.model, "generateContent"),
            request.request_id,
            payload=to_gemini_body(request),
            timeout_s=request.timeout_s,
        )
        latency = perf_counter_ns() - started
        if not isinstance(data, dict) or "error" in data:
            raise error_from_stream_payload(
                data, request_id=request.request_id, secrets=self._transport.secrets
            )
        _check_blocked(data, request.request_id, self._transport.secrets)
        return parse_gemini_response(data, latency, request.request_id)

    async def list_models(self) -> list[ModelInfo]:
        data = await self._transport.request_json(
            "GET",
            f"{self.base_url}/models?pageSize=1000",
            new_request_id(),
            timeout_s=DISCOVERY_TIMEOUT_S,
        )
        items = data.get("models", []) if isinstance(data, dict) else []
        return [
            ModelInfo(
                id=str(item["name"]).removeprefix("models/"),
                display_name=item.get("displayName"),
                context_window=item.get("inputTokenLimit"),
            )
            for item in items
            if isinstance(item, dict) and item.get("name")
        ]

    async def health_check(self) -> HealthStatus:
        return await probe_health(self.list_models)


def parse_gemini_response(data: Any, latency_ns: int, request_id: str) -> ChatResponse:
    """A non-streaming `generateContent` body to a `ChatResponse`."""
    if not isinstance(data, dict):
        raise ProviderConnectionError("response body is not an object", request_id=request_id)
    content: list[str] = []
    reasoning: list[str] = []
    calls: list[ToolCall] = []
    candidate = wire_dict((wire_list(data.get("candidates")) or [{}])[0])
    for item in wire_list(wire_dict(candidate.get("content")).get("parts")):
        part = wire_dict(item)
        text = wire_text(part.get("text"))
        call = wire_dict(part.get("functionCall"))
        if text:
            (reasoning if part.get("thought") else content).append(text)
        elif call:
            index = len(calls)
            arguments = encode_arguments(call.get("args"), request_id)
            call_id = wire_text(call.get("id")) or f"call_{index}"
            calls.append(ToolCall(call_id, str(call.get("name")), arguments, index))
    return ChatResponse(
        content="".join(content),
        reasoning="".join(reasoning),
        tool_calls=calls,
        usage=usage_from_gemini(wire_dict(data.get("usageMetadata"))),
        finish_reason=gemini_finish_reason(wire_text(candidate.get("finishReason")), bool(calls)),
        latency_ns=latency_ns,
        model=wire_text(data.get("modelVersion")),
        request_id=request_id,
        raw=data,
    )
