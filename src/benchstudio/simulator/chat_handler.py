"""Answers one chat request in any wire format: checks, faults, then a stream or a body."""

from __future__ import annotations

import asyncio
import hmac
import random
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from benchstudio.simulator import timing_log as kinds
from benchstudio.simulator import wire_anthropic, wire_gemini, wire_openai
from benchstudio.simulator.chat_request import (
    ChatRequest,
    RequestError,
    Wire,
    parse_anthropic,
    parse_gemini,
    parse_openai,
)
from benchstudio.simulator.config import ModelProfile, SimulatorConfig
from benchstudio.simulator.directives import (
    ActiveDirectives,
    DirectiveError,
    FaultKind,
    QuirkKind,
    parse_fault_header,
    parse_quirk_header,
)
from benchstudio.simulator.equivalence_script import equivalence_reply
from benchstudio.simulator.http11 import HttpRequest, json_response, response_head
from benchstudio.simulator.judge_script import judge_reply
from benchstudio.simulator.plan import ResponsePlan, build_plan
from benchstudio.simulator.stream_events import (
    StreamContext,
    StreamEvent,
    with_comments,
    with_error_after,
    with_malformed_event,
    with_multiline_data,
)
from benchstudio.simulator.streaming import StreamDriver
from benchstudio.simulator.structured_output import (
    apply_gemini_response_schema,
    apply_openai_response_format,
)
from benchstudio.simulator.textgen import request_rng
from benchstudio.simulator.timing_log import RequestRecord, TimingLog
from benchstudio.simulator.wire_errors import (
    ErrorKind,
    ErrorResponse,
    context_message,
    error_response,
)

_ID_PREFIX = {Wire.OPENAI: "chatcmpl-", Wire.ANTHROPIC: "msg_", Wire.GEMINI: ""}
_STREAM_ERRORS = {
    Wire.OPENAI: wire_openai.STREAM_ERROR,
    Wire.ANTHROPIC: wire_anthropic.STREAM_ERROR,
    Wire.GEMINI: wire_gemini.STREAM_ERROR,
}
_SIMPLE_FAULTS = {
    FaultKind.RATE_LIMIT: ErrorKind.RATE_LIMIT,
    FaultKind.SERVER_ERROR: ErrorKind.SERVER_ERROR,
    FaultKind.UNAVAILABLE: ErrorKind.UNAVAILABLE,
}


@dataclass(slots=True)
class Exchange:
    """One request in flight: what was asked, where to answer, what to log."""

    wire: Wire
    http: HttpRequest
    writer: asyncio.StreamWriter
    record: RequestRecord
    start: float  # time.perf_counter() when the request was fully read
    headers: dict[str, str]
    gemini_model: str = ""
    gemini_stream: bool = False
    gemini_sse: bool = False


def api_key(wire: Wire, http: HttpRequest) -> str | None:
    """The key as each API accepts it (the anthropic SDK 2.x sends a Bearer token)."""
    if wire is Wire.GEMINI:
        return http.headers.get("x-goog-api-key") or http.query.get("key")
    if wire is Wire.ANTHROPIC and "x-api-key" in http.headers:
        return http.headers["x-api-key"]
    auth = http.headers.get("authorization", "")
    return (auth[7:].strip() or None) if auth[:7].lower() == "bearer " else None


def _rejected_response_format(chat: ChatRequest, directives: ActiveDirectives) -> str | None:
    """The 400 message of a server that does not take this structured-output request."""
    if chat.response_format == "text":
        return None
    if directives.quirk(QuirkKind.REJECT_RESPONSE_FORMAT):
        return "Unrecognized request argument supplied: response_format"
    if directives.quirk(QuirkKind.REJECT_JSON_SCHEMA):
        # A server that knows only `json_object` and `text` refuses a schema in either form:
        # `json_schema`, or the `schema` inside `json_object` that llama.cpp's server reads.
        if chat.response_format == "json_schema":
            return "Invalid value: 'json_schema'. Supported values are: 'json_object' and 'text'."
        if chat.response_schema is not None:
            return "Unrecognized request argument supplied: response_format.schema"
    return None


class ChatResponder:
    """The chat endpoints of every wire format, sharing per-model fault counters."""

    def __init__(self, config: SimulatorConfig, log: TimingLog) -> None:
        self.config = config
        self.log = log
        self.drivers: set[StreamDriver] = set()
        self._counters: dict[str, int] = {}
        self._fault_rngs: dict[str, random.Random] = {}

    async def respond(self, ex: Exchange) -> bool:
        """Answer the exchange; returns whether the connection may be kept alive."""
        ex.record.format = str(ex.wire)
        try:
            chat = self._parse(ex)
        except RequestError as exc:
            return self._send_error(
                ex, error_response(ex.wire, ErrorKind.BAD_REQUEST, exc.message, exc.param)
            )
        ex.record.model = chat.model
        ex.record.stream = chat.stream
        ex.record.prompt_tokens = chat.prompt_tokens
        profile = self.config.profile_for(chat.model)
        try:
            directives = self._directives(profile, ex.http)
        except DirectiveError as exc:
            return self._send_error(ex, error_response(ex.wire, ErrorKind.BAD_REQUEST, str(exc)))
        ex.record.faults, ex.record.quirks = directives.names()
        refusal = self._refusal(ex, chat, profile, directives)
        if refusal is not None:
            return self._send_error(ex, refusal)
        slow = directives.fault(FaultKind.SLOW_FIRST_BYTE)
        if slow is not None:
            await asyncio.sleep(slow.delay_ms / 1000.0)
            ex.start += slow.delay_ms / 1000.0
        multi = directives.quirk(QuirkKind.MULTI_TOKEN_CHUNKS)
        per_chunk = multi.tokens if multi is not None else profile.tokens_per_chunk
        try:
            judged = judge_reply(chat) or equivalence_reply(chat)
        except DirectiveError as exc:
            return self._send_error(ex, error_response(ex.wire, ErrorKind.BAD_REQUEST, str(exc)))
        rng = request_rng(profile.seed, chat.model, chat.all_text)
        plan = build_plan(chat, profile, rng, per_chunk, judged)
        ex.record.output_tokens = plan.output_tokens
        ex.record.reasoning_tokens = plan.reasoning_tokens
        ex.record.prefill_ms = round(plan.prefill * 1000.0, 3)
        ex.record.planned_ttft_ms = round(plan.first_offset * 1000.0, 3)
        ex.record.tool_mistake = plan.tool_mistake
        ctx = self._context(ex, chat, directives)
        if chat.stream:
            return await self._stream(ex, plan, ctx, directives)
        return await self._complete(ex, plan, ctx)

    def _parse(self, ex: Exchange) -> ChatRequest:
        try:
            body = ex.http.json()
        except ValueError as exc:
            raise RequestError("We could not parse the JSON body of your request.") from exc
        if not isinstance(body, dict):
            raise RequestError("The request body must be a JSON object.")
        if ex.wire is Wire.OPENAI:
            chat = parse_openai(body)
            apply_openai_response_format(body, chat)
        elif ex.wire is Wire.ANTHROPIC:
            chat = parse_anthropic(body)
        else:
            chat = parse_gemini(body, ex.gemini_model, ex.gemini_stream)
            config = body.get("generationConfig") or body.get("generation_config") or {}
            apply_gemini_response_schema(config if isinstance(config, dict) else {}, chat)
        chat.judge_header = ex.http.headers.get("x-sim-judge", "")
        return chat

    def _directives(self, profile: ModelProfile, http: HttpRequest) -> ActiveDirectives:
        faults = parse_fault_header(http.headers.get("x-sim-fault", ""))
        quirks = parse_quirk_header(http.headers.get("x-sim-quirk", ""))
        if profile.faults:
            number = self._counters.get(profile.name, 0) + 1
            self._counters[profile.name] = number
            rng = self._fault_rngs.setdefault(profile.name, random.Random(profile.seed))
            faults.extend(fault for fault in profile.faults if fault.fires(number, rng))
        return ActiveDirectives(faults, [*quirks, *profile.quirks])

    def _refusal(
        self, ex: Exchange, chat: ChatRequest, profile: ModelProfile, directives: ActiveDirectives
    ) -> ErrorResponse | None:
        """An error answer instead of a completion: auth, quirks, context window, faults."""
        wire = ex.wire
        if profile.require_key is not None:
            key = api_key(wire, ex.http)
            if key is None:
                return error_response(wire, ErrorKind.AUTH_MISSING)
            if not hmac.compare_digest(key.encode(), profile.require_key.encode()):
                return error_response(wire, ErrorKind.AUTH_INVALID)
        if chat.stream_options_sent and directives.quirk(QuirkKind.REJECT_STREAM_OPTIONS):
            message = "Unrecognized request argument supplied: stream_options"
            return error_response(wire, ErrorKind.BAD_REQUEST, message, "stream_options")
        rejected = _rejected_response_format(chat, directives)
        if rejected is not None:
            return error_response(wire, ErrorKind.BAD_REQUEST, rejected, "response_format")
        overflow = self._context_overflow(wire, chat, profile)
        if overflow is None and directives.fault(FaultKind.CONTEXT_LENGTH):
            overflow = context_message(wire, profile.context_window, chat.prompt_tokens, 0)
        if overflow is not None:
            param = "messages" if wire is Wire.OPENAI else None
            return error_response(wire, ErrorKind.CONTEXT_LENGTH, overflow, param)
        for fault_kind, error_kind in _SIMPLE_FAULTS.items():
            fault = directives.fault(fault_kind)
            if fault is not None:
                retry = fault.retry_after if fault_kind is FaultKind.RATE_LIMIT else None
                return error_response(wire, error_kind, retry_after=retry)
        return None

    @staticmethod
    def _context_overflow(wire: Wire, chat: ChatRequest, profile: ModelProfile) -> str | None:
        window = profile.context_window
        prompt = chat.prompt_tokens
        completion = chat.max_tokens or 0
        if prompt > window:
            return context_message(wire, window, prompt, 0)
        if wire is Wire.OPENAI and prompt + completion > window:
            return context_message(wire, window, prompt, completion)
        if wire is Wire.ANTHROPIC and prompt + completion > window:
            return (
                f"input length and `max_tokens` exceed context limit: {prompt} + {completion} > "
                f"{window}, decrease input length or `max_tokens` and try again"
            )
        return None

    def _context(
        self, ex: Exchange, chat: ChatRequest, directives: ActiveDirectives
    ) -> StreamContext:
        no_usage = directives.quirk(QuirkKind.NO_USAGE) is not None
        return StreamContext(
            response_id=_ID_PREFIX[ex.wire] + secrets.token_hex(12),
            model=chat.model,
            created=int(time.time()),
            include_usage=chat.include_usage and not (chat.stream and no_usage),
            include_thoughts=chat.include_thoughts,
            role_chunk=directives.quirk(QuirkKind.NO_ROLE_CHUNK) is None,
            reasoning_field=(
                "reasoning" if directives.quirk(QuirkKind.REASONING_FIELD) else "reasoning_content"
            ),
        )

    def _events(
        self, ex: Exchange, plan: ResponsePlan, ctx: StreamContext, directives: ActiveDirectives
    ) -> Iterator[StreamEvent]:
        events: Iterator[StreamEvent]
        if ex.wire is Wire.OPENAI:
            events = wire_openai.stream_events(plan, ctx)
        elif ex.wire is Wire.ANTHROPIC:
            events = wire_anthropic.stream_events(plan, ctx)
        else:
            events = wire_gemini.stream_events(plan, ctx, sse=ex.gemini_sse)
        if directives.quirk(QuirkKind.MULTILINE_DATA):
            events = with_multiline_data(events)
        malformed = directives.fault(FaultKind.MALFORMED_CHUNK)
        if malformed is not None:
            events = with_malformed_event(events, malformed.at_event)
        in_stream = directives.quirk(QuirkKind.ERROR_IN_STREAM)
        if in_stream is not None:
            events = with_error_after(events, in_stream.after_events, _STREAM_ERRORS[ex.wire])
        comments = directives.quirk(QuirkKind.SSE_COMMENTS)
        if comments is not None:
            events = with_comments(events, comments.every_events)
        return events

    async def _stream(
        self, ex: Exchange, plan: ResponsePlan, ctx: StreamContext, directives: ActiveDirectives
    ) -> bool:
        sse = ex.wire is not Wire.GEMINI or ex.gemini_sse
        content_type = (
            "text/event-stream; charset=utf-8" if sse else "application/json; charset=UTF-8"
        )
        headers = {"content-type": content_type, "cache-control": "no-cache", **ex.headers}
        ex.writer.write(response_head(200, headers, ex.http.keep_alive))
        ex.record.status = 200
        disconnect = directives.fault(FaultKind.DISCONNECT)
        transport = ex.writer.transport  # uvloop's is not a WriteTransport subclass: no isinstance
        driver = StreamDriver(
            asyncio.get_running_loop(),
            transport,
            self._events(ex, plan, ctx, directives),
            ex.start,
            ex.record,
            disconnect.after_events if disconnect is not None else None,
        )
        self.drivers.add(driver)
        try:
            driver.start()
            completed = await driver.done
        finally:
            self.drivers.discard(driver)
        ex.record.completed = completed
        return completed

    async def _complete(self, ex: Exchange, plan: ResponsePlan, ctx: StreamContext) -> bool:
        delay = ex.start + plan.end_offset - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        body_of: Callable[[ResponsePlan, StreamContext], object]
        if ex.wire is Wire.OPENAI:
            body_of = wire_openai.completion_body
        elif ex.wire is Wire.ANTHROPIC:
            body_of = wire_anthropic.message_body
        else:
            body_of = wire_gemini.generate_body
        payload = json_response(200, body_of(plan, ctx), ex.headers, ex.http.keep_alive)
        ex.record.add_event(time.perf_counter_ns(), kinds.BODY, plan.output_tokens)
        ex.writer.write(payload)
        ex.record.status = 200
        ex.record.completed = True
        return True

    def _send_error(self, ex: Exchange, error: ErrorResponse) -> bool:
        headers = {**error.headers, **ex.headers}
        payload = json_response(error.status, error.body, headers, ex.http.keep_alive)
        ex.record.add_event(time.perf_counter_ns(), kinds.ERROR, 0)
        ex.writer.write(payload)
        ex.record.status = error.status
        ex.record.completed = True
        return True
