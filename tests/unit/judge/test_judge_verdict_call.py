"""The verdict call with a scripted adapter: repair, accounting, window and estimates."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from benchstudio.judge.domain.extraction import parse_pick
from benchstudio.judge.domain.transcript import CaseForJudge, case_from_stored
from benchstudio.judge.schemas import COMPARATIVE_SCHEMA_NAME, comparative_json_schema
from benchstudio.judge.service.structured_call import ask_structured
from benchstudio.judge.service.verdict_call import (
    JUDGE_MAX_TOKENS,
    PICK_OUTPUT_TOKENS,
    JudgeModel,
    estimate_case,
    estimate_pair,
    judge_case,
    judge_pair,
    pair_prompts,
)
from benchstudio.providers.base import ChatRequest, ChatResponse, ModelInfo, Usage
from benchstudio.providers.pricing import ModelPrice
from benchstudio.providers.structured_output import FallbackMemory
from benchstudio.toolcall.schemas import TestCase

GOOD = {
    "score": 4,
    "verdict": "pass",
    "tool_selection": {"status": "correct", "reason": "right tool"},
    "arguments": [{"name": "city", "status": "correct", "reason": "Paris"}],
    "reasoning": "Fine.",
}
BODY = "judge_verdict {transcript}"
PRICE = ModelPrice(input=Decimal("1"), output=Decimal("2"))


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    FallbackMemory.reset()
    yield
    FallbackMemory.reset()


class Answers:
    """Answers each call with the next text; records the requests."""

    protocol = "openai"

    def __init__(self, *texts: str, usage: Usage | None = None) -> None:
        self.texts = list(texts)
        self.requests: list[ChatRequest] = []
        self.usage = usage or Usage(100, 20)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        return ChatResponse(self.texts.pop(0), "", [], self.usage, "stop", 2_000_000)

    def stream(self, request: ChatRequest) -> Any:  # pragma: no cover - not used
        raise NotImplementedError

    async def list_models(self) -> list[ModelInfo]:  # pragma: no cover - not used
        return []

    async def health_check(self) -> Any:  # pragma: no cover - not used
        return None


def judge(adapter: Answers, **kwargs: Any) -> JudgeModel:
    return JudgeModel(
        adapter=adapter,
        protocol="openai",
        model_id="judge",
        endpoint_key="http://j#judge",
        display_name="Judge",
        price=kwargs.pop("price", PRICE),
        count_tokens=lambda text: len(text.split()),
        **kwargs,
    )


def case(answer: str = "It is sunny.") -> CaseForJudge:
    exchange = {"request": {"messages": []}, "response": {"content": answer, "tool_calls": []}}
    return case_from_stored(TestCase(id="c", prompt="Weather?"), [], [exchange], None, None)


async def test_a_bad_answer_is_repaired_once_with_the_parse_error() -> None:
    adapter = Answers("I think it passes.", json.dumps(GOOD))
    result = await judge_case(judge(adapter), BODY, case(), show_automated=False)
    assert result.verdict is not None and result.verdict.score == 4
    assert result.repaired and result.parse_error is None
    repair = adapter.requests[1].messages
    assert repair[-2] == {"role": "assistant", "content": "I think it passes."}
    assert "could not be read" in repair[-1]["content"]
    assert "judge_verdict" in repair[-1]["content"]
    # Both calls are charged: 200 input and 40 output tokens at 1 and 2 USD per million.
    assert (result.input_tokens, result.output_tokens) == (200, 40)
    assert result.cost_usd == pytest.approx((200 * 1 + 40 * 2) / 1e6)
    assert result.latency_ms == pytest.approx(4.0)


async def test_a_wrong_shape_twice_is_a_parse_failure_never_a_score() -> None:
    wrong = json.dumps({**GOOD, "score": 9})
    adapter = Answers(wrong, wrong)
    result = await judge_case(judge(adapter), BODY, case(), show_automated=False)
    assert result.verdict is None and result.repaired
    assert result.parse_error is not None and "wrong shape" in result.parse_error
    assert len(adapter.requests) == 2


async def test_request_settings_and_unknown_usage() -> None:
    adapter = Answers(json.dumps(GOOD), usage=Usage())
    model = judge(adapter, max_output_tokens=500)
    result = await judge_case(model, BODY, case(), show_automated=False)
    request = adapter.requests[0]
    assert (request.temperature, request.max_tokens, request.stream) == (0.0, 500, False)
    assert result.cost_usd is None and result.input_tokens is None  # unknown, never 0
    unpriced = judge(Answers(json.dumps(GOOD)), price=None)
    assert (await judge_case(unpriced, BODY, case(), show_automated=False)).cost_usd is None
    assert JUDGE_MAX_TOKENS > 500


async def test_a_pair_over_the_window_sends_nothing() -> None:
    adapter = Answers()
    result = await judge_pair(judge(adapter, context_window=50), "{transcript_a}", case(), case())
    assert adapter.requests == []
    assert result.first.skipped_reason is not None and result.second.skipped_reason is not None
    assert result.comparison.outcome == "undecided" and result.cost_usd == 0.0


async def test_an_unparsed_order_leaves_the_case_undecided() -> None:
    pick = json.dumps({"winner": "A", "reasoning": "better"})
    adapter = Answers(pick, "no idea", "still no idea")
    result = await judge_pair(judge(adapter), "judge_comparison", case(), case())
    assert result.first.pick is not None and result.second.pick is None
    assert result.second.parse_error is not None and result.second.repaired
    assert result.comparison.outcome == "undecided"


def test_pair_prompts_swap_only_the_transcripts() -> None:
    first, second = pair_prompts(
        "{case_prompt}|{transcript_a}|{transcript_b}", case("x"), case("y")
    )
    assert first.split("|")[1].endswith("text: x\n  (no tool call)")
    assert second.split("|")[1].endswith("text: y\n  (no tool call)")
    assert first.split("|")[0] == second.split("|")[0]


def test_estimates_count_prompt_schema_and_answer() -> None:
    model = judge(Answers())
    one = estimate_case(model, BODY, case(), show_automated=False)
    assert one.input_tokens > 0 and one.output_tokens > 0 and not one.too_long
    assert one.cost_usd == pytest.approx((one.input_tokens + 2 * one.output_tokens) / 1e6)
    pair = estimate_pair(model, "judge_comparison {transcript_a}", case(), case())
    assert pair.output_tokens == 2 * PICK_OUTPUT_TOKENS
    assert estimate_case(
        judge(Answers(), context_window=10), BODY, case(), show_automated=False
    ).too_long


async def test_ask_structured_serves_any_schema_with_its_parser() -> None:
    adapter = Answers("not json", json.dumps({"winner": "tie", "reasoning": "even"}))
    outcome, spend = await ask_structured(
        judge(adapter),
        "judge_comparison: which is better?",
        schema_name=COMPARATIVE_SCHEMA_NAME,
        schema=comparative_json_schema(),
        parse=parse_pick,
    )
    assert outcome.value is not None and outcome.value.winner == "tie"
    assert outcome.repaired and outcome.mode == "json_schema"
    assert (spend.input_tokens, spend.output_tokens, spend.cost_usd) == (200, 40, 0.00028)
    fmt = adapter.requests[0].extra["response_format"]
    assert fmt["json_schema"]["name"] == "judge_comparison"
