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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from benchstudio.judge.domain.comparative import CaseComparison, compare_case
from benchstudio.judge.domain.extraction import parse_pick, parse_verdict
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
from benchstudio.judge.service.structured_call import (
    JUDGE_MAX_TOKENS,
    JUDGE_TEMPERATURE,
    JudgeModel,
    Spend,
    structured_call,
)
from benchstudio.providers.base import Usage
from benchstudio.providers.pricing import ModelPrice, cost_of
from benchstudio.providers.structured_output import OutputMode

__all__ = [
    "JUDGE_MAX_TOKENS",
    "JUDGE_TEMPERATURE",
    "PICK_OUTPUT_TOKENS",
    "VERDICT_OUTPUT_TOKENS",
    "CallEstimate",
    "CaseJudgement",
    "JudgeModel",
    "PairJudgement",
    "PickResult",
    "estimate_case",
    "estimate_pair",
    "judge_case",
    "judge_pair",
    "pair_prompts",
    "verdict_prompt",
    "window_problem",
]

# What a verdict answer costs in output tokens, for estimates and the window check.
VERDICT_OUTPUT_TOKENS = 600
PICK_OUTPUT_TOKENS = 300


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
    spend = Spend()
    outcome = await structured_call(judge, text, VERDICT_SCHEMA_NAME, schema, parse_verdict, spend)
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


async def _pick(judge: JudgeModel, prompt: str, spend: Spend) -> PickResult:
    outcome = await structured_call(
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
    spend = Spend()
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
