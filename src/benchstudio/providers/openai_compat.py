"""OpenAI-compatible chat completions (OpenAI, vLLM, Ollama, LM Studio, llama.cpp, SGLang,
DeepSeek, xAI, Mistral, Groq, Together, Fireworks, OpenRouter, Cerebras and the simulator).

Tolerates real-world quirks: `reasoning` instead of `reasoning_content`, several tokens per
chunk, no role chunk, no usage, no `[DONE]` after a finish reason, error objects inside the
stream, and servers that reject `stream_options` (retried once without it, remembered per
endpoint for the life of the process).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from time import perf_counter_ns
from typing import Any, ClassVar
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
    HealthStatus,
    ModelInfo,
    StreamEvent,
    ToolCall,
    Usage,
    new_request_id,
)
from benchstudio.providers.byte_stream import ByteStream
from benchstudio.providers.discovery import DISCOVERY_TIMEOUT_S, probe_health
from benchstudio.providers.embeddings import EmbeddingResult, embed_batched
from benchstudio.providers.errors import (
    BadRequestError,
    ProviderConnectionError,
    error_from_stream_payload,
)
from benchstudio.providers.streaming import (
    encode_body,
    load_json,
    stream_events,
    wire_count,
    wire_dict,
    wire_list,
    wire_text,
)
from benchstudio.providers.transport import HttpTransport, SendStamp, secrets_of

_STREAM_OPTIONS_MARKERS = ("stream_options", "include_usage")


def normalize_openai_base_url(base_url: str) -> str:
    """Accept what users paste: `http://h:8000`, `.../v1`, `.../v1/chat/completions`."""
    parts = urlsplit(base_url.strip())
    path = parts.path.rstrip("/")
    for suffix in ("/chat/completions", "/completions", "/models"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    if not path:
        path = "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def usage_from_openai(data: dict[str, Any]) -> Usage:
    details = wire_dict(data.get("completion_tokens_details"))
    prompt_details = wire_dict(data.get("prompt_tokens_details"))
    cached = wire_count(prompt_details.get("cached_tokens"))
    if cached is None:
        cached = wire_count(data.get("prompt_cache_hit_tokens"))  # DeepSeek's spelling
    return Usage(
        input_tokens=wire_count(data.get("prompt_tokens")),
        output_tokens=wire_count(data.get("completion_tokens")),
        reasoning_tokens=wire_count(details.get("reasoning_tokens")),
        cached_input_tokens=cached,
    )


class _Delta(msgspec.Struct, gc=False):
    content: str | None = None
    reasoning_content: str | None = None
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class _Choice(msgspec.Struct, gc=False):
    delta: _Delta | None = None
    finish_reason: str | None = None


class _Chunk(msgspec.Struct, gc=False):
    """Only the fields the parser reads: decoding skips everything else without building it."""

    choices: list[_Choice] | None = None
    usage: dict[str, Any] | None = None
    error: Any = None


_decode_chunk = msgspec.json.Decoder(_Chunk).decode


class OpenAIStreamParser:
    """Chat-completion chunks to events; the per-event hot path of most benchmarks.

    Chunks are decoded straight into small typed structs (about 8x cheaper than `json.loads`
    here); anything of an unexpected shape or encoding takes the tolerant dict path instead.
    """

    __slots__ = ("done", "finish_reason", "request_id", "secrets")

    def __init__(self, request_id: str, secrets: tuple[str, ...]) -> None:
        self.done = False
        self.finish_reason: str | None = None
        self.request_id = request_id
        self.secrets = secrets

    def feed(self, event: str, data: bytes, t_ns: int, out: list[StreamEvent]) -> None:
        if data == b"[DONE]":
            self.done = True
            out.append(StreamEvent(FINISH, t_ns, finish_reason=self.finish_reason))
            return
        try:
            chunk = _decode_chunk(data)
        except (msgspec.MsgspecError, RecursionError):  # RecursionError: nested too deep
            self._feed_dict(event, data, t_ns, out)
            return
        if event == "error" or chunk.error is not None:
            self._feed_dict(event, data, t_ns, out)
            return
        choices = chunk.choices
        if choices:
            choice = choices[0]
            delta = choice.delta
            if delta is not None:
                text = delta.reasoning_content or delta.reasoning
                if text:
                    out.append(StreamEvent(REASONING, t_ns, text))
                if delta.content:
                    out.append(StreamEvent(CONTENT, t_ns, delta.content))
                if delta.tool_calls:
                    out.extend(_tool_call_events(delta.tool_calls, t_ns))
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
        if chunk.usage:
            out.append(StreamEvent(USAGE, t_ns, usage=usage_from_openai(chunk.usage)))

    def _feed_dict(self, event: str, data: bytes, t_ns: int, out: list[StreamEvent]) -> None:
        """The tolerant path: any JSON, any field types, errors sent in the stream."""
        try:
            obj = load_json(data)
        except ValueError:
            raise ProviderConnectionError(
                f"malformed stream chunk: {data[:80]!r}", request_id=self.request_id
            ) from None
        if not isinstance(obj, dict):
            return
        if event == "error" or "error" in obj:
            raise error_from_stream_payload(obj, request_id=self.request_id, secrets=self.secrets)
        # Fields of the wrong type count as absent: consumers only ever see strings and ints.
        choices = wire_list(obj.get("choices"))
        if choices:
            choice = wire_dict(choices[0])
            delta = wire_dict(choice.get("delta"))
            if delta:
                text = wire_text(delta.get("reasoning_content")) or wire_text(
                    delta.get("reasoning")
                )
                if text:
                    out.append(StreamEvent(REASONING, t_ns, text))
                text = wire_text(delta.get("content"))
                if text:
                    out.append(StreamEvent(CONTENT, t_ns, text))
                calls = wire_list(delta.get("tool_calls"))
                if calls:
                    out.extend(_tool_call_events(calls, t_ns))
            reason = wire_text(choice.get("finish_reason"))
            if reason:
                self.finish_reason = reason
        usage = wire_dict(obj.get("usage"))
        if usage:
            out.append(StreamEvent(USAGE, t_ns, usage=usage_from_openai(usage)))

    def finish(self, t_ns: int, out: list[StreamEvent]) -> None:
        if self.finish_reason is None:
            raise ProviderConnectionError(
                "stream ended before a finish reason or [DONE]", request_id=self.request_id
            )
        self.done = True  # some servers omit [DONE]; a finish reason is enough
        out.append(StreamEvent(FINISH, t_ns, finish_reason=self.finish_reason))


def _tool_call_events(calls: list[Any], t_ns: int) -> list[StreamEvent]:
    events = []
    for position, item in enumerate(calls):
        call = wire_dict(item)
        function = wire_dict(call.get("function"))
        index = wire_count(call.get("index"))
        events.append(
            StreamEvent(
                TOOL_CALL_DELTA,
                t_ns,
                wire_text(function.get("arguments")) or "",
                tool_index=position if index is None else index,
                tool_id=wire_text(call.get("id")),
                tool_name=wire_text(function.get("name")),
            )
        )
    return events


class OpenAICompatAdapter:
    """Adapter for `POST {base}/chat/completions`, `POST {base}/embeddings` and
    `GET {base}/models`."""

    protocol = "openai"
    # Endpoints (chat URLs) seen rejecting `stream_options`, shared by all instances.
    _rejects_stream_options: ClassVar[set[str]] = set()

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        session: aiohttp.ClientSession,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.base_url = normalize_openai_base_url(base_url)
        self.chat_url = f"{self.base_url}/chat/completions"
        headers = dict(extra_headers or {})
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._transport = HttpTransport(session, headers, secrets_of(api_key, extra_headers))

    def build_body(self, request: ChatRequest, *, stream: bool, stream_usage: bool) -> bytes:
        body: dict[str, Any] = {"model": request.model, "messages": request.messages}
        if stream:
            body["stream"] = True
            if stream_usage:
                body["stream_options"] = {"include_usage": True}
        if request.max_tokens is not None and "max_completion_tokens" not in request.extra:
            body["max_tokens"] = request.max_tokens
        if request.temperature is not None:
            body["temperature"] = request.temperature
        if request.tools:
            body["tools"] = request.tools
        if request.tool_choice is not None:
            body["tool_choice"] = request.tool_choice
        body.update(request.extra)
        return encode_body(body)

    async def _open(
        self, request: ChatRequest, body: bytes, usage: bool, stamp: SendStamp
    ) -> ByteStream:
        post = self._transport.post_stream
        try:
            return await post(self.chat_url, body, request.request_id, request.timeout_s, stamp)
        except BadRequestError as exc:
            if not usage or not any(m in exc.message for m in _STREAM_OPTIONS_MARKERS):
                raise
        # Once per endpoint and process; the stamp then marks the retry's send.
        self._rejects_stream_options.add(self.chat_url)
        body = self.build_body(request, stream=True, stream_usage=False)
        return await post(self.chat_url, body, request.request_id, request.timeout_s, stamp)

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        usage = request.stream_usage and self.chat_url not in self._rejects_stream_options
        body = self.build_body(request, stream=True, stream_usage=usage)  # eagerly: see base
        parser = OpenAIStreamParser(request.request_id, self._transport.secrets)
        stamp = SendStamp()
        return stream_events(
            lambda: self._open(request, body, usage, stamp),
            parser,
            request.request_id,
            self._transport.secrets,
            stamp,
        )

    async def complete(self, request: ChatRequest) -> ChatResponse:
        started = perf_counter_ns()
        body = json.loads(self.build_body(request, stream=False, stream_usage=False))
        data = await self._transport.request_json(
            "POST", self.chat_url, request.request_id, payload=body, timeout_s=request.timeout_s
        )
        latency = perf_counter_ns() - started
        if isinstance(data, dict) and "error" in data:
            raise error_from_stream_payload(
                data, request_id=request.request_id, secrets=self._transport.secrets
            )
        return parse_openai_completion(data, latency, request.request_id)

    async def embed(
        self, model: str, texts: Sequence[str], *, timeout_s: float | None = None
    ) -> EmbeddingResult:
        """`POST {base}/embeddings` for `texts`, batched (see `providers.embeddings`)."""
        url = f"{self.base_url}/embeddings"
        return await embed_batched(self._transport, url, model, texts, timeout_s=timeout_s)

    async def list_models(self) -> list[ModelInfo]:
        data = await self._transport.request_json(
            "GET", f"{self.base_url}/models", new_request_id(), timeout_s=DISCOVERY_TIMEOUT_S
        )
        items = data.get("data", []) if isinstance(data, dict) else []
        return [
            ModelInfo(
                id=str(item.get("id")),
                owned_by=item.get("owned_by"),
                context_window=item.get("context_window") or item.get("max_model_len"),
            )
            for item in items
            if isinstance(item, dict) and item.get("id")
        ]

    async def health_check(self) -> HealthStatus:
        return await probe_health(self.list_models)


def parse_openai_completion(data: Any, latency_ns: int, request_id: str) -> ChatResponse:
    """A non-streaming chat completion body to a `ChatResponse`."""
    if not isinstance(data, dict):
        raise ProviderConnectionError("completion body is not an object", request_id=request_id)
    choice = wire_dict((wire_list(data.get("choices")) or [{}])[0])
    message = wire_dict(choice.get("message"))
    calls = []
    for i, item in enumerate(wire_list(message.get("tool_calls"))):
        call, function = wire_dict(item), wire_dict(wire_dict(item).get("function"))
        calls.append(
            ToolCall(
                id=str(call.get("id") or f"call_{i}"),
                name=str(function.get("name") or ""),
                arguments=str(function.get("arguments") or ""),
                index=i,
            )
        )
    reasoning = wire_text(message.get("reasoning_content")) or wire_text(message.get("reasoning"))
    return ChatResponse(
        content=wire_text(message.get("content")) or "",
        reasoning=reasoning or "",
        tool_calls=calls,
        usage=usage_from_openai(wire_dict(data.get("usage"))),
        finish_reason=wire_text(choice.get("finish_reason")),
        latency_ns=latency_ns,
        model=wire_text(data.get("model")),
        request_id=request_id,
        raw=data,
    )
