"""The judge engine against the simulator's scripted judge, on every wire protocol.

Verdicts are written into the case (`[sim-judge: ...]` markers) or the `X-Sim-Judge` header, so
each test knows the verdict the judge must return. Quirks stand in for servers that refuse
structured output.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal

import aiohttp
import pytest

from benchstudio.core.net import EgressPolicy, create_egress_session
from benchstudio.judge.domain.transcript import CaseForJudge, case_from_stored
from benchstudio.judge.service.judge_models import offline_judge_model
from benchstudio.judge.service.verdict_call import (
    JudgeModel,
    estimate_case,
    judge_case,
    judge_pair,
    verdict_prompt,
)
from benchstudio.providers.factory import create_adapter
from benchstudio.providers.pricing import ModelPrice
from benchstudio.providers.structured_output import FallbackMemory
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from benchstudio.toolcall.schemas import TestCase, Tool

VERDICT_BODY = (
    "You grade one tool-calling case (judge_verdict). Score 1-5; pass, marginal or fail.\n"
    'Example: {"score": 5, "verdict": "pass"}\n'
    "Tools:\n{tools}\n\nCase:\n{case_prompt}\n\nReference:\n{expected_calls}\n\n"
    "Transcript:\n{transcript}\n\nAutomated: {automated_result}\n{rubric}"
)
COMPARE_BODY = (
    "Compare two transcripts of one case (judge_comparison).\n"
    "Tools:\n{tools}\nCase:\n{case_prompt}\nReference:\n{expected_calls}\n"
    "{transcript_a}\n\n{transcript_b}"
)
MODEL_UNDER_TEST = "vendor/hidden-model-xl"
TOOL = Tool.model_validate(
    {
        "function": {
            "name": "get_weather",
            "description": "Weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        }
    }
)
PRICE = ModelPrice(input=Decimal("1"), output=Decimal("2"))


def case(
    marker: str = "", case_id: str = "c1", city: str = "Lyon", content: str = ""
) -> CaseForJudge:
    prompt = f"What is the weather in Paris? {marker}".strip()
    suite_case = TestCase.model_validate(
        {
            "id": case_id,
            "prompt": prompt,
            "expected_calls": [
                {"name": "get_weather", "arguments": {"city": {"acceptable": ["Paris"]}}}
            ],
        }
    )
    exchange = {
        "request": {"model": MODEL_UNDER_TEST, "messages": [{"role": "user", "content": prompt}]},
        "response": {
            "content": content,
            "tool_calls": [
                {"id": "1", "name": "get_weather", "arguments": f'{{"city": "{city}"}}'}
            ],
            "model": MODEL_UNDER_TEST,
        },
    }
    return case_from_stored(suite_case, [TOOL], [exchange], None, {"pass": False})


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    FallbackMemory.reset()
    yield
    FallbackMemory.reset()


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=1, itl_ms=0.1, output_tokens=6))
    async with SimulatorServer(config) as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with create_egress_session(EgressPolicy.from_allow_list("dev")) as egress:
        yield egress


def judge(
    sim: SimulatorServer,
    session: aiohttp.ClientSession,
    protocol: str = "openai",
    *,
    headers: dict[str, str] | None = None,
    window: int | None = None,
) -> JudgeModel:
    base = sim.base_url + ("/v1" if protocol == "openai" else "")
    adapter = create_adapter(protocol, base, "k", session=session, extra_headers=headers or {})
    return offline_judge_model(
        adapter,
        protocol=protocol,
        base_url=base,
        model_id="judge-model",
        context_window=window,
        price=PRICE,
    )


def statuses(sim: SimulatorServer) -> list[int]:
    return [record["status"] for record in sim.request_log()]


async def test_golden_verdict_from_a_marker_in_the_case(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    marker = "[sim-judge: verdict;verdict=marginal;score=3;args=city:wrong]"
    result = await judge_case(judge(sim, session), VERDICT_BODY, case(marker), show_automated=False)
    assert result.verdict is not None, result.parse_error
    assert (result.verdict.score, result.verdict.verdict) == (3, "marginal")
    assert [(a.name, a.status) for a in result.verdict.arguments] == [("city", "wrong")]
    assert (result.mode, result.repaired, result.fallbacks) == ("json_schema", False, [])
    assert result.parse_error is None and result.skipped_reason is None
    assert result.input_tokens and result.output_tokens and result.latency_ms > 0
    expected = (result.input_tokens * 1 + result.output_tokens * 2) / 1_000_000
    assert result.cost_usd == pytest.approx(expected)
    assert statuses(sim) == [200]


async def test_golden_verdict_from_the_header(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    model = judge(sim, session, headers={"X-Sim-Judge": "verdict;verdict=pass"})
    result = await judge_case(model, VERDICT_BODY, case(), show_automated=True)
    assert result.verdict is not None
    assert (result.verdict.score, result.verdict.verdict) == (5, "pass")
    assert result.verdict.tool_selection.status == "correct"


async def test_malformed_answer_is_repaired_once_then_recorded(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    result = await judge_case(
        judge(sim, session), VERDICT_BODY, case("[sim-judge: malformed]"), show_automated=False
    )
    assert result.verdict is None and result.repaired
    assert result.parse_error is not None and "no JSON object" in result.parse_error
    assert statuses(sim) == [200, 200]  # the answer and one repair, no more
    assert result.input_tokens is not None and result.input_tokens > 0


@pytest.mark.parametrize(
    ("quirk", "mode", "refused", "statuses_seen"),
    [
        # An older OpenAI-like server: no schema in either form, plain json_object works.
        (
            "reject_json_schema",
            "json_object",
            ["json_schema", "json_object_schema"],
            [400, 400, 200],
        ),
        (
            "reject_response_format",
            "prompt",
            ["json_schema", "json_object_schema", "json_object"],
            [400, 400, 400, 200],
        ),
    ],
)
async def test_fallback_chain_is_followed_and_remembered(
    sim: SimulatorServer,
    session: aiohttp.ClientSession,
    quirk: str,
    mode: str,
    refused: list[str],
    statuses_seen: list[int],
) -> None:
    model = judge(sim, session, headers={"X-Sim-Quirk": quirk})
    marker = "[sim-judge: verdict;verdict=fail;wrap=prose]"
    first = await judge_case(model, VERDICT_BODY, case(marker), show_automated=False)
    assert first.verdict is not None and first.verdict.verdict == "fail"
    assert (first.mode, first.fallbacks) == (mode, refused)
    assert statuses(sim) == statuses_seen
    sim.clear_log()
    again = await judge_case(model, VERDICT_BODY, case(marker, "c2"), show_automated=False)
    assert (again.mode, again.fallbacks) == (mode, [])
    assert statuses(sim) == [200]  # the remembered mode first: no refused request again
    FallbackMemory.reset()
    sim.clear_log()
    await judge_case(model, VERDICT_BODY, case(marker, "c3"), show_automated=False)
    assert statuses(sim) == statuses_seen


@pytest.mark.parametrize(
    ("protocol", "mode"), [("anthropic", "tool"), ("gemini", "response_schema")]
)
async def test_anthropic_and_gemini_native_modes(
    sim: SimulatorServer, session: aiohttp.ClientSession, protocol: str, mode: str
) -> None:
    marker = "[sim-judge: verdict;verdict=fail;score=2;tool=missing]"
    result = await judge_case(
        judge(sim, session, protocol), VERDICT_BODY, case(marker), show_automated=False
    )
    assert result.verdict is not None, result.parse_error
    assert (result.verdict.score, result.verdict.verdict) == (2, "fail")
    assert result.verdict.tool_selection.status == "missing"
    assert (result.mode, result.repaired) == (mode, False)
    assert statuses(sim) == [200]


async def test_transcript_over_the_window_is_skipped_without_a_request(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    model = judge(sim, session, window=300)
    result = await judge_case(
        model, VERDICT_BODY, case("[sim-judge: verdict]"), show_automated=False
    )
    assert result.verdict is None and result.parse_error is None
    assert result.skipped_reason is not None
    assert result.skipped_reason.startswith("transcript longer than the judge's window (")
    assert result.skipped_reason.endswith(" tokens > 300)")
    assert sim.request_log() == []
    assert estimate_case(model, VERDICT_BODY, case(), show_automated=False).too_long


async def test_the_judge_request_never_names_the_model_under_test(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    sent: list[str] = []
    model = judge(sim, session, headers={"X-Sim-Judge": "verdict"})
    complete = model.adapter.complete

    async def recording(request):  # type: ignore[no-untyped-def]
        sent.append(repr(request.messages) + repr(request.extra) + repr(request.tools))
        return await complete(request)

    model.adapter.complete = recording  # type: ignore[method-assign]
    await judge_case(model, VERDICT_BODY, case(), show_automated=True)
    assert sent and all("hidden-model" not in text and "vendor" not in text for text in sent)
    assert "hidden-model" not in verdict_prompt(VERDICT_BODY, case(), show_automated=True)


async def test_a_position_biased_judge_is_inconsistent_in_both_orders(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    model = judge(sim, session, headers={"X-Sim-Judge": "favour;position=A"})
    result = await judge_pair(model, COMPARE_BODY, case(city="Paris"), case(city="Lyon"))
    assert result.first.pick is not None and result.second.pick is not None
    assert (result.first.pick.winner, result.second.pick.winner) == ("A", "A")
    assert (result.comparison.outcome, result.comparison.inconsistent) == ("tie", True)
    assert result.cost_usd is not None and result.cost_usd > 0
    assert statuses(sim) == [200, 200]


async def test_a_consistent_pick_for_the_subject_is_a_win(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    # The first marker in the request wins: the subject's answer names A, the other's B. With
    # the subject shown first (A) the judge picks A; shown second (B) it picks B: both orders
    # pick the subject.
    subject = case(city="Paris", content="Calling. [sim-judge: favour;position=A]")
    other = case(city="Lyon", content="Calling. [sim-judge: favour;position=B]")
    result = await judge_pair(judge(sim, session), COMPARE_BODY, subject, other)
    assert result.first.pick is not None and result.second.pick is not None
    assert (result.first.pick.winner, result.second.pick.winner) == ("A", "B")
    assert (result.comparison.outcome, result.comparison.inconsistent) == ("win", False)
    assert (result.first.mode, result.second.mode) == ("json_schema", "json_schema")
