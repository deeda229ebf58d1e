"""The judge engine: one structured call per case (or per order of a pair), read and costed.

`judge_case` renders the case blind, fills the prompt body, and asks the judge for the verdict
schema through `providers.structured_output` (the OpenAI fallback chain, Anthropic forced tool,
Gemini responseSchema). The answer is read by `judge.domain.extraction.parse_verdict`; on a
parse failure the bad answer goes back once with the parse error, asking for the JSON only.
A second failure is recorded as a parse failure, never scored. A prompt longer than the judge's
context window is skipped with the reason, and no request is sent.

`judge_pair` asks for a comparative pick in both orders (the subject labelled A, then B) and
combines them with `judge.domain.comparative.compare_case`.

Provider errors (HTTP, timeouts) propagate: the caller decides whether a case is retried,
recorded as failed, or stops the job.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from benchstudio.judge.domain.comparative import CaseComparison, compare_case
from benchstudio.judge.domain.extraction import ParseFailure, parse_pick, parse_verdict
from benchstudio.judge.domain.judge_prompt import fill_prompt
from benchstudio.judge.domain.transcript import CaseForJudge, render_pair, verdict_fields
from benchstudio.judge.schemas import (
    COMPARATIVE_SCHEMA_NAME,
    VERDICT_SCHEMA_NAME,
    CaseVerdict,
    ComparativePick,
    comparative_json_schema,
    verdict_json_schema,
)
from benchstudio.providers.base import ChatRequest, ProviderAdapter, Usage
from benchstudio.providers.params import apply_params
from benchstudio.providers.pricing import ModelPrice, cost_of
from benchstudio.providers.structured_output import (
    OutputMode,
    StructuredReply,
    complete_structured,
)
from benchstudio.speed.tokenizer import TokenCounter, encoding_for_model

# What a verdict answer costs in output tokens, for estimates and the window check.
VERDICT_OUTPUT_TOKENS = 600
PICK_OUTPUT_TOKENS = 300
JUDGE_MAX_TOKENS = 2048
JUDGE_TEMPERATURE = 0.0


@dataclass(slots=True)
class JudgeModel:
    """A judge ready to call: the adapter (key attached), where it points, price and window.

    `endpoint_key` (provider base URL + model) keys the structured-output fallback memory.
    `count_tokens` counts prompt tokens for the window check and estimates (tiktoken by
    default, the encoding picked from the model id).
    """

    adapter: ProviderAdapter
    protocol: str
    model_id: str
    endpoint_key: str
    display_name: str
    model_ref_id: str | None = None
    price: ModelPrice | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    count_tokens: Callable[[str], int] | None = None
    # The parameter registry's provider name (temperature and max_tokens rules); None: protocol.
    provider: str | None = None

    def tokens(self, text: str) -> int:
        """Prompt tokens of `text` by this judge's counter."""
        if self.count_tokens is None:
            self.count_tokens = TokenCounter(encoding_for_model(self.model_id)).count
        return self.count_tokens(text)


@dataclass(slots=True)
class CaseJudgement:
    """The outcome of judging one case. Exactly one of verdict, parse_error, skipped_reason is
    set. Token counts and cost add both calls when a repair was sent."""

    case_id: str
    verdict: CaseVerdict | None
    parse_error: str | None = None
    skipped_reason: str | None = None
    mode: OutputMode | None = None
    repaired: bool = False
    cost_usd: float | None = None
    latency_ms: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None
    fallbacks: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PickResult:
    """One order's pick (None: unparsed or skipped) and why not."""

    pick: ComparativePick | None
    parse_error: str | None = None
    skipped_reason: str | None = None
    repaired: bool = False
    mode: OutputMode | None = None


@dataclass(slots=True)
class PairJudgement:
    """Both orders of one case: `first` has the subject as A, `second` as B, and the combined
    outcome for the subject (`comparison.outcome`, `comparison.inconsistent`)."""

    case_id: str
    first: PickResult
    second: PickResult
    comparison: CaseComparison
    cost_usd: float | None = None
    latency_ms: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class CallEstimate:
    """What judging one case (or one pair, both orders) is expected to take, before any call."""

    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    too_long: bool


Parsed = TypeVar("Parsed", bound=BaseModel)
REPAIR_INSTRUCTION = (
    "Your answer could not be read: {problem} Reply again with the JSON object only "
    "({schema_name}), no prose and no code fence, matching the schema you were given."
)


def verdict_prompt(
    body: str,
    case: CaseForJudge,
    *,
    show_automated: bool,
    fields: Mapping[str, str] | None = None,
) -> str:
    """The verdict prompt for `case`: the body with its placeholders filled (`fields` adds or
    overrides placeholders, e.g. `rubric`)."""
    values = verdict_fields(case, show_automated=show_automated) | dict(fields or {})
    return fill_prompt(body, values)


def pair_prompts(
    body: str,
    first: CaseForJudge,
    second: CaseForJudge,
    fields: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """The comparison prompts: `first` as A (first order), then `first` as B (second order).

    Both show the subject's tools, case prompt and reference, so only the labels move."""
    extra = dict(fields or {})
    return (
        fill_prompt(body, render_pair(first, second, first) | extra),
        fill_prompt(body, render_pair(second, first, first) | extra),
    )


def window_problem(judge: JudgeModel, prompt_tokens: int, output_tokens: int) -> str | None:
    """The skip reason when the prompt plus its answer do not fit the judge's window."""
    window = judge.context_window
    needed = prompt_tokens + output_tokens
    if window is None or needed <= window:
        return None
    return f"transcript longer than the judge's window ({needed} tokens > {window})"


def _schema_tokens(judge: JudgeModel, schema: dict[str, Any]) -> int:
    """The schema travels with every request (response_format, tool or instruction)."""
    return judge.tokens(json.dumps(schema))


def _cost(price: ModelPrice | None, usage: Usage) -> float | None:
    if price is None:
        return None
    cost = cost_of(usage, price)
    return None if cost is None else float(cost)


def _estimate(
    judge: JudgeModel, prompts: list[str], schema: dict[str, Any], out: int
) -> CallEstimate:
    overhead = _schema_tokens(judge, schema)
    counts = [judge.tokens(prompt) + overhead for prompt in prompts]
    too_long = any(window_problem(judge, count, out) for count in counts)
    inputs, outputs = sum(counts), out * len(prompts)
    cost = _cost(judge.price, Usage(input_tokens=inputs, output_tokens=outputs))
    return CallEstimate(inputs, outputs, cost, too_long)


def estimate_case(
    judge: JudgeModel,
    body: str,
    case: CaseForJudge,
    *,
    show_automated: bool,
    fields: Mapping[str, str] | None = None,
) -> CallEstimate:
    """Tokens and cost of judging `case` (no call); a too-long case would be skipped."""
    prompt = verdict_prompt(body, case, show_automated=show_automated, fields=fields)
    return _estimate(judge, [prompt], verdict_json_schema(), VERDICT_OUTPUT_TOKENS)


def estimate_pair(
    judge: JudgeModel,
    body: str,
    first: CaseForJudge,
    second: CaseForJudge,
    fields: Mapping[str, str] | None = None,
) -> CallEstimate:
    """Tokens and cost of both orders of a pair (no call)."""
    prompts = list(pair_prompts(body, first, second, fields))
    return _estimate(judge, prompts, comparative_json_schema(), PICK_OUTPUT_TOKENS)


@dataclass(slots=True)
class _Spend:
    """Usage and latency summed over the calls of one judgement."""

    input_tokens: int | None = 0
    output_tokens: int | None = 0
    latency_ns: int = 0
    cost: Decimal | None = Decimal(0)

    def add(self, reply: StructuredReply, price: ModelPrice | None) -> None:
        usage = reply.usage
        self.latency_ns += reply.latency_ns
        self.input_tokens = _plus(self.input_tokens, usage.input_tokens)
        self.output_tokens = _plus(self.output_tokens, usage.output_tokens)
        cost = cost_of(usage, price) if price is not None else None
        self.cost = None if cost is None or self.cost is None else self.cost + cost

    @property
    def cost_usd(self) -> float | None:
        return None if self.cost is None else float(self.cost)


def _plus(total: int | None, count: int | None) -> int | None:
    return None if total is None or count is None else total + count


@dataclass(slots=True)
class _Outcome(Generic[Parsed]):
    value: Parsed | None
    parse_error: str | None
    mode: OutputMode | None
    repaired: bool
    fallbacks: list[str]


def _request(judge: JudgeModel, messages: list[dict[str, Any]]) -> ChatRequest:
    max_tokens = JUDGE_MAX_TOKENS
    if judge.max_output_tokens is not None:
        max_tokens = min(max_tokens, judge.max_output_tokens)
    request = ChatRequest(
        model=judge.model_id,
        messages=messages,
        max_tokens=max_tokens,
        temperature=JUDGE_TEMPERATURE,
        stream=False,
    )
    adjusted, _ = apply_params(request, judge.provider or judge.protocol)
    return adjusted


def _problem(failure: ParseFailure) -> str:
    return f"{failure.message} The answer began: {failure.excerpt!r}"


async def _structured_call(
    judge: JudgeModel,
    prompt: str,
    schema_name: str,
    schema: dict[str, Any],
    parse: Callable[[str], Parsed | ParseFailure],
    spend: _Spend,
) -> _Outcome[Parsed]:
    """One call, read; on a parse failure one repair call with the bad answer and the error."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
    fallbacks: list[str] = []
    repaired = False
    while True:
        reply = await complete_structured(
            judge.adapter,
            _request(judge, messages),
            protocol=judge.protocol,
            schema_name=schema_name,
            schema=schema,
            endpoint_key=judge.endpoint_key,
        )
        spend.add(reply, judge.price)
        fallbacks += reply.fallbacks
        parsed = parse(reply.text)
        if not isinstance(parsed, ParseFailure):
            return _Outcome(parsed, None, reply.mode, repaired, fallbacks)
        if repaired:
            return _Outcome(None, _problem(parsed), reply.mode, repaired, fallbacks)
        repaired = True
        problem = REPAIR_INSTRUCTION.format(problem=parsed.message, schema_name=schema_name)
        messages = [
            *messages,
            {"role": "assistant", "content": reply.text or "(no answer)"},
            {"role": "user", "content": problem},
        ]


async def judge_case(
    judge: JudgeModel,
    prompt: str,
    case: CaseForJudge,
    *,
    show_automated: bool,
    fields: Mapping[str, str] | None = None,
) -> CaseJudgement:
    """Judge one case with the prompt body `prompt` (one call, plus one repair if needed)."""
    text = verdict_prompt(prompt, case, show_automated=show_automated, fields=fields)
    schema = verdict_json_schema()
    tokens = judge.tokens(text) + _schema_tokens(judge, schema)
    skipped = window_problem(judge, tokens, VERDICT_OUTPUT_TOKENS)
    if skipped is not None:
        return CaseJudgement(case.case_id, None, skipped_reason=skipped, cost_usd=0.0)
    spend = _Spend()
    outcome = await _structured_call(judge, text, VERDICT_SCHEMA_NAME, schema, parse_verdict, spend)
    return CaseJudgement(
        case_id=case.case_id,
        verdict=outcome.value,
        parse_error=outcome.parse_error,
        mode=outcome.mode,
        repaired=outcome.repaired,
        cost_usd=spend.cost_usd,
        latency_ms=spend.latency_ns / 1e6,
        input_tokens=spend.input_tokens,
        output_tokens=spend.output_tokens,
        fallbacks=outcome.fallbacks,
    )


async def _pick(judge: JudgeModel, prompt: str, spend: _Spend) -> PickResult:
    outcome = await _structured_call(
        judge, prompt, COMPARATIVE_SCHEMA_NAME, comparative_json_schema(), parse_pick, spend
    )
    return PickResult(outcome.value, outcome.parse_error, None, outcome.repaired, outcome.mode)


async def judge_pair(
    judge: JudgeModel,
    prompt: str,
    first: CaseForJudge,
    second: CaseForJudge,
    fields: Mapping[str, str] | None = None,
) -> PairJudgement:
    """Compare the subject `first` with `second` on one case, in both orders.

    The orders run one after the other (a caller's concurrency limit counts requests). When
    either prompt is over the judge's window, neither is sent and the case is undecided.
    """
    prompts = pair_prompts(prompt, first, second, fields)
    overhead = _schema_tokens(judge, comparative_json_schema())
    problems = [
        window_problem(judge, judge.tokens(p) + overhead, PICK_OUTPUT_TOKENS) for p in prompts
    ]
    skipped = next((problem for problem in problems if problem), None)
    if skipped is not None:
        picks = (PickResult(None, skipped_reason=skipped), PickResult(None, skipped_reason=skipped))
        comparison = compare_case(first.case_id, None, None)
        return PairJudgement(first.case_id, *picks, comparison, cost_usd=0.0)
    spend = _Spend()
    first_order = await _pick(judge, prompts[0], spend)
    second_order = await _pick(judge, prompts[1], spend)
    comparison = compare_case(
        first.case_id,
        first_order.pick.winner if first_order.pick else None,
        second_order.pick.winner if second_order.pick else None,
    )
    return PairJudgement(
        case_id=first.case_id,
        first=first_order,
        second=second_order,
        comparison=comparison,
        cost_usd=spend.cost_usd,
        latency_ms=spend.latency_ns / 1e6,
        input_tokens=spend.input_tokens,
        output_tokens=spend.output_tokens,
    )
