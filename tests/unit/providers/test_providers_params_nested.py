"""The registry's request-field and nested specs: tool_choice (the request's own field, each
adapter's wire format) and reasoning_budget (a thinking budget nested in an object on the
wire: Anthropic, Gemini, OpenRouter), down to the bodies the adapters build."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from benchstudio.providers.base import ChatRequest
from benchstudio.providers.message_format import to_anthropic_body, to_gemini_body
from benchstudio.providers.openai_compat import OpenAICompatAdapter
from benchstudio.providers.params import (
    REQUEST_FIELDS,
    apply_params,
    load_registry,
    parameter_specs,
    resolve_params,
)

TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]


def actions(provider: str, model: str, **params: object) -> dict[tuple[str, str], object]:
    """(param, action) -> value after the change, for every adjustment."""
    result = resolve_params(provider, model, params)
    return {(a.param, a.action): a.value for a in result.adjustments}


def request(model: str, **extra: Any) -> ChatRequest:
    return ChatRequest(
        model=model,
        messages=[{"role": "user", "content": "hi"}],
        tools=TOOLS,
        extra=extra,
        stream=False,
    )


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


def openai_body(session: aiohttp.ClientSession, wire: ChatRequest) -> dict[str, Any]:
    adapter = OpenAICompatAdapter("http://x/v1", session=session)
    body: dict[str, Any] = json.loads(adapter.build_body(wire, stream=False, stream_usage=False))
    return body


# --- the tables -----------------------------------------------------------------------------


def test_every_table_knows_tool_choice_as_a_request_field() -> None:
    for name, table in load_registry().providers.items():
        spec = table.params.get("tool_choice")
        assert spec is not None, name
        assert spec.request_field and spec.type == "str", name
        assert spec.choices is not None and set(spec.choices) <= {"auto", "required", "none"}


def test_request_fields_in_the_tables_are_the_ones_apply_params_moves() -> None:
    flagged = {
        name
        for table in load_registry().providers.values()
        for rules in (table.params, *(r.params for r in table.model_rules))
        for name, spec in rules.items()
        if spec.request_field
    }
    assert flagged == set(REQUEST_FIELDS)


@pytest.mark.parametrize(
    ("provider", "refused"),
    [("ollama", {"required", "none"}), ("cohere", {"auto"}), ("openai", set())],
)
def test_tool_choice_values_a_provider_cannot_express_drop_with_its_reason(
    provider: str, refused: set[str]
) -> None:
    for choice in ("auto", "required", "none"):
        result = resolve_params(provider, "m", {"tool_choice": choice})
        assert ("tool_choice" in result.params) is (choice not in refused), choice
    reason = next(
        a.reason
        for a in resolve_params("ollama", "m", {"tool_choice": "required"}).adjustments
        if a.param == "tool_choice"
    )
    assert "Ollama ignores tool_choice" in reason


def test_a_forced_function_object_is_refused_with_the_portable_values() -> None:
    result = resolve_params("openai", "gpt-4o", {"tool_choice": {"type": "function"}})
    assert result.params == {}
    assert [a.reason for a in result.adjustments] == ["must be one of auto, required, none"]


def test_reasoning_budget_is_known_only_where_a_budget_exists() -> None:
    assert "reasoning_budget" in parameter_specs("anthropic", "claude-sonnet-4-5")
    assert "reasoning_budget" not in parameter_specs("anthropic", "claude-3-5-sonnet-20241022")
    assert "reasoning_budget" in parameter_specs("gemini", "gemini-2.5-flash")
    assert "reasoning_budget" not in parameter_specs("gemini", "gemini-2.0-flash")
    assert "reasoning_budget" in parameter_specs("openrouter", "anthropic/claude-sonnet-4")
    for provider in ("openai", "mistral", "deepseek", "xai", "groq", "vllm"):
        assert actions(provider, "m", reasoning_budget=2048) == {("reasoning_budget", "drop"): None}


def test_anthropic_budget_nests_in_thinking_and_raises_max_tokens_above_it() -> None:
    result = resolve_params("anthropic", "claude-sonnet-4-5", {"reasoning_budget": 8000})
    assert result.params == {
        "max_tokens": 12096,  # the required default (4096) left for the answer
        "thinking": {"type": "enabled", "budget_tokens": 8000},
    }
    assert actions("anthropic", "claude-sonnet-4-5", reasoning_budget=8000)[
        ("max_tokens", "clamp")
    ] == (12096)
    roomy = resolve_params(
        "anthropic", "claude-sonnet-4-5", {"reasoning_budget": 2048, "max_tokens": 16000}
    )
    assert roomy.params["max_tokens"] == 16000


def test_anthropic_budget_is_extended_thinking_for_the_other_parameters() -> None:
    result = resolve_params(
        "anthropic",
        "claude-opus-4-1",
        {
            "reasoning_budget": 500,
            "temperature": 0.3,
            "top_k": 20,
            "tool_choice": "required",
            "max_tokens": 8000,
        },
    )
    assert result.params == {
        "max_tokens": 8000,
        "thinking": {"type": "enabled", "budget_tokens": 1024},  # clamped up to the minimum
    }
    dropped = {a.param for a in result.adjustments if a.action == "drop"}
    assert dropped == {"temperature", "top_k", "tool_choice"}
    kept = resolve_params(
        "anthropic", "claude-opus-4-1", {"reasoning_budget": 2048, "tool_choice": "none"}
    )
    assert kept.params["tool_choice"] == "none"


def test_gemini_budget_ranges_follow_the_model_family() -> None:
    def sent(model: str, budget: int) -> object:
        return resolve_params("gemini", model, {"reasoning_budget": budget}).params

    assert sent("gemini-2.5-flash", 0) == {"thinkingConfig": {"thinkingBudget": 0}}
    assert sent("gemini-2.5-flash", 30000) == {"thinkingConfig": {"thinkingBudget": 24576}}
    assert sent("gemini-2.5-pro", 0) == {"thinkingConfig": {"thinkingBudget": 128}}
    assert sent("gemini-2.5-pro", 40000) == {"thinkingConfig": {"thinkingBudget": 32768}}
    assert sent("gemini-2.5-flash-lite", 100) == {"thinkingConfig": {"thinkingBudget": 512}}


def test_a_nested_budget_joins_an_object_already_sent_there() -> None:
    result = resolve_params(
        "gemini",
        "gemini-2.5-flash",
        {"thinking_config": {"includeThoughts": True}, "reasoning_budget": 1024},
    )
    assert result.params == {"thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024}}
    routed = resolve_params(
        "openrouter",
        "google/gemini-2.5-pro",
        {"reasoning": {"exclude": True}, "reasoning_budget": 9},
    )
    assert routed.params == {"reasoning": {"exclude": True, "max_tokens": 9}}


def test_budgets_that_clamp_alike_share_a_fingerprint() -> None:
    def fingerprint(budget: int) -> str:
        return resolve_params(
            "gemini", "gemini-2.5-flash", {"reasoning_budget": budget}
        ).fingerprint()

    assert fingerprint(30000) == fingerprint(24576) != fingerprint(2048)


# --- apply_params and the adapters' bodies --------------------------------------------------


def test_apply_params_moves_tool_choice_to_the_request_field() -> None:
    wire, _ = apply_params(request("gpt-4o", tool_choice="required", top_p=0.5), "openai")
    assert wire.tool_choice == "required"
    assert wire.extra == {"top_p": 0.5}
    untouched, _ = apply_params(request("gpt-4o"), "openai")
    assert untouched.tool_choice is None


async def test_openai_body_carries_the_tool_choice_once(session: aiohttp.ClientSession) -> None:
    wire, _ = apply_params(request("gpt-4o", tool_choice="none"), "openai")
    body = openai_body(session, wire)
    assert body["tool_choice"] == "none"
    assert "reasoning_budget" not in body


async def test_openrouter_body_nests_the_budget_in_reasoning(
    session: aiohttp.ClientSession,
) -> None:
    wire, _ = apply_params(
        request("anthropic/claude-sonnet-4", reasoning_budget=4096, tool_choice="required"),
        "openrouter",
    )
    body = openai_body(session, wire)
    assert body["reasoning"] == {"max_tokens": 4096}
    assert body["tool_choice"] == "required"


def test_anthropic_body_has_thinking_max_tokens_above_it_and_its_tool_choice() -> None:
    wire, _ = apply_params(
        request("claude-sonnet-4-5", reasoning_budget=6000, tool_choice="none"), "anthropic"
    )
    body = to_anthropic_body(wire, stream=False)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 6000}
    assert body["max_tokens"] == 10096
    assert body["tool_choice"] == {"type": "none"}
    assert "temperature" not in body and "reasoning_budget" not in body
    forced, _ = apply_params(request("claude-sonnet-4-5", tool_choice="required"), "anthropic")
    assert to_anthropic_body(forced, stream=False)["tool_choice"] == {"type": "any"}


def test_gemini_body_puts_the_budget_in_generation_config_and_the_mode_in_tool_config() -> None:
    wire, _ = apply_params(
        request("gemini-2.5-flash", reasoning_budget=2048, tool_choice="required"), "gemini"
    )
    body = to_gemini_body(wire)
    assert body["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 2048}
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    none, _ = apply_params(request("gemini-2.5-flash", tool_choice="none"), "gemini")
    assert to_gemini_body(none)["toolConfig"] == {"functionCallingConfig": {"mode": "NONE"}}
