"""The demo simulator's tunable model over HTTP: the sampling parameters a request sends set
its tool-call accuracy, as the configured surface (plus the run's noise offset) says."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from importlib.resources import as_file
from typing import Any

import httpx
import pytest

from benchstudio.cli.demo_simulator import demo_config
from benchstudio.core.stats import wilson_interval
from benchstudio.simulator import SimulatorServer, load_config

MODEL = "benchstudio-sim-tunable"
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
CASES = 400


@pytest.fixture
async def demo_server() -> AsyncIterator[SimulatorServer]:
    with as_file(demo_config()) as path:
        config = load_config(path)
    fast = [
        m.model_copy(update={"ttft_ms": 0, "itl_ms": 0, "prefill_ms_per_1k_tokens": 0})
        for m in config.models
    ]
    async with SimulatorServer(config.model_copy(update={"models": fast})) as server:
        yield server


async def _right_calls(server: SimulatorServer, sampling: dict[str, Any], seed: int) -> int:
    limit = asyncio.Semaphore(8)

    async def ask(client: httpx.AsyncClient, index: int) -> None:
        body = {
            "model": MODEL,
            "messages": [{"role": "user", "content": f"What's the weather in Paris ({index})?"}],
            "tools": [WEATHER, NEWS],
            "seed": seed,
            **sampling,
        }
        async with limit:
            reply = await client.post(
                "/v1/chat/completions", json=body, headers={"X-Request-Id": f"t{seed}-{index}"}
            )
        assert reply.status_code == 200, reply.text

    async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
        await asyncio.gather(*(ask(client, index) for index in range(CASES)))
    return sum(
        (server.find_request(f"t{seed}-{index}") or {"tool_mistake": "lost"}).get("tool_mistake")
        is None
        for index in range(CASES)
    )


@pytest.mark.parametrize(
    "sampling",
    [
        {"temperature": 0.3, "top_p": 0.8, "frequency_penalty": 0.4, "presence_penalty": -0.3},
        {},  # the provider defaults: about 62%
        {"temperature": 1.2, "top_p": 0.6},  # about 50%
    ],
)
async def test_accuracy_over_http_follows_the_configured_surface(
    demo_server: SimulatorServer, sampling: dict[str, Any]
) -> None:
    profile = demo_server.config.profile_for(MODEL)
    surface = profile.tool_policy.tunable if profile.tool_policy else None
    assert surface is not None
    expected = surface.noisy_accuracy(sampling, profile.seed, 11)
    assert abs(expected - surface.accuracy(sampling)) < 0.1  # noise 0.02: a small offset
    right = await _right_calls(demo_server, sampling, seed=11)
    low, high = wilson_interval(right, CASES, level=0.999).ci95 or (0.0, 1.0)
    assert low <= expected <= high, (right, expected)
