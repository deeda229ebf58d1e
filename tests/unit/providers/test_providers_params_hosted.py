"""The hosted OpenAI-compatible tables (Groq, Together, Fireworks, OpenRouter): ranges clamp,
unsupported parameters drop, model families add their reasoning controls, and every provider
preset of the web app reaches its table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchstudio.catalog.service import registry_provider
from benchstudio.providers.factory import KNOWN_PROVIDERS
from benchstudio.providers.params import parameter_specs, resolve_params, supported_providers

PRESETS = Path(__file__).resolve().parents[3] / "web" / "src" / "providerPresets.ts"


def changes(provider: str, model: str, **params: object) -> dict[str, tuple[str, object]]:
    """param -> (action, value after the change) for every adjustment."""
    result = resolve_params(provider, model, params)
    return {a.param: (a.action, a.value) for a in result.adjustments}


def test_the_four_hosted_tables_exist() -> None:
    assert {"groq", "together", "fireworks", "openrouter"} <= set(supported_providers())


# --- Groq ---------------------------------------------------------------------------------


def test_groq_drops_logprobs_logit_bias_and_top_logprobs() -> None:
    result = resolve_params(
        "groq",
        "llama-3.3-70b-versatile",
        {"temperature": 0.5, "logprobs": True, "logit_bias": {"1": 2}, "top_logprobs": 3},
    )
    assert result.params == {"temperature": 0.5}
    assert {a.param: a.reason for a in result.adjustments} == {
        "logit_bias": "not supported by groq",
        "logprobs": "not supported by groq",
        "top_logprobs": "not supported by groq",
    }


def test_groq_clamps_n_to_one_and_temperature_to_two() -> None:
    result = resolve_params("groq", "llama-3.1-8b-instant", {"n": 3, "temperature": 2.7})
    assert result.params == {"n": 1, "temperature": 2}
    assert changes("groq", "llama-3.1-8b-instant", n=3, temperature=2.7) == {
        "n": ("clamp", 1),
        "temperature": ("clamp", 2),
    }


def test_groq_reasoning_effort_depends_on_the_family() -> None:
    qwen = resolve_params("groq", "qwen/qwen3-32b", {"reasoning_effort": "none"})
    assert qwen.params == {"reasoning_effort": "none"}
    # gpt-oss takes low/medium/high, not Qwen's none/default.
    assert changes("groq", "openai/gpt-oss-20b", reasoning_effort="none") == {
        "reasoning_effort": ("drop", None)
    }
    assert resolve_params("groq", "openai/gpt-oss-120b", {"reasoning_effort": "high"}).params == {
        "reasoning_effort": "high"
    }
    # A non-reasoning model has no reasoning controls at all.
    assert changes("groq", "llama-3.3-70b-versatile", reasoning_effort="low") == {
        "reasoning_effort": ("drop", None)
    }
    assert "reasoning_format" in parameter_specs("groq", "qwen/qwen3-32b")
    assert "reasoning_format" not in parameter_specs("groq", "openai/gpt-oss-20b")


# --- Together -----------------------------------------------------------------------------


def test_together_keeps_open_model_samplers_and_clamps_min_p() -> None:
    requested = {"top_k": 40, "min_p": 1.5, "repetition_penalty": 1.1, "temperature": 0.7}
    result = resolve_params("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", requested)
    assert result.params == {
        "top_k": 40,
        "min_p": 1,
        "repetition_penalty": 1.1,
        "temperature": 0.7,
    }
    assert changes("together", "x", min_p=1.5) == {"min_p": ("clamp", 1)}


def test_together_clamps_top_k_up_to_one_and_drops_unknowns() -> None:
    assert changes("together", "x", top_k=0, parallel_tool_calls=True, top_a=0.2) == {
        "top_k": ("clamp", 1),
        "parallel_tool_calls": ("drop", None),
        "top_a": ("drop", None),
    }


def test_together_logprobs_is_a_count_not_a_flag() -> None:
    assert resolve_params("together", "x", {"logprobs": 5}).params == {"logprobs": 5}
    assert changes("together", "x", logprobs=True) == {"logprobs": ("drop", None)}
    assert changes("together", "x", logprobs=40) == {"logprobs": ("clamp", 20)}


def test_together_reasoning_effort_only_for_gpt_oss() -> None:
    assert resolve_params(
        "together", "openai/gpt-oss-120b", {"reasoning_effort": "low"}
    ).params == {"reasoning_effort": "low"}
    assert changes("together", "Qwen/Qwen3-235B-A22B-fp8-tput", reasoning_effort="low") == {
        "reasoning_effort": ("drop", None)
    }


# --- Fireworks ----------------------------------------------------------------------------


def test_fireworks_clamps_top_k_to_100_and_repetition_penalty_to_2() -> None:
    model = "accounts/fireworks/models/llama-v3p1-8b-instruct"
    result = resolve_params("fireworks", model, {"top_k": 250, "repetition_penalty": 2.5})
    assert result.params == {"top_k": 100, "repetition_penalty": 2}
    assert changes("fireworks", model, top_k=250, repetition_penalty=2.5) == {
        "top_k": ("clamp", 100),
        "repetition_penalty": ("clamp", 2),
    }


def test_fireworks_top_logprobs_at_most_five_and_top_a_dropped() -> None:
    assert changes("fireworks", "m", top_logprobs=8, top_a=0.1) == {
        "top_logprobs": ("clamp", 5),
        "top_a": ("drop", None),
    }


def test_fireworks_reasoning_effort_choices() -> None:
    assert resolve_params("fireworks", "m", {"reasoning_effort": "medium"}).params == {
        "reasoning_effort": "medium"
    }
    assert changes("fireworks", "m", reasoning_effort="minimal") == {
        "reasoning_effort": ("drop", None)
    }


# --- OpenRouter ---------------------------------------------------------------------------


def test_openrouter_accepts_its_sampling_superset() -> None:
    requested = {"top_a": 0.3, "min_p": 0.05, "top_k": 20, "repetition_penalty": 1.05}
    assert resolve_params("openrouter", "qwen/qwen3-32b", requested).params == requested


def test_openrouter_clamps_repetition_penalty_top_a_and_top_logprobs() -> None:
    assert changes("openrouter", "m", repetition_penalty=3.0, top_a=-0.5, top_logprobs=30) == {
        "repetition_penalty": ("clamp", 2),
        "top_a": ("clamp", 0),
        "top_logprobs": ("clamp", 20),
    }


def test_openrouter_drops_reasoning_effort_in_favour_of_the_reasoning_object() -> None:
    result = resolve_params(
        "openrouter", "openai/o3", {"reasoning_effort": "high", "reasoning": {"effort": "high"}}
    )
    assert result.params == {"reasoning": {"effort": "high"}}
    assert [(a.param, a.action) for a in result.adjustments] == [("reasoning_effort", "drop")]


# --- reaching the tables -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["groq", "together", "fireworks", "openrouter"])
def test_known_provider_hosts_reach_their_table(name: str) -> None:
    url = KNOWN_PROVIDERS[name].default_base_url
    assert registry_provider("My account", url, "openai") == name
    assert registry_provider(name.title(), "https://gateway.example.com/v1", "openai") == name


def test_every_web_provider_preset_reaches_its_own_table() -> None:
    text = PRESETS.read_text("utf-8")
    presets = re.findall(
        r"id: '([^']+)',\s*label: '([^']+)',\s*protocol: '([^']+)',\s*baseUrl: '([^']*)'", text
    )
    assert len(presets) >= 12
    tables = set(supported_providers())
    checked = []
    for preset_id, label, protocol, base_url in presets:
        if preset_id in tables:
            assert registry_provider(label, base_url, protocol) == preset_id, label
            checked.append(preset_id)
    assert {"groq", "together", "openrouter"} <= set(checked)


def test_a_one_sided_range_clamps_too() -> None:
    # Anthropic's top_k has a minimum and no maximum; OpenAI's max_tokens likewise.
    result = resolve_params("anthropic", "claude-sonnet-4", {"top_k": -3, "max_tokens": 10})
    assert result.params == {"top_k": 0, "max_tokens": 10}
    assert [(a.param, a.action, a.reason) for a in result.adjustments] == [
        ("top_k", "clamp", "must be at least 0")
    ]
    assert changes("openai", "gpt-4o", max_tokens=0) == {"max_tokens": ("clamp", 1)}


def test_fingerprint_treats_a_whole_float_as_the_integer_it_equals() -> None:
    # Clamping to Anthropic's max gives the table's int 1; a point asking 1.0 sends the same.
    clamped = resolve_params("anthropic", "claude-haiku-4-5", {"temperature": 1.4})
    asked = resolve_params("anthropic", "claude-haiku-4-5", {"temperature": 1.0})
    assert clamped.params["temperature"] == 1 and asked.params["temperature"] == 1.0
    assert clamped.fingerprint() == asked.fingerprint()
    other = resolve_params("anthropic", "claude-haiku-4-5", {"temperature": 0.9})
    assert other.fingerprint() != asked.fingerprint()
