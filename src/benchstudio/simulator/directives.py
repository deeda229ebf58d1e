"""Faults and quirks: their names, their parameters, and the `X-Sim-Fault`/`X-Sim-Quirk` syntax.

A header value is a comma-separated list of directives, each `name` optionally followed by
`;key=value` parameters, e.g. `rate_limit;retry_after=2, sse_comments`.
"""

from __future__ import annotations

import random
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class FaultKind(StrEnum):
    RATE_LIMIT = "rate_limit"  # 429 with retry-after
    SERVER_ERROR = "server_error"  # 500
    UNAVAILABLE = "unavailable"  # 503
    SLOW_FIRST_BYTE = "slow_first_byte"  # response headers delayed by delay_ms
    DISCONNECT = "disconnect"  # connection dropped after after_events stream events
    MALFORMED_CHUNK = "malformed_chunk"  # stream event number at_event is truncated JSON
    CONTEXT_LENGTH = "context_length"  # the format's context-length error, whatever the prompt


class QuirkKind(StrEnum):
    SSE_COMMENTS = "sse_comments"  # `: keep-alive` comments and blank keep-alive lines
    MULTILINE_DATA = "multiline_data"  # one event's JSON split over several `data:` lines
    ERROR_IN_STREAM = "error_in_stream"  # an error object after after_events events, then end
    REASONING_FIELD = "reasoning_field"  # `reasoning` instead of `reasoning_content`
    MULTI_TOKEN_CHUNKS = "multi_token_chunks"  # noqa: S105 - `tokens` tokens per chunk
    NO_USAGE = "no_usage"  # streams never carry usage
    REJECT_STREAM_OPTIONS = "reject_stream_options"  # 400 when stream_options is sent
    NO_ROLE_CHUNK = "no_role_chunk"  # no leading role-only chunk (OpenAI format)
    REJECT_RESPONSE_FORMAT = "reject_response_format"  # 400 for any structured-output request
    REJECT_JSON_SCHEMA = "reject_json_schema"  # 400 for json_schema; json_object still works


class FaultSpec(BaseModel):
    """One fault a model injects: always, with a probability, or on every Nth request."""

    model_config = ConfigDict(extra="forbid")

    kind: FaultKind
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    every: int | None = Field(default=None, ge=1, description="fire on every Nth request")
    retry_after: float = Field(default=1.0, ge=0.0, description="seconds, for rate_limit")
    delay_ms: float = Field(default=1000.0, ge=0.0, description="for slow_first_byte")
    after_events: int = Field(default=3, ge=0, description="for disconnect")
    at_event: int = Field(default=3, ge=0, description="for malformed_chunk (0-based)")

    def fires(self, request_number: int, rng: random.Random) -> bool:
        """Whether this fault applies to the model's `request_number`-th request (1-based)."""
        if self.every is not None:
            return request_number % self.every == 0
        return self.probability >= 1.0 or rng.random() < self.probability


class QuirkSpec(BaseModel):
    """One quirk a model shows on every request."""

    model_config = ConfigDict(extra="forbid")

    kind: QuirkKind
    after_events: int = Field(default=3, ge=0, description="for error_in_stream")
    tokens: int = Field(default=4, ge=1, description="for multi_token_chunks")
    every_events: int = Field(default=4, ge=1, description="comment spacing, for sse_comments")


class JudgeKind(StrEnum):
    VERDICT = "verdict"  # a well-formed per-case verdict
    MALFORMED = "malformed"  # truncated JSON, as an answer cut off mid-way
    FAVOUR = "favour"  # comparative: always picks `position`, whatever the order
    REPORT = "report"  # cross-case findings (judge_report_script.py), optionally citing `unknown`


class JudgeSpec(BaseModel):
    """One scripted-judge directive (`X-Sim-Judge` header or `[sim-judge: ...]` in the text)."""

    model_config = ConfigDict(extra="forbid")

    kind: JudgeKind
    verdict: Literal["pass", "marginal", "fail"] = "pass"
    score: int | None = Field(default=None, ge=1, le=5, description="default: by verdict")
    tool: Literal["correct", "wrong", "missing", "extra"] | None = None
    args: str = Field(default="", description="per-argument statuses: city:correct/unit:missing")
    wrap: Literal["none", "fence", "prose"] = "none"  # prompt-only answers only
    position: Literal["A", "B", "tie"] = "A"
    unknown: str = Field(default="", description="report: a case id to cite that is not sent")


class DirectiveError(ValueError):
    """A malformed X-Sim-Fault / X-Sim-Quirk header."""


def _parse_directives(header: str) -> list[tuple[str, dict[str, Any]]]:
    parsed: list[tuple[str, dict[str, Any]]] = []
    for item in header.split(","):
        parts = [part.strip() for part in item.split(";") if part.strip()]
        if not parts:
            continue
        params: dict[str, Any] = {}
        for param in parts[1:]:
            key, sep, value = param.partition("=")
            if not sep:
                raise DirectiveError(f"parameter {param!r} needs key=value")
            params[key.strip()] = value.strip()
        parsed.append((parts[0], params))
    return parsed


def parse_fault_header(header: str) -> list[FaultSpec]:
    """Parse an `X-Sim-Fault` header value into fault specs (raises DirectiveError)."""
    try:
        return [FaultSpec(kind=name, **params) for name, params in _parse_directives(header)]
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise DirectiveError(f"bad X-Sim-Fault header: {exc}") from exc


def parse_quirk_header(header: str) -> list[QuirkSpec]:
    """Parse an `X-Sim-Quirk` header value into quirk specs (raises DirectiveError)."""
    try:
        return [QuirkSpec(kind=name, **params) for name, params in _parse_directives(header)]
    except ValueError as exc:
        raise DirectiveError(f"bad X-Sim-Quirk header: {exc}") from exc


def parse_judge_directives(text: str) -> list[JudgeSpec]:
    """Parse scripted-judge directives (same syntax as the headers; raises DirectiveError)."""
    try:
        return [JudgeSpec(kind=name, **params) for name, params in _parse_directives(text)]
    except ValueError as exc:
        raise DirectiveError(f"bad judge directive: {exc}") from exc


class ActiveDirectives:
    """The faults and quirks in force for one request, looked up by kind."""

    __slots__ = ("faults", "quirks")

    def __init__(self, faults: list[FaultSpec], quirks: list[QuirkSpec]) -> None:
        self.faults: dict[FaultKind, FaultSpec] = {}
        for fault in faults:
            self.faults.setdefault(fault.kind, fault)
        self.quirks: dict[QuirkKind, QuirkSpec] = {}
        for quirk in quirks:
            self.quirks.setdefault(quirk.kind, quirk)

    def fault(self, kind: FaultKind) -> FaultSpec | None:
        return self.faults.get(kind)

    def quirk(self, kind: QuirkKind) -> QuirkSpec | None:
        return self.quirks.get(kind)

    def names(self) -> tuple[list[str], list[str]]:
        return [str(kind) for kind in self.faults], [str(kind) for kind in self.quirks]
