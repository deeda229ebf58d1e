"""One structured judge call with one repair, and the judge model it goes to.

`ask_structured` sends a prompt to the judge asking for a schema (`providers.structured_output`:
the OpenAI fallback chain, Anthropic forced tool, Gemini responseSchema), reads the answer with
the caller's parser, and on a parse failure sends the bad answer back once with the error,
asking for the JSON only. Tokens, cost and latency add up over both calls. Used for verdicts,
comparative picks and the cross-case report's map and reduce calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from benchstudio.judge.domain.extraction import ParseFailure
from benchstudio.providers.base import ChatRequest, ProviderAdapter
from benchstudio.providers.params import apply_params
from benchstudio.providers.pricing import ModelPrice, cost_of
from benchstudio.providers.structured_output import (
    OutputMode,
    StructuredReply,
    complete_structured,
)
from benchstudio.speed.tokenizer import TokenCounter, encoding_for_model

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


Parsed = TypeVar("Parsed", bound=BaseModel)
REPAIR_INSTRUCTION = (
    "Your answer could not be read: {problem} Reply again with the JSON object only "
    "({schema_name}), no prose and no code fence, matching the schema you were given."
)


@dataclass(slots=True)
class Spend:
    """Usage, cost and latency summed over the calls of one judgement (None: unknown)."""

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
class StructuredOutcome(Generic[Parsed]):
    """The parsed answer or why not, how it was asked for, and whether a repair was sent."""

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


async def structured_call(
    judge: JudgeModel,
    prompt: str,
    schema_name: str,
    schema: dict[str, Any],
    parse: Callable[[str], Parsed | ParseFailure],
    spend: Spend,
) -> StructuredOutcome[Parsed]:
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
            return StructuredOutcome(parsed, None, reply.mode, repaired, fallbacks)
        if repaired:
            return StructuredOutcome(None, _problem(parsed), reply.mode, repaired, fallbacks)
        repaired = True
        problem = REPAIR_INSTRUCTION.format(problem=parsed.message, schema_name=schema_name)
        messages = [
            *messages,
            {"role": "assistant", "content": reply.text or "(no answer)"},
            {"role": "user", "content": problem},
        ]


async def ask_structured(
    judge: JudgeModel,
    prompt: str,
    *,
    schema_name: str,
    schema: dict[str, Any],
    parse: Callable[[str], Parsed | ParseFailure],
) -> tuple[StructuredOutcome[Parsed], Spend]:
    """One judge call for `schema` (one repair on a parse failure) and what it spent.

    Provider errors propagate; a parse failure after the repair is returned, never raised.
    """
    spend = Spend()
    outcome = await structured_call(judge, prompt, schema_name, schema, parse, spend)
    return outcome, spend
