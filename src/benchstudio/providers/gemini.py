"""Google Gemini API (`:generateContent`, `:streamGenerateContent?alt=sse`, `GET /models`).

Function calls arrive whole (not in fragments), so each becomes one tool-call delta carrying
its complete JSON arguments. `usageMetadata` is cumulative and repeated; the last one wins and is
emitted once at the end of the stream, just before `finish`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from time import perf_counter_ns
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import aiohttp

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
from benchstudio.providers.streaming import stream_events
from benchstudio.providers.transport import HttpTransport, secrets_of

_loads = json.loads
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
    output = meta.get("candidatesTokenCount")
    thoughts = meta.get("thoughtsTokenCount")
    if output is not None and thoughts:
        output += thoughts
    return Usage(
        input_tokens=meta.get("promptTokenCount"),
        output_tokens=output,
        reasoning_tokens=thoughts,
        cached_input_tokens=meta.get("cachedContentTokenCount"),
    )


def _check_blocked(obj: dict[str, Any], request_id: str) -> None:
    reason = (obj.get("promptFeedback") or {}).get("blockReason")
    if reason:
        raise ContentFilteredError(f"prompt blocked: {reason}", request_id=request_id)


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

    def feed(self, event: str, data: str, t_ns: int) -> list[StreamEvent]:
        try:
            obj = _loads(data)
        except ValueError:
            raise ProviderConnectionError(
                f"malformed stream chunk: {data[:80]!r}", request_id=self.request_id
            ) from None
        if isinstance(obj, list):  # a JSON-array framed error
            obj = obj[0] if obj else {}
        if not isinstance(obj, dict):
            return []
        if "error" in obj:
            raise error_from_stream_payload(obj, request_id=self.request_id, secrets=self.secrets)
        _check_blocked(obj, self.request_id)
        meta = obj.get("usageMetadata")
        if meta:
            self.usage, self.usage_t = meta, t_ns
        out: list[StreamEvent] = []
        for candidate in (obj.get("candidates") or [])[:1]:
            for part in (candidate.get("content") or {}).get("parts") or []:
                out.extend(self._part(part, t_ns))
            if candidate.get("finishReason"):
                self.raw_finish = candidate["finishReason"]
        return out

    def _part(self, part: dict[str, Any], t_ns: int) -> list[StreamEvent]:
        text = part.get("text")
        if text:
            return [StreamEvent(REASONING if part.get("thought") else CONTENT, t_ns, text)]
        call = part.get("functionCall")
        if not call:
            return []
        index = self.tool_count
        self.tool_count += 1
        return [
            StreamEvent(
                TOOL_CALL_DELTA,
                t_ns,
                json.dumps(call.get("args") or {}),
                tool_index=index,
                tool_id=call.get("id") or f"call_{index}",
                tool_name=call.get("name"),
            )
        ]

    def finish(self, t_ns: int) -> list[StreamEvent]:
        if self.raw_finish is None:
            raise ProviderConnectionError(
                "stream ended before a finish reason", request_id=self.request_id
            )
        self.done = True
        out: list[StreamEvent] = []
        if self.usage is not None:
            out.append(StreamEvent(USAGE, self.usage_t, usage=usage_from_gemini(self.usage)))
        reason = gemini_finish_reason(self.raw_finish, self.tool_count > 0)
        out.append(StreamEvent(FINISH, t_ns, finish_reason=reason))
        return out


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
        body = json.dumps(to_gemini_body(request)).encode()
        parser = GeminiStreamParser(request.request_id, self._transport.secrets)
        return stream_events(
            lambda: self._transport.post_stream(url, body, request.request_id, request.timeout_s),
            parser,
            request.request_id,
            self._transport.secrets,
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
            raise error_from_stream_payload(data, request_id=request.request_id)
        _check_blocked(data, request.request_id)
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


def parse_gemini_response(data: dict[str, Any], latency_ns: int, request_id: str) -> ChatResponse:
    """A non-streaming `generateContent` body to a `ChatResponse`."""
    content: list[str] = []
    reasoning: list[str] = []
    calls: list[ToolCall] = []
    candidate = (data.get("candidates") or [{}])[0]
    for part in (candidate.get("content") or {}).get("parts") or []:
        if part.get("text"):
            (reasoning if part.get("thought") else content).append(part["text"])
        elif part.get("functionCall"):
            call = part["functionCall"]
            index = len(calls)
            arguments = json.dumps(call.get("args") or {})
            calls.append(
                ToolCall(call.get("id") or f"call_{index}", str(call.get("name")), arguments, index)
            )
    return ChatResponse(
        content="".join(content),
        reasoning="".join(reasoning),
        tool_calls=calls,
        usage=usage_from_gemini(data.get("usageMetadata") or {}),
        finish_reason=gemini_finish_reason(candidate.get("finishReason"), bool(calls)),
        latency_ns=latency_ns,
        model=data.get("modelVersion"),
        request_id=request_id,
        raw=data,
    )
