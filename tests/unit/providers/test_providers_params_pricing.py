"""Parameter registry, prices and cost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from benchstudio.providers.base import ChatRequest, Usage
from benchstudio.providers.params import (
    apply_params,
    parameter_specs,
    resolve_params,
    supported_providers,
)
from benchstudio.providers.pricing import (
    ModelPrice,
    bundled_prices,
    cost_of,
    cost_usd,
)


def actions(provider: str, model: str, **params: object) -> dict[str, str]:
    return {a.param: a.action for a in resolve_params(provider, model, params).adjustments}


def test_registry_covers_the_ten_required_providers() -> None:
    required = {
        "openai",
        "anthropic",
        "gemini",
        "mistral",
        "deepseek",
        "cohere",
        "xai",
        "ollama",
        "lmstudio",
        "vllm",
    }
    assert required <= set(supported_providers())


@pytest.mark.parametrize("model", ["o1", "o3-mini", "o4-mini-2025-04-16", "gpt-5", "gpt-5-mini"])
def test_reasoning_models_fix_temperature_and_rename_max_tokens(model: str) -> None:
    result = resolve_params("openai", model, {"temperature": 0.2, "max_tokens": 64})
    assert result.params == {"max_completion_tokens": 64}
    assert actions("openai", model, temperature=0.2, max_tokens=64) == {
        "temperature": "drop",
        "max_tokens": "rename",
    }


def test_reasoning_model_keeps_the_fixed_default_value() -> None:
    assert resolve_params("openai", "o3", {"temperature": 1}).params == {"temperature": 1}


def test_gpt5_accepts_minimal_effort_but_o3_does_not() -> None:
    assert resolve_params("openai", "gpt-5", {"reasoning_effort": "minimal"}).params == {
        "reasoning_effort": "minimal"
    }
    assert actions("openai", "o3", reasoning_effort="minimal") == {"reasoning_effort": "drop"}


def test_plain_openai_model_clamps_and_drops_unsupported() -> None:
    result = resolve_params("openai", "gpt-4o", {"temperature": 2.7, "top_k": 40})
    assert result.params == {"temperature": 2}
    assert actions("openai", "gpt-4o", temperature=2.7, top_k=40) == {
        "temperature": "clamp",
        "top_k": "drop",
    }


def test_anthropic_temperature_top_p_conflict_and_required_max_tokens() -> None:
    result = resolve_params("anthropic", "claude-sonnet-4-5", {"temperature": 0.3, "top_p": 0.9})
    assert result.params == {"temperature": 0.3, "max_tokens": 4096}
    assert actions("anthropic", "claude-sonnet-4-5", temperature=0.3, top_p=0.9) == {
        "top_p": "drop",
        "max_tokens": "warn",
    }


def test_anthropic_thinking_fixes_temperature() -> None:
    result = resolve_params(
        "anthropic",
        "claude-sonnet-4",
        {"thinking": {"type": "enabled"}, "temperature": 0.2, "max_tokens": 2000},
    )
    assert "temperature" not in result.params
    assert result.params["thinking"] == {"type": "enabled"}


def test_gemini_renames_to_camel_case() -> None:
    assert resolve_params("gemini", "gemini-2.5-pro", {"top_p": 0.5, "top_k": 4}).params == {
        "topP": 0.5,
        "topK": 4,
    }


def test_provider_specific_rules() -> None:
    assert resolve_params("mistral", "mistral-small-latest", {"seed": 3}).params == {
        "random_seed": 3
    }
    assert resolve_params("deepseek", "deepseek-reasoner", {"temperature": 0.5}).params == {}
    assert resolve_params("lmstudio", "qwen", {"repetition_penalty": 1.2}).params == {
        "repeat_penalty": 1.2
    }
    assert (
        "presence_penalty" not in resolve_params("xai", "grok-4", {"presence_penalty": 0.5}).params
    )
    assert resolve_params("vllm", "llama", {"top_k": 20, "min_p": 0.1}).params == {
        "top_k": 20,
        "min_p": 0.1,
    }
    assert resolve_params("cohere", "command-a", {"top_p": 1.0}).params == {"top_p": 0.99}


def test_type_errors_and_bad_choices_are_dropped() -> None:
    assert actions("openai", "gpt-4o", temperature="hot", seed=1.5) == {
        "temperature": "drop",
        "seed": "drop",
    }


def test_unknown_provider_uses_openai_rules_with_warning() -> None:
    result = resolve_params("acme", "m", {"temperature": 0.5, "top_k": 3})
    assert result.params == {"temperature": 0.5, "top_k": 3}
    assert [a.action for a in result.adjustments] == ["warn", "warn"]


def test_fingerprint_collapses_equivalent_combos() -> None:
    a = resolve_params("openai", "o3", {"temperature": 0.1, "max_tokens": 10})
    b = resolve_params("openai", "o3", {"temperature": 0.9, "max_tokens": 10})
    assert a.fingerprint() == b.fingerprint()


def test_apply_params_updates_request_fields() -> None:
    request = ChatRequest("o3-mini", [], temperature=0.3, max_tokens=100, extra={"top_p": 0.5})
    updated, adjustments = apply_params(request, "openai")
    assert updated.temperature is None
    assert updated.max_tokens is None
    assert updated.extra == {"max_completion_tokens": 100}
    assert updated.request_id == request.request_id
    assert {a.param for a in adjustments} == {"temperature", "max_tokens", "top_p"}


def test_parameter_specs_reflect_model_family() -> None:
    assert "temperature" not in parameter_specs("openai", "o3")
    assert "reasoning_effort" in parameter_specs("openai", "o3")
    assert "reasoning_effort" not in parameter_specs("openai", "gpt-4o")


def test_bundled_table_is_dated_and_snapshot_ids_resolve() -> None:
    table = bundled_prices()
    assert table.as_of
    price = table.lookup("openai", "gpt-4o-2024-08-06")
    assert price is not None
    assert price.input == Decimal("2.50")
    mini = table.lookup("openai", "gpt-4o-mini")
    assert mini is not None
    assert mini.input == Decimal("0.15")
    assert table.lookup("anthropic", "claude-opus-4-5") is None  # no borrowing across versions
    assert table.lookup("somehost", "gpt-5") is not None  # bare id from any provider


def test_cost_splits_cached_and_reasoning_tokens() -> None:
    price = ModelPrice(
        input=Decimal("2"),
        output=Decimal("10"),
        cached_input=Decimal("0.5"),
        reasoning=Decimal("20"),
    )
    usage = Usage(
        input_tokens=1_000, output_tokens=500, reasoning_tokens=100, cached_input_tokens=400
    )
    expected = (600 * 2 + 400 * Decimal("0.5") + 400 * 10 + 100 * 20) / Decimal(1_000_000)
    assert cost_of(usage, price) == expected
    assert cost_of(Usage(input_tokens=5), price) is None


def test_cost_usd_by_model_id_alone() -> None:
    # gpt-4o-mini: 0.15 in, 0.075 cached, 0.60 out per 1M tokens
    cost = cost_usd("gpt-4o-mini-2024-07-18", 2_000, 1_000, None, 1_000)
    assert cost == (
        1_000 * Decimal("0.15") + 1_000 * Decimal("0.075") + 1_000 * Decimal("0.60")
    ) / (Decimal(1_000_000))
    assert cost_usd("unknown-model", 1, 1) is None
