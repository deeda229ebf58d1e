"""The tunable demo model: tool-call accuracy follows the configured surface over the sampling
parameters the request carries, with reproducible per-run noise."""

from __future__ import annotations

from typing import Any

import pytest

from benchstudio.cli.demo_simulator import demo_config
from benchstudio.core.stats import wilson_interval
from benchstudio.simulator import load_config
from benchstudio.simulator.chat_request import parse_anthropic, parse_gemini, parse_openai
from benchstudio.simulator.tool_policy import ToolPolicyConfig, decide
from benchstudio.simulator.tunable import TunableAccuracy, TunedParameter

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
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
SURFACE = TunableAccuracy(
    base=0.9,
    parameters={
        "temperature": TunedParameter(optimum=0.4, weight=0.5, default=1.0),
        "top_p": TunedParameter(optimum=0.7, weight=2.0, default=1.0),
    },
)
CASES = 1200


def _correct_share(policy: ToolPolicyConfig, sampling: dict[str, Any], seed: int | None) -> int:
    """How many of CASES distinct weather prompts get the right call (no mistake)."""
    right = 0
    for index in range(CASES):
        body = {
            "model": "tunable",
            "messages": [{"role": "user", "content": f"What's the weather in Paris ({index})?"}],
            "tools": [WEATHER, NEWS],
            **sampling,
            **({"seed": seed} if seed is not None else {}),
        }
        decision = decide(parse_openai(body), policy, seed=7)
        assert decision.calls or decision.mistake == "no_call"
        if decision.mistake is None:
            assert [name for name, _ in decision.calls] == ["get_weather"]
            assert decision.calls[0][1]["city"] == "Paris"
            right += 1
    return right


@pytest.mark.parametrize(
    ("sampling", "expected"),
    [
        ({"temperature": 0.4, "top_p": 0.7}, 0.9),  # the optimum: base
        ({}, 0.9 - 0.5 * 0.36 - 2.0 * 0.09),  # provider defaults: 0.54
        ({"temperature": 1.5, "top_p": 0.2}, 0.9 - 0.5 * 1.21 - 2.0 * 0.25),  # clipped to 0
    ],
)
def test_measured_accuracy_follows_the_configured_surface(
    sampling: dict[str, Any], expected: float
) -> None:
    policy = ToolPolicyConfig(tunable=SURFACE)
    assert SURFACE.accuracy(sampling) == pytest.approx(max(0.0, expected))
    right = _correct_share(policy, sampling, seed=None)
    low, high = wilson_interval(right, CASES, level=0.999).ci95 or (0.0, 1.0)
    assert low <= max(0.0, expected) <= high, (right, expected)


def test_noise_is_one_offset_per_point_and_run_and_reproducible() -> None:
    noisy = SURFACE.model_copy(update={"noise": 0.1})
    point = {"temperature": 0.6, "top_p": 0.6}
    first = noisy.noisy_accuracy(point, seed=7, run_seed=1)
    assert first == noisy.noisy_accuracy(point, seed=7, run_seed=1)
    offsets = {round(noisy.noisy_accuracy(point, seed=7, run_seed=run), 9) for run in range(20)}
    assert len(offsets) == 20  # another run, another offset
    policy = ToolPolicyConfig(tunable=noisy)
    right = _correct_share(policy, point, seed=1)
    low, high = wilson_interval(right, CASES, level=0.999).ci95 or (0.0, 1.0)
    assert low <= first <= high
    assert _correct_share(policy, point, seed=1) == right


def test_rates_divide_the_missing_accuracy_by_the_split() -> None:
    rates = SURFACE.rates({}, seed=0, run_seed=None)
    assert rates.total == pytest.approx(1 - 0.54)
    assert rates.no_call == pytest.approx(0.46 / 5)


def test_every_wire_format_carries_the_sampling_parameters() -> None:
    messages = [{"role": "user", "content": "hi"}]
    openai = parse_openai(
        {"model": "m", "messages": messages, "temperature": 0.2, "top_p": 0.5, "seed": 3}
    )
    assert openai.sampling == {"temperature": 0.2, "top_p": 0.5} and openai.seed == 3
    anthropic = parse_anthropic(
        {"model": "m", "max_tokens": 9, "messages": messages, "temperature": 0.1, "top_k": 40}
    )
    assert anthropic.sampling == {"temperature": 0.1, "top_k": 40.0}
    gemini = parse_gemini(
        {
            "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
            "generationConfig": {"temperature": 0.3, "topP": 0.9, "topK": 20, "seed": 5},
        },
        "m",
        stream=False,
    )
    assert gemini.sampling == {"temperature": 0.3, "top_p": 0.9, "top_k": 20.0}
    assert gemini.seed == 5


def test_the_demo_simulator_serves_the_tunable_model() -> None:
    profile = load_config(demo_config()).profile_for("benchstudio-sim-tunable")
    assert profile.name == "benchstudio-sim-tunable"
    surface = profile.tool_policy.tunable if profile.tool_policy else None
    assert surface is not None
    assert surface.accuracy({}) == pytest.approx(
        0.95 - 0.4 * 0.49 - 1.5 * 0.04 - 0.3 * 0.16 - 0.25 * 0.09
    )
    best = {name: spec.optimum for name, spec in surface.parameters.items()}
    assert surface.accuracy(best) == 0.95
