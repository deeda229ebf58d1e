"""The demo simulator's model against the shipped sample suite: mostly right, with three
realistic mistakes whose argument-level reasons the drill-down shows."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from importlib.resources import as_file
from typing import Any

import httpx
import pytest

from benchstudio.cli.demo_simulator import demo_config, demo_simulator
from benchstudio.core.net import EgressPolicy
from benchstudio.evals.runs.domain.explain import decoded_calls, explain_calls
from benchstudio.simulator import SimulatorServer, load_config
from benchstudio.toolcall.live.connect import guarded_adapters
from benchstudio.toolcall.live.records import EvalTarget, LiveCaseResult
from benchstudio.toolcall.live.runner import LiveEvalRunner
from benchstudio.toolcall.profiles import get_profile
from benchstudio.toolcall.samples import sample_suite_text
from benchstudio.toolcall.suite_file import parse_suite
from free_ports import free_port

SUITE = parse_suite(sample_suite_text())
PROFILE = get_profile("lenient")


@pytest.fixture
async def demo_server() -> AsyncIterator[SimulatorServer]:
    with as_file(demo_config()) as path:
        config = load_config(path)
    # Same script, no streaming delays: the test checks what is said, not how fast.
    fast = config.model_copy(
        update={"default": config.default.model_copy(update={"ttft_ms": 0, "itl_ms": 0})}
    )
    async with SimulatorServer(fast) as server:
        yield server


async def _run_sample(server: SimulatorServer) -> dict[str, LiveCaseResult]:
    target = EvalTarget(label="demo", model="benchstudio-sim", base_url=server.base_url + "/v1")
    async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
        runner = LiveEvalRunner(SUITE, [target], PROFILE, adapter_for)
        return {result.case_id: result async for result in runner.run()}


def _call_checks(result: LiveCaseResult) -> list[dict[str, Any]]:
    """What the case drill-down shows: each expected call paired with a model call, or not."""
    case = next(c for c in SUITE.cases if c.id == result.case_id)
    exchanges = [exchange.model_dump(mode="json") for exchange in result.exchanges]
    return explain_calls(case, SUITE.tools_for(case), decoded_calls(exchanges, PROFILE), PROFILE)


def _argument_statuses(result: LiveCaseResult) -> list[dict[str, Any]]:
    return [
        {"tool": check["tool"], "argument": arg["name"], "status": arg["status"]}
        for check in _call_checks(result)
        for arg in check["arguments"]
        if arg["status"] not in ("passed", "omitted", "ignored")
    ]


async def test_demo_model_passes_five_of_eight_with_three_kinds_of_mistake(
    demo_server: SimulatorServer,
) -> None:
    results = await _run_sample(demo_server)
    assert len(results) == len(SUITE.cases) == 8
    assert sorted(case for case, r in results.items() if r.passed) == [
        "booking-nested",
        "chain-search-then-book",
        "irrelevant-poem",
        "note-contains",
        "weather-single",
    ]
    failures = {case: r.verdict.error_category for case, r in results.items() if not r.passed}
    assert failures == {
        "weather-parallel": "missing_argument",
        "currency-tolerance": "wrong_argument",
        "flight-search-superset": "wrong_tool",
    }
    # The drill-down names the very arguments that were wrong or left out.
    assert _argument_statuses(results["weather-parallel"]) == [
        {"tool": "get_weather", "argument": "unit", "status": "missing"}
    ]
    assert _argument_statuses(results["currency-tolerance"]) == [
        {"tool": "convert_currency", "argument": "from_currency", "status": "failed"},
        {"tool": "convert_currency", "argument": "to_currency", "status": "failed"},
    ]
    # Wrong tool: the expected search pairs with nothing, the weather call with no expectation.
    wrong_tool = _call_checks(results["flight-search-superset"])
    assert [(c["tool"], c["expected_index"], c["call_index"]) for c in wrong_tool] == [
        ("search_flights", 0, None),
        ("get_weather", None, 0),
    ]


async def test_demo_model_streams_plain_text_when_no_tools_are_offered(
    demo_server: SimulatorServer,
) -> None:
    body = {
        "model": "benchstudio-sim",
        "messages": [{"role": "user", "content": "What's the weather like in Paris right now?"}],
    }
    async with httpx.AsyncClient(base_url=demo_server.base_url) as client:
        reply = (await client.post("/v1/chat/completions", json=body)).json()
    message = reply["choices"][0]["message"]
    assert message.get("tool_calls") in (None, []) and message["content"]


def test_serve_starts_the_demo_simulator_with_the_tool_script() -> None:
    weather = next(tool for tool in SUITE.tools if tool.function.name == "get_weather")
    body = {
        "model": "benchstudio-sim",
        "messages": [{"role": "user", "content": "What's the weather like in Paris right now?"}],
        "tools": [weather.model_dump(mode="json", exclude_none=True)],
    }
    with demo_simulator(free_port()) as base_url:
        assert base_url is not None
        reply = httpx.post(f"{base_url}/v1/chat/completions", json=body, timeout=10).json()
    call = reply["choices"][0]["message"]["tool_calls"][0]["function"]
    assert call["name"] == "get_weather" and json.loads(call["arguments"]) == {"city": "Paris"}
