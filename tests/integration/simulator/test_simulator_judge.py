"""The scripted judge over HTTP: directives decide the verdict; structured output is honoured."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from benchstudio.judge.domain.comparative import compare_case
from benchstudio.judge.domain.extraction import ParseFailure, parse_pick, parse_verdict
from benchstudio.judge.schemas import (
    CaseVerdict,
    ComparativePick,
    comparative_json_schema,
    verdict_json_schema,
)
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer

CASE = (
    "What is the weather in Paris? "
    "[sim-judge: verdict;verdict=fail;score=2;args=city:wrong/unit:missing]"
)
STRICT = {
    "type": "json_schema",
    "json_schema": {"name": "judge_verdict", "schema": verdict_json_schema(), "strict": True},
}


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=1, itl_ms=0.1, output_tokens=6))
    async with SimulatorServer(config) as server:
        yield server


async def post(
    url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers or {}) as response,
    ):
        return response.status, await response.json(content_type=None)


def judge_prompt(case: str = CASE) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You grade tool calls. Answer in JSON (judge_verdict)."},
        {"role": "user", "content": f"Case prompt:\n{case}\n\nTranscript: get_weather(city=Lyon)"},
    ]


async def openai_content(sim: SimulatorServer, body: dict[str, Any], **headers: str) -> str:
    status, answer = await post(f"{sim.base_url}/v1/chat/completions", body, headers)
    assert status == 200, answer
    return str(answer["choices"][0]["message"]["content"])


async def test_strict_json_schema_gets_the_verdict_the_case_asks_for(sim: SimulatorServer) -> None:
    body = {"model": "judge", "messages": judge_prompt(), "response_format": STRICT}
    content = await openai_content(sim, body)
    assert json.loads(content)["score"] == 2  # pure JSON, no wrapping
    verdict = parse_verdict(content)
    assert isinstance(verdict, CaseVerdict)
    assert (verdict.score, verdict.verdict, verdict.tool_selection.status) == (2, "fail", "wrong")
    assert [(a.name, a.status) for a in verdict.arguments] == [
        ("city", "wrong"),
        ("unit", "missing"),
    ]


async def test_the_model_under_evaluation_ignores_the_marker(sim: SimulatorServer) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": CASE}]}
    content = await openai_content(sim, body)
    assert isinstance(parse_verdict(content), ParseFailure)


async def test_streamed_judge_answer_is_the_same_json(sim: SimulatorServer) -> None:
    body = {"model": "judge", "messages": judge_prompt(), "response_format": STRICT, "stream": True}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.base_url}/v1/chat/completions", json=body) as response,
    ):
        raw = (await response.read()).decode()
    chunks = [json.loads(line[6:]) for line in raw.splitlines() if line.startswith("data: {")]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    verdict = parse_verdict(text)
    assert isinstance(verdict, CaseVerdict) and verdict.score == 2


async def test_malformed_header_answer_is_a_parse_failure(sim: SimulatorServer) -> None:
    body = {"model": "judge", "messages": judge_prompt("Any case."), "response_format": STRICT}
    content = await openai_content(sim, body, **{"X-Sim-Judge": "malformed"})
    failure = parse_verdict(content)
    assert isinstance(failure, ParseFailure) and failure.kind == "no_json"
    assert content.startswith('{"score": 5')


async def test_prompt_only_answer_can_be_wrapped_in_prose(sim: SimulatorServer) -> None:
    case = "Weather? [sim-judge: verdict;verdict=marginal;wrap=prose]"
    content = await openai_content(sim, {"model": "judge", "messages": judge_prompt(case)})
    assert content.startswith("Here is my assessment.") and "```json" in content
    verdict = parse_verdict(content)
    assert isinstance(verdict, CaseVerdict) and (verdict.verdict, verdict.score) == ("marginal", 3)


async def test_json_object_needs_the_word_json(sim: SimulatorServer) -> None:
    messages = [{"role": "user", "content": "grade this [sim-judge: verdict]"}]
    body = {"model": "judge", "messages": messages, "response_format": {"type": "json_object"}}
    status, answer = await post(f"{sim.base_url}/v1/chat/completions", body)
    assert status == 400 and answer["error"]["param"] == "messages"
    body["messages"] = judge_prompt()
    content = await openai_content(sim, body, **{"X-Sim-Judge": "verdict;verdict=pass"})
    assert json.loads(content)["verdict"] == "pass"


async def test_a_loose_schema_is_refused_in_strict_mode(sim: SimulatorServer) -> None:
    schema = verdict_json_schema()
    schema["required"].remove("reasoning")
    fmt = {"type": "json_schema", "json_schema": {"name": "v", "schema": schema, "strict": True}}
    body = {"model": "judge", "messages": judge_prompt(), "response_format": fmt}
    status, answer = await post(f"{sim.base_url}/v1/chat/completions", body)
    assert status == 400
    assert "Missing 'reasoning'" in answer["error"]["message"]
    fmt["json_schema"]["strict"] = False
    status, _ = await post(f"{sim.base_url}/v1/chat/completions", body)
    assert status == 200


async def test_quirks_refuse_structured_output_for_the_fallback_chain(
    sim: SimulatorServer,
) -> None:
    url = f"{sim.base_url}/v1/chat/completions"
    body = {"model": "judge", "messages": judge_prompt(), "response_format": STRICT}
    status, answer = await post(url, body, {"X-Sim-Quirk": "reject_json_schema"})
    assert status == 400 and answer["error"]["param"] == "response_format"
    body["response_format"] = {"type": "json_object"}
    content = await openai_content(sim, body, **{"X-Sim-Quirk": "reject_json_schema"})
    assert json.loads(content)["verdict"] == "fail"
    status, _ = await post(url, body, {"X-Sim-Quirk": "reject_response_format"})
    assert status == 400


async def test_anthropic_forced_tool_use_carries_the_verdict(sim: SimulatorServer) -> None:
    tool = {
        "name": "judge_verdict",
        "description": "verdict",
        "input_schema": verdict_json_schema(),
    }
    body = {
        "model": "judge",
        "max_tokens": 1000,
        "system": "You grade tool calls.",
        "messages": [{"role": "user", "content": judge_prompt()[1]["content"]}],
        "tools": [tool],
        "tool_choice": {"type": "tool", "name": "judge_verdict"},
    }
    status, answer = await post(f"{sim.base_url}/v1/messages", body)
    assert status == 200, answer
    assert answer["stop_reason"] == "tool_use"
    (block,) = [b for b in answer["content"] if b["type"] == "tool_use"]
    assert block["name"] == "judge_verdict"
    verdict = CaseVerdict.model_validate(block["input"])
    assert (verdict.score, verdict.verdict) == (2, "fail")


async def test_gemini_response_schema_gets_pure_json(sim: SimulatorServer) -> None:
    body = {
        "contents": [{"role": "user", "parts": [{"text": judge_prompt()[1]["content"]}]}],
        "generationConfig": {
            "responseMimeType": "application/json",
            "responseSchema": verdict_json_schema(),
        },
    }
    status, answer = await post(f"{sim.base_url}/v1beta/models/judge:generateContent", body)
    assert status == 200, answer
    parts = answer["candidates"][0]["content"]["parts"]
    text = "".join(p.get("text", "") for p in parts if not p.get("thought"))
    assert json.loads(text)["verdict"] == "fail"
    body["generationConfig"].pop("responseMimeType")
    status, _ = await post(f"{sim.base_url}/v1beta/models/judge:generateContent", body)
    assert status == 400


async def test_a_judge_favouring_a_is_inconsistent_in_both_orders(sim: SimulatorServer) -> None:
    fmt = {
        "type": "json_schema",
        "json_schema": {
            "name": "judge_comparison",
            "schema": comparative_json_schema(),
            "strict": True,
        },
    }
    picks = []
    for first, second in (("X", "Y"), ("Y", "X")):
        case = "Weather? [sim-judge: favour;position=A] [sim-judge: verdict;verdict=pass]"
        prompt = f"Case: {case}\nTranscript A: {first}\nTranscript B: {second}"
        body = {
            "model": "judge",
            "messages": [{"role": "user", "content": prompt}],
            "response_format": fmt,
        }
        pick = parse_pick(await openai_content(sim, body))
        assert isinstance(pick, ComparativePick)
        picks.append(pick.winner)
    assert picks == ["A", "A"]
    case = compare_case("c1", picks[0], picks[1])
    assert (case.outcome, case.inconsistent) == ("tie", True)


async def test_a_bad_judge_directive_is_a_400(sim: SimulatorServer) -> None:
    body = {"model": "judge", "messages": judge_prompt(), "response_format": STRICT}
    status, answer = await post(
        f"{sim.base_url}/v1/chat/completions", body, {"X-Sim-Judge": "verdict;score=9"}
    )
    assert status == 400
    assert "judge directive" in answer["error"]["message"]
