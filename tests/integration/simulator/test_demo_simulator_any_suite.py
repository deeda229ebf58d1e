"""The demo simulator on a suite it was never scripted for (imported from BFCL-like files):
it picks tools and fills arguments, its sloppy sibling makes the stated mistakes, every wire
format carries the calls, and TTFT grows with the prompt (prefill)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from importlib.resources import as_file
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchstudio.cli.demo_simulator import demo_config
from benchstudio.core.net import EgressPolicy
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer, load_config
from benchstudio.simulator.tool_mistakes import ACCURACY_PRESETS, MISTAKE_KINDS
from benchstudio.toolcall.bfcl_import import import_bfcl
from benchstudio.toolcall.live.connect import guarded_adapters
from benchstudio.toolcall.live.records import EvalTarget, LiveCaseResult
from benchstudio.toolcall.live.runner import LiveEvalRunner
from benchstudio.toolcall.profiles import get_profile

FIXTURES = Path(__file__).parent / "fixtures"
SUITE = import_bfcl(
    json.loads((FIXTURES / "bfcl_like_questions.json").read_text()),
    json.loads((FIXTURES / "bfcl_like_answers.json").read_text()),
    name="BFCL-like",
).suite
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
NEWS = {
    "type": "function",
    "function": {
        "name": "get_news",
        "description": "News headlines about a topic.",
        "parameters": {"type": "object", "properties": {"topic": {"type": "string"}}},
    },
}


def _fast(profile: ModelProfile) -> ModelProfile:
    return profile.model_copy(update={"ttft_ms": 0, "itl_ms": 0, "prefill_ms_per_1k_tokens": 0})


@pytest.fixture
async def demo_server() -> AsyncIterator[SimulatorServer]:
    with as_file(demo_config()) as path:
        config = load_config(path)
    fast = config.model_copy(
        update={"default": _fast(config.default), "models": [_fast(m) for m in config.models]}
    )
    async with SimulatorServer(fast) as server:
        yield server


async def _run(server: SimulatorServer, model: str) -> dict[str, LiveCaseResult]:
    target = EvalTarget(label=model, model=model, base_url=server.base_url + "/v1")
    async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
        runner = LiveEvalRunner(SUITE, [target], get_profile("lenient"), adapter_for)
        return {result.case_id: result async for result in runner.run()}


async def test_an_unscripted_suite_scores_well_on_the_demo_model(
    demo_server: SimulatorServer,
) -> None:
    results = await _run(demo_server, "benchstudio-sim")
    assert len(results) == len(SUITE.cases) == 10
    passed = sorted(case for case, result in results.items() if result.passed)
    assert len(passed) >= 8, {c: r.verdict.error_category for c, r in results.items()}
    assert {"irrelevance_0", "irrelevance_1", "parallel_0"} <= set(passed)


async def test_the_sloppy_model_makes_the_stated_mistakes_at_about_their_rates(
    demo_server: SimulatorServer,
) -> None:
    body = {"model": "benchstudio-sim-sloppy", "tools": [WEATHER, NEWS]}
    limit = asyncio.Semaphore(8)
    count = 400

    async def ask(client: httpx.AsyncClient, index: int) -> dict[str, Any]:
        prompt = f"What's the weather in Paris for request {index}?"
        async with limit:
            reply = await client.post(
                "/v1/chat/completions",
                json={**body, "messages": [{"role": "user", "content": prompt}]},
                headers={"X-Request-Id": f"sloppy-{index}"},
            )
        message: dict[str, Any] = reply.json()["choices"][0]["message"]
        return message

    async with httpx.AsyncClient(base_url=demo_server.base_url, timeout=30) as client:
        messages = await asyncio.gather(*(ask(client, i) for i in range(count)))
    kinds = Counter(
        (demo_server.find_request(f"sloppy-{i}") or {}).get("tool_mistake") for i in range(count)
    )
    rates = ACCURACY_PRESETS["sloppy"]
    for kind in MISTAKE_KINDS:
        assert abs(kinds[kind] / count - getattr(rates, kind)) < 0.05, kinds
    for index, message in enumerate(messages):
        mistake = (demo_server.find_request(f"sloppy-{index}") or {}).get("tool_mistake")
        calls = [
            (c["function"]["name"], json.loads(c["function"]["arguments"]))
            for c in message.get("tool_calls") or []
        ]
        expected = {
            None: [("get_weather", {"city": "Paris"})],
            "no_call": [],
            "wrong_tool": [("get_news", {})],
            "missing_argument": [("get_weather", {})],
            "extra_argument": [("get_weather", {"city": "Paris", "include_details": True})],
        }
        if mistake in expected:
            assert calls == expected[mistake], (mistake, calls)
        else:
            assert calls[0][0] == "get_weather" and calls[0][1] != {"city": "Paris"}


PROMPT = "What's the weather in Oslo?"


async def test_each_wire_format_carries_the_call(demo_server: SimulatorServer) -> None:
    schema = WEATHER["function"]["parameters"]
    async with httpx.AsyncClient(base_url=demo_server.base_url, timeout=30) as client:
        stream = await client.post(
            "/v1/chat/completions",
            json={
                "model": "benchstudio-sim",
                "stream": True,
                "messages": [{"role": "user", "content": PROMPT}],
                "tools": [WEATHER, NEWS],
                "tool_choice": "required",
            },
        )
        chunks = [
            json.loads(line[6:]) for line in stream.text.splitlines() if line.startswith("data: {")
        ]
        deltas = [
            call
            for chunk in chunks
            for choice in chunk["choices"]
            for call in choice["delta"].get("tool_calls") or []
        ]
        assert deltas[0]["function"]["name"] == "get_weather" and deltas[0]["id"].startswith(
            "call_"
        )
        arguments = "".join(d["function"]["arguments"] for d in deltas)
        assert json.loads(arguments) == {"city": "Oslo"}
        assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"

        anthropic = await client.post(
            "/v1/messages",
            json={
                "model": "benchstudio-sim",
                "max_tokens": 200,
                "messages": [{"role": "user", "content": PROMPT}],
                "tools": [
                    {
                        "name": "get_weather",
                        "description": "Current weather.",
                        "input_schema": schema,
                    }
                ],
            },
        )
        block = anthropic.json()["content"][-1]
        assert block["type"] == "tool_use" and block["input"] == {"city": "Oslo"}
        assert anthropic.json()["stop_reason"] == "tool_use"

        gemini = await client.post(
            "/v1beta/models/benchstudio-sim:generateContent",
            json={
                "contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
                "tools": [
                    {"functionDeclarations": [{"name": "get_weather", "parameters": schema}]}
                ],
            },
        )
        parts = gemini.json()["candidates"][0]["content"]["parts"]
        assert parts[-1] == {"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}}


async def test_ttft_grows_with_the_prompt_by_the_prefill_cost() -> None:
    profile = ModelProfile(ttft_ms=20, itl_ms=1, output_tokens=3, prefill_ms_per_1k_tokens=100)
    async with (
        SimulatorServer(SimulatorConfig(default=profile)) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=30) as client,
    ):
        measured: dict[int, float] = {}
        for chars in (40, 4_000, 12_000):
            await client.post(
                "/v1/chat/completions",
                json={
                    "model": "m",
                    "stream": True,
                    "messages": [{"role": "user", "content": "x" * chars}],
                },
                headers={"X-Request-Id": f"prefill-{chars}"},
            )
            record = server.find_request(f"prefill-{chars}")
            assert record is not None
            tokens = record["prompt_tokens"]
            assert record["prefill_ms"] == pytest.approx(100 * tokens / 1000)
            assert record["planned_ttft_ms"] == pytest.approx(20 + record["prefill_ms"])
            first = next(e for e in record["events"] if e["kind"] == "content")
            ttft_ms = (first["t_ns"] - record["request_read_ns"]) / 1e6
            assert ttft_ms >= record["planned_ttft_ms"] - 0.5
            assert ttft_ms <= record["planned_ttft_ms"] + 150  # a busy shared machine
            measured[chars] = ttft_ms
    assert measured[40] < measured[4_000] < measured[12_000]
    assert measured[12_000] - measured[40] > 250  # ~3,000 tokens at 100 ms per 1k
