"""Drive one case against one target: a single call, or a chain with mock tool results.

A failed API call (after the retry policy gave up) ends the case as an `api_error` failure;
it is never dropped. A chain gets `max_rounds` model turns plus one: a model still calling tools
after its last allowed turn is sent one more turn so its transcript shows the overrun, which the
scoring rules fail as `too_many_rounds`.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from time import perf_counter_ns
from typing import Any

from benchstudio.core.clock import utcnow
from benchstudio.providers.base import ChatRequest, ChatResponse, ProviderAdapter
from benchstudio.providers.errors import ProviderError, sanitize
from benchstudio.providers.retry import RetryPolicy, call_with_retry
from benchstudio.toolcall.live.conversation import (
    assistant_message,
    initial_messages,
    output_from_response,
    recorded_calls,
    request_record,
    response_record,
    tool_result_message,
    tool_specs,
    with_unique_call_ids,
)
from benchstudio.toolcall.live.records import EvalTarget, ExchangeRecord, LiveCaseResult
from benchstudio.toolcall.multiturn import ChainRound, ChainTranscript, mock_result, score_chain
from benchstudio.toolcall.outputs import ModelOutput, decode_call
from benchstudio.toolcall.profiles import Profile
from benchstudio.toolcall.schemas import MultiTurnSettings, Suite, TestCase, Tool
from benchstudio.toolcall.scoring import score_case
from benchstudio.toolcall.semantic import SemanticPrepass
from benchstudio.toolcall.verdicts import CaseVerdict

Sleep = Callable[[float], Awaitable[None]]


@dataclass(slots=True)
class TargetContext:
    """A target with its adapter and its provider-effective request parameters."""

    target: EvalTarget
    adapter: ProviderAdapter
    temperature: float | None
    max_tokens: int | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class DriveSettings:
    profile: Profile
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Sleep = asyncio.sleep
    # Computes `semantic` arguments' similarities before a case is scored.
    semantic: SemanticPrepass | None = None

    async def score(self, scorer: Callable[[Profile], CaseVerdict]) -> CaseVerdict:
        if self.semantic is None:
            return scorer(self.profile)
        return await self.semantic.score(self.profile, scorer)


def _request(
    context: TargetContext, messages: list[dict[str, Any]], tools: list[Any]
) -> ChatRequest:
    target = context.target
    return ChatRequest(
        model=target.model,
        messages=messages,
        tools=tools or None,
        tool_choice=target.tool_choice if tools else None,
        max_tokens=context.max_tokens,
        temperature=context.temperature,
        extra=dict(context.extra),
        stream=False,
        stream_usage=False,
        timeout_s=target.timeout_s,
    )


async def call_model(
    context: TargetContext, request: ChatRequest, settings: DriveSettings, round_number: int = 0
) -> tuple[ChatResponse | None, ExchangeRecord]:
    """One call under the retry policy; failures become an exchange with the error.

    The response's tool calls get unique ids (`call_<round>_<n>` where the server sent none),
    the same ids the record shows and the tool results answer.
    """
    attempts = 0
    started = perf_counter_ns()

    async def attempt() -> ChatResponse:
        nonlocal attempts
        attempts += 1
        return await context.adapter.complete(request)

    record = request_record(request)
    try:
        response = await call_with_retry(attempt, settings.retry_policy, settings.sleep)
    except ProviderError as error:
        elapsed_ms = (perf_counter_ns() - started) / 1e6
        exchange = ExchangeRecord(
            request=record,
            latency_ms=elapsed_ms,
            error=str(error),
            error_kind=error.category,
            attempts=attempts,
        )
        return None, exchange
    except Exception as error:  # a bug or an unmapped failure must not sink the whole run
        secrets = [context.target.api_key or ""]
        message = sanitize(f"{type(error).__name__}: {error}", secrets)
        return None, ExchangeRecord(
            request=record, error=message, error_kind="internal", attempts=attempts
        )
    response = replace(response, tool_calls=with_unique_call_ids(response.tool_calls, round_number))
    exchange = ExchangeRecord(
        request=record,
        response=response_record(response, response.tool_calls),
        latency_ms=response.latency_ns / 1e6,
        attempts=attempts,
    )
    return response, exchange


async def drive_case(
    suite: Suite, case: TestCase, context: TargetContext, settings: DriveSettings
) -> LiveCaseResult:
    """Run `case` against the target and score it."""
    started_at = utcnow()
    tools = suite.tools_for(case)
    messages = initial_messages(suite, case, context.target.system_prompt)
    transcript: ChainTranscript | None = None
    if case.multi_turn is None:
        verdict, exchanges = await _single_turn(case, tools, context, settings, messages)
    else:
        transcript, exchanges = await _chain(case, context, settings, messages, tool_specs(tools))
        chain = transcript
        verdict = await settings.score(lambda profile: score_chain(case, tools, chain, profile))
        verdict = _with_totals(verdict, exchanges)
    return LiveCaseResult(
        target=context.target.label,
        case_id=case.id,
        verdict=verdict,
        exchanges=exchanges,
        transcript=transcript,
        tools=[tool.function.name for tool in tools],
        started_at=started_at,
        finished_at=utcnow(),
    )


async def _single_turn(
    case: TestCase,
    tools: list[Tool],
    context: TargetContext,
    settings: DriveSettings,
    messages: list[dict[str, Any]],
) -> tuple[CaseVerdict, list[ExchangeRecord]]:
    label = context.target.label
    request = _request(context, messages, tool_specs(tools))
    response, exchange = await call_model(context, request, settings)
    if response is None:
        output = ModelOutput(
            case_id=case.id, error=exchange.error, latency_ms=exchange.latency_ms, model=label
        )
    else:
        output = output_from_response(case.id, response, label)
    verdict = await settings.score(lambda profile: score_case(case, tools, output, profile))
    return verdict, [exchange]


async def _chain(
    case: TestCase,
    context: TargetContext,
    settings: DriveSettings,
    messages: list[dict[str, Any]],
    specs: list[dict[str, Any]],
) -> tuple[ChainTranscript, list[ExchangeRecord]]:
    chain = case.multi_turn or MultiTurnSettings()
    transcript = ChainTranscript(case_id=case.id, model=context.target.label)
    exchanges: list[ExchangeRecord] = []
    for turn in range(chain.max_rounds + 1):
        request = _request(context, messages, specs)
        response, exchange = await call_model(context, request, settings, turn)
        exchanges.append(exchange)
        if response is None:
            transcript.error = exchange.error
            break
        calls = response.tool_calls
        if not calls:
            transcript.rounds.append(ChainRound(content=response.content or None))
            break
        results = [
            mock_result(chain, call.name, decode_call(call.name, call.arguments).arguments or {})
            for call in calls
        ]
        transcript.rounds.append(
            ChainRound(
                tool_calls=recorded_calls(calls),
                results=results,
                content=response.content or None,
            )
        )
        replies = [tool_result_message(c, r) for c, r in zip(calls, results, strict=True)]
        messages = [*messages, assistant_message(response.content, calls), *replies]
    transcript.latency_ms = _sum_or_none(e.latency_ms for e in exchanges)
    return transcript, exchanges


def _sum_or_none(values: Any) -> float | None:
    present = [value for value in values if value is not None]
    return math.fsum(present) if present else None


def _with_totals(verdict: CaseVerdict, exchanges: list[ExchangeRecord]) -> CaseVerdict:
    """Chain verdicts carry the summed tokens of every model turn."""
    usages = [e.response["usage"] for e in exchanges if e.response is not None]
    prompt = [u["input_tokens"] for u in usages if u.get("input_tokens") is not None]
    completion = [u["output_tokens"] for u in usages if u.get("output_tokens") is not None]
    return verdict.model_copy(
        update={
            "prompt_tokens": sum(prompt) if prompt else None,
            "completion_tokens": sum(completion) if completion else None,
        }
    )
