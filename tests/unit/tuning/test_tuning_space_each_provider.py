"""One common search space against every provider table of the registry (and the reasoning
variants), with what each provider keeps, drops, clamps and renames written out by hand from
`providers/data/params.yaml`; and dedup per provider: points the provider sends alike merge,
points that differ on the wire stay apart."""

from __future__ import annotations

from typing import Any

import pytest

from benchstudio.tuning.domain.space import ChoiceDimension, RangeDimension, SearchSpace
from benchstudio.tuning.domain.space_points import distinct_points
from benchstudio.tuning.domain.space_registry import ValidatedSpace
from benchstudio.tuning.service import check_space, provider_rules

COMMON = SearchSpace(
    (
        RangeDimension("temperature", 0.0, 3.0, step=0.5),
        RangeDimension("top_p", 0.0, 1.0, step=0.5),
        RangeDimension("top_k", 0.0, 200.0, step=100.0),
        RangeDimension("min_p", 0.0, 0.2, step=0.1),
        RangeDimension("frequency_penalty", -2.0, 2.0, step=1.0),
        RangeDimension("presence_penalty", -2.0, 2.0, step=1.0),
        RangeDimension("repetition_penalty", 0.5, 1.5, step=0.5),
        RangeDimension("max_tokens", 512.0, 2048.0, step=512.0),
        ChoiceDimension("reasoning_effort", ("low", "medium", "high")),
        RangeDimension("reasoning_budget", 0.0, 32000.0, step=8000.0),
        ChoiceDimension("tool_choice", ("auto", "required", "none")),
        ChoiceDimension("parallel_tool_calls", (True, False)),
    )
)

Outcome = tuple[Any, ...]
DROP: Outcome = ("drop",)


def kept(low: float, high: float) -> Outcome:
    return ("range", low, high)


def choices(*values: Any) -> Outcome:
    return ("choices", values)


ALL_TOOL_CHOICES = choices("auto", "required", "none")

# The OpenAI table (gpt-4o): the base most hosted tables resemble.
OPENAI: dict[str, Outcome] = {
    "temperature": kept(0, 2),
    "top_p": kept(0, 1),
    "top_k": DROP,
    "min_p": DROP,
    "frequency_penalty": kept(-2, 2),
    "presence_penalty": kept(-2, 2),
    "repetition_penalty": DROP,
    "max_tokens": kept(512, 2048),
    "reasoning_effort": DROP,
    "reasoning_budget": DROP,
    "tool_choice": ALL_TOOL_CHOICES,
    "parallel_tool_calls": choices(True, False),
}
# Open-model samplers (top_k, min_p, repetition_penalty) as the self-hosted tables take them.
OPEN_SAMPLERS: dict[str, Outcome] = {
    "top_k": kept(0, 200),
    "min_p": kept(0, 0.2),
    "repetition_penalty": kept(0.5, 1.5),
}

# (provider, model) -> (every dimension's outcome, the dimensions renamed on the wire).
EXPECTED: dict[tuple[str, str], tuple[dict[str, Outcome], set[str]]] = {
    ("openai", "gpt-4o"): (OPENAI, set()),
    ("openai", "o3"): (
        {
            **OPENAI,
            "temperature": DROP,  # fixed at 1
            "top_p": DROP,  # fixed at 1
            "frequency_penalty": DROP,
            "presence_penalty": DROP,
            "reasoning_effort": choices("low", "medium", "high"),
        },
        {"max_tokens"},  # max_completion_tokens
    ),
    ("anthropic", "claude-3-5-sonnet-20241022"): (
        {
            **OPENAI,
            "temperature": kept(0, 1),
            "top_p": DROP,  # not with temperature
            "top_k": kept(0, 200),
            "frequency_penalty": DROP,
            "presence_penalty": DROP,
            "reasoning_budget": DROP,  # extended thinking needs 3.7+
            "parallel_tool_calls": DROP,
        },
        set(),
    ),
    # Claude with thinking: the budget turns extended thinking on for every point, which fixes
    # temperature at 1, disallows top_k and forced tool use (top_p then clamps per point).
    ("anthropic", "claude-sonnet-4-5"): (
        {
            **OPENAI,
            "temperature": DROP,
            "top_p": kept(0, 1),
            "top_k": DROP,
            "frequency_penalty": DROP,
            "presence_penalty": DROP,
            "reasoning_budget": kept(1024, 32000),
            "tool_choice": choices("auto", "none"),
            "parallel_tool_calls": DROP,
        },
        {"reasoning_budget"},  # thinking.budget_tokens
    ),
    ("gemini", "gemini-2.5-flash"): (
        {
            **OPENAI,
            "top_k": kept(1, 200),
            "reasoning_budget": kept(0, 24576),
            "parallel_tool_calls": DROP,
        },
        {"top_p", "top_k", "frequency_penalty", "presence_penalty", "reasoning_budget"},
    ),
    ("gemini", "gemini-2.5-pro"): (
        {
            **OPENAI,
            "top_k": kept(1, 200),
            "reasoning_budget": kept(128, 32000),
            "parallel_tool_calls": DROP,
        },
        {"top_p", "top_k", "frequency_penalty", "presence_penalty", "reasoning_budget"},
    ),
    ("mistral", "mistral-large-latest"): ({**OPENAI, "temperature": kept(0, 1.5)}, set()),
    ("deepseek", "deepseek-chat"): ({**OPENAI, "parallel_tool_calls": DROP}, set()),
    ("deepseek", "deepseek-reasoner"): (
        {
            **OPENAI,
            "temperature": DROP,
            "top_p": DROP,
            "frequency_penalty": DROP,
            "presence_penalty": DROP,
            "parallel_tool_calls": DROP,
        },
        set(),
    ),
    ("cohere", "command-a-03-2025"): (
        {
            **OPENAI,
            "temperature": kept(0, 1),
            "top_p": kept(0.01, 0.99),
            "frequency_penalty": kept(0, 1),
            "presence_penalty": kept(0, 1),
            "reasoning_effort": choices("high"),
            "tool_choice": choices("required", "none"),
            "parallel_tool_calls": DROP,
        },
        set(),
    ),
    ("xai", "grok-3"): (OPENAI, set()),
    ("xai", "grok-3-mini"): (
        {
            **OPENAI,
            "frequency_penalty": DROP,
            "presence_penalty": DROP,
            "reasoning_effort": choices("low", "high"),
        },
        set(),
    ),
    ("ollama", "llama3.1:8b"): (
        {
            **OPENAI,
            "reasoning_effort": choices("low", "medium", "high"),
            "tool_choice": choices("auto"),
            "parallel_tool_calls": DROP,
        },
        set(),
    ),
    ("lmstudio", "qwen3-8b"): (
        {**OPENAI, **OPEN_SAMPLERS, "parallel_tool_calls": DROP},
        {"repetition_penalty"},  # repeat_penalty
    ),
    ("vllm", "Qwen/Qwen3-8B"): (
        {**OPENAI, **OPEN_SAMPLERS, "top_p": kept(0.000001, 1), "parallel_tool_calls": DROP},
        set(),
    ),
    ("groq", "llama-3.3-70b-versatile"): (OPENAI, set()),
    ("groq", "openai/gpt-oss-120b"): (
        {**OPENAI, "reasoning_effort": choices("low", "medium", "high")},
        set(),
    ),
    ("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"): (
        {**OPENAI, **OPEN_SAMPLERS, "top_k": kept(1, 200), "parallel_tool_calls": DROP},
        set(),
    ),
    ("fireworks", "accounts/fireworks/models/llama-v3p1-70b-instruct"): (
        {
            **OPENAI,
            **OPEN_SAMPLERS,
            "top_k": kept(0, 100),
            "reasoning_effort": choices("low", "medium", "high"),
        },
        set(),
    ),
    ("openrouter", "anthropic/claude-sonnet-4"): (
        {**OPENAI, **OPEN_SAMPLERS, "reasoning_budget": kept(1, 32000)},
        {"reasoning_budget"},  # reasoning.max_tokens
    ),
}


def outcome(validated: ValidatedSpace, name: str) -> Outcome:
    if name not in validated.space.names():
        return DROP
    dimension = validated.space.dimension(name)
    if isinstance(dimension, RangeDimension):
        return kept(dimension.low, dimension.high)
    return choices(*dimension.choices)


def test_every_provider_table_is_covered() -> None:
    from benchstudio.providers.params import supported_providers

    assert {provider for provider, _ in EXPECTED} == set(supported_providers())


@pytest.mark.parametrize(("provider", "model"), list(EXPECTED))
def test_the_common_space_on_each_provider(provider: str, model: str) -> None:
    expected, renamed = EXPECTED[(provider, model)]
    validated = check_space(COMMON, provider, model)
    assert {name: outcome(validated, name) for name in COMMON.names()} == expected
    assert {a.param for a in validated.adjustments if a.action == "rename"} == renamed
    # Every removal is explained: a dropped dimension has a drop with a reason.
    reasons = {a.param: a.reason for a in validated.adjustments if a.action == "drop"}
    for name, result in expected.items():
        if result == DROP:
            assert reasons.get(name), name


def _high(expected: dict[str, Outcome], name: str) -> float:
    result = expected[name]
    assert result[0] == "range"
    return float(result[2])


@pytest.mark.parametrize(("provider", "model"), list(EXPECTED))
def test_temperatures_the_provider_clamps_alike_merge(provider: str, model: str) -> None:
    expected, _ = EXPECTED[(provider, model)]
    space = SearchSpace((RangeDimension("temperature", 0.0, 3.0, step=0.5),))
    rules = provider_rules(provider, model)
    validated = ValidatedSpace(space, provider, model)  # unclamped: the points go past the max
    # As in the common space: a budget where the provider takes one (thinking, on Claude).
    base = {} if expected["reasoning_budget"] == DROP else {"reasoning_budget": 2048}
    if expected["temperature"] == DROP:
        # Dropped for this model: every temperature sends the same request.
        points = [{"temperature": t} for t in (0.0, 0.5, 2.0)]
        assert len(distinct_points(validated, rules, points, base).points) == 1
        return
    top = _high(expected, "temperature")
    over = [{"temperature": t} for t in (top, top + 0.5, top + 1.0)]
    merged = distinct_points(validated, rules, over, base)
    assert len(merged.points) == 1 and merged.merged_points == 2
    below = [{"temperature": top - 0.5}, {"temperature": top}]
    assert len(distinct_points(validated, rules, below, base).points) == 2


@pytest.mark.parametrize(("provider", "model"), list(EXPECTED))
def test_each_kept_tool_choice_is_its_own_request(provider: str, model: str) -> None:
    expected, _ = EXPECTED[(provider, model)]
    validated = check_space(COMMON, provider, model)
    rules = provider_rules(provider, model)
    kept_choices = expected["tool_choice"][1]
    base = {"max_tokens": 1024}
    points = [{**base, "tool_choice": choice} for choice in kept_choices]
    distinct = distinct_points(validated, rules, points)
    assert len(distinct.points) == len(kept_choices)
    sent = [p.params.get("tool_choice") for p in distinct.points]
    assert sent == list(kept_choices)  # the request field, as the point chose it
    # The provider default (no tool choice) is a different request from an explicit auto,
    # unless the provider refuses auto (Cohere: leaving it out is its auto).
    with_default = distinct_points(validated, rules, [base, {**base, "tool_choice": "auto"}])
    assert len(with_default.points) == (2 if "auto" in kept_choices else 1)


@pytest.mark.parametrize(("provider", "model"), list(EXPECTED))
def test_budgets_merge_where_the_provider_clamps_them_and_vanish_where_dropped(
    provider: str, model: str
) -> None:
    expected, _ = EXPECTED[(provider, model)]
    rules = provider_rules(provider, model)
    space = SearchSpace((RangeDimension("reasoning_budget", 0.0, 64000.0, step=8000.0),))
    validated = ValidatedSpace(space, provider, model)
    budgets = [{"reasoning_budget": b} for b in (40000, 48000, 56000)]
    distinct = distinct_points(validated, rules, budgets, {"max_tokens": 60000})
    result = expected["reasoning_budget"]
    if result == DROP:
        assert len(distinct.points) == 1  # dropped: all send max_tokens alone
        assert all("reasoning_budget" not in p.params for p in distinct.points)
    elif provider == "gemini":
        assert len(distinct.points) == 1  # all above the family's maximum
    else:
        assert len(distinct.points) == 3  # no maximum: each budget is sent


def test_anthropic_budgets_that_raise_max_tokens_alike_merge() -> None:
    rules = provider_rules("anthropic", "claude-sonnet-4-5")
    validated = check_space(COMMON, "anthropic", "claude-sonnet-4-5")
    points = [
        {"reasoning_budget": 2048, "max_tokens": 512},
        {"reasoning_budget": 2048, "max_tokens": 1024},  # both raised to 2048 + 4096
        {"reasoning_budget": 2048, "max_tokens": 8192},  # room already: sent as is
    ]
    distinct = distinct_points(validated, rules, points)
    assert [p.params["max_tokens"] for p in distinct.points] == [6144, 8192]
    assert distinct.merged_points == 1
    # Temperature was dropped from the space; top_p clamps to thinking's 0.95 to 1.
    top_ps = [{"reasoning_budget": 2048, "top_p": p} for p in (0.0, 0.5, 1.0)]
    assert len(distinct_points(validated, rules, top_ps).points) == 2
