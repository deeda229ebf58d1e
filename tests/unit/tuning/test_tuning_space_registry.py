"""A search space against the real provider parameter registry: unknown parameters refused,
dropped ones removed before the run with the reason listed, ranges clamped, renames noted,
and points that send the same request recognised by fingerprint."""

from __future__ import annotations

import pytest

from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Condition,
    RangeDimension,
    SearchSpace,
    SpaceError,
)
from benchstudio.tuning.domain.space_grid import grid_count, iter_grid
from benchstudio.tuning.domain.space_points import (
    PointLedger,
    distinct_points,
    effective_params,
    effective_point,
)
from benchstudio.tuning.domain.space_registry import SpaceAdjustment, ValidatedSpace
from benchstudio.tuning.service import check_space, provider_rules, space_report

TEMPERATURE = RangeDimension("temperature", 0.0, 1.0, step=0.5)


def test_an_unknown_parameter_is_refused_with_a_hint() -> None:
    space = SearchSpace((RangeDimension("temprature", 0.0, 1.0),))
    with pytest.raises(SpaceError) as caught:
        check_space(space, "openai", "gpt-4o")
    assert caught.value.param == "temprature"
    assert (
        caught.value.reason == "is not a parameter any provider knows (did you mean temperature?)"
    )


def test_unsupported_parameters_are_removed_before_the_run() -> None:
    space = SearchSpace(
        (
            RangeDimension("temperature", 0.0, 3.0, step=0.5),
            ChoiceDimension("top_k", (20, 40)),
            RangeDimension("min_p", 0.0, 0.1, step=0.05),
        )
    )
    validated = check_space(space, "openai", "gpt-4o")
    assert validated.space.names() == ["temperature"]
    assert validated.adjustments == (
        SpaceAdjustment("temperature", "clamp", "allowed range is 0 to 2", [0.0, 3.0], [0.0, 2.0]),
        SpaceAdjustment("top_k", "drop", "not supported by openai"),
        SpaceAdjustment("min_p", "drop", "not supported by openai"),
    )
    assert validated.space.dimension("temperature").grid_values() == [0.0, 0.5, 1.0, 1.5, 2.0]


def test_a_reasoning_model_fixes_temperature_and_filters_effort_choices() -> None:
    space = SearchSpace(
        (
            TEMPERATURE,
            ChoiceDimension("reasoning_effort", ("minimal", "low", "high")),
        )
    )
    o3 = check_space(space, "openai", "o3")
    assert o3.space.names() == ["reasoning_effort"]
    assert o3.space.dimension("reasoning_effort").grid_values() == ["low", "high"]
    assert [(a.param, a.action) for a in o3.adjustments] == [
        ("temperature", "drop"),
        ("reasoning_effort", "drop_choice"),
    ]
    assert "fixed at 1" in o3.adjustments[0].reason
    assert o3.adjustments[1].original == "minimal"
    gpt5 = check_space(space, "openai", "gpt-5-mini")
    assert gpt5.space.dimension("reasoning_effort").grid_values() == ["minimal", "low", "high"]


def test_anthropic_drops_top_p_searched_with_temperature() -> None:
    space = SearchSpace((TEMPERATURE, RangeDimension("top_p", 0.8, 1.0, step=0.1)))
    validated = check_space(space, "anthropic", "claude-sonnet-4-5")
    assert validated.space.names() == ["temperature"]
    assert validated.adjustments == (
        SpaceAdjustment(
            "top_p",
            "drop",
            "Anthropic models reject temperature and top_p together; temperature is kept",
        ),
    )


def test_renames_are_listed_and_the_space_keeps_the_callers_name() -> None:
    space = SearchSpace((RangeDimension("top_p", 0.8, 1.0, step=0.1),))
    validated = check_space(space, "gemini", "gemini-2.5-flash")
    assert validated.space.names() == ["top_p"]
    assert validated.adjustments == (
        SpaceAdjustment("top_p", "rename", "gemini calls it topP", "top_p", "topP"),
    )
    rules = provider_rules("gemini", "gemini-2.5-flash")
    assert effective_point(validated, rules, {"top_p": 0.9}).params == {"topP": 0.9}


def test_a_model_condition_is_decided_before_the_run() -> None:
    effort = ChoiceDimension(
        "reasoning_effort", ("low", "high"), Condition(model_pattern=r"^(o[1-9]|gpt-5)")
    )
    space = SearchSpace((TEMPERATURE, effort))
    plain = check_space(space, "openai", "gpt-4o")
    assert plain.space.names() == ["temperature"]
    assert plain.adjustments == (
        SpaceAdjustment(
            "reasoning_effort", "inactive", "applies only to models matching '^(o[1-9]|gpt-5)'"
        ),
    )
    assert check_space(space, "openai", "o4-mini").space.names() == ["reasoning_effort"]


def test_a_dimension_whose_controller_left_the_space_leaves_too() -> None:
    space = SearchSpace(
        (
            TEMPERATURE,
            ChoiceDimension("top_k", (20, 40)),
            ChoiceDimension("min_p", (0.0, 0.05), Condition("top_k", (20,))),
        )
    )
    validated = check_space(space, "openai", "gpt-4o")
    assert validated.space.names() == ["temperature"]
    assert [(a.param, a.action, a.reason) for a in validated.adjustments] == [
        ("top_k", "drop", "not supported by openai"),
        ("min_p", "drop", "not supported by openai"),
    ]
    kept = check_space(space, "vllm", "Qwen/Qwen3-8B")
    assert kept.space.names() == ["temperature", "top_k", "min_p"]
    assert kept.adjustments == ()


def test_conditional_dimension_removed_when_its_controller_is_dropped() -> None:
    space = SearchSpace(
        (
            TEMPERATURE,
            ChoiceDimension("top_k", (20, 40)),
            RangeDimension("temperature_2", 0.0, 1.0, condition=Condition("top_k", (20,))),
        )
    )
    with pytest.raises(SpaceError, match="is not a parameter any provider knows"):
        check_space(space, "vllm", "m")
    space = SearchSpace(
        (
            TEMPERATURE,
            ChoiceDimension("top_k", (20, 40)),
            RangeDimension("repetition_penalty", 1.0, 1.2, condition=Condition("top_k", (20,))),
        )
    )
    validated = check_space(space, "openai", "gpt-4o")
    assert [(a.param, a.action) for a in validated.adjustments] == [
        ("top_k", "drop"),
        ("repetition_penalty", "drop"),
    ]


def test_orphans_of_a_supported_but_dropped_controller() -> None:
    # top_k is supported by Anthropic but not under extended thinking; effort depends on it.
    space = SearchSpace(
        (
            ChoiceDimension("top_k", (20, 40)),
            ChoiceDimension("top_p", (0.95, 1.0), Condition("top_k", (20,))),
            ChoiceDimension("thinking", ({"type": "enabled", "budget_tokens": 1024},)),
        )
    )
    validated = check_space(space, "anthropic", "claude-sonnet-4-5")
    assert validated.space.names() == ["thinking"]
    assert [(a.param, a.action) for a in validated.adjustments] == [
        ("top_k", "drop"),
        ("top_p", "inactive"),
    ]
    assert validated.adjustments[0].reason == (
        "extended thinking fixes temperature to 1 and disallows top_k"
    )


def test_a_range_outside_the_limits_is_refused() -> None:
    space = SearchSpace((RangeDimension("temperature", 1.2, 1.8, step=0.1),))
    with pytest.raises(SpaceError) as caught:
        check_space(space, "anthropic", "claude-haiku-4-5")
    assert caught.value.reason == "range 1.2 to 1.8 leaves nothing within the allowed 0 to 1"


def test_nothing_left_is_a_clear_refusal_listing_the_drops() -> None:
    space = SearchSpace((ChoiceDimension("top_k", (20, 40)), ChoiceDimension("min_p", (0.0,))))
    with pytest.raises(SpaceError) as caught:
        check_space(space, "openai", "gpt-4o")
    assert (
        caught.value.reason
        == "nothing left to search: openai drops every listed parameter for gpt-4o"
    )
    assert caught.value.details == [
        {
            "param": "top_k",
            "action": "drop",
            "reason": "not supported by openai",
            "original": None,
            "value": None,
        },
        {
            "param": "min_p",
            "action": "drop",
            "reason": "not supported by openai",
            "original": None,
            "value": None,
        },
    ]


def test_choices_that_clamp_to_the_same_value_merge() -> None:
    space = SearchSpace((ChoiceDimension("top_k", (0, 1, 40)),))
    validated = check_space(space, "together", "meta-llama/Llama-3.3-70B-Instruct-Turbo")
    assert validated.space.dimension("top_k").grid_values() == [1, 40]
    assert validated.adjustments == (SpaceAdjustment("top_k", "clamp", "must be at least 1", 0, 1),)


def test_integer_parameters_make_integer_ranges() -> None:
    space = SearchSpace((RangeDimension("top_k", 1, 200, step=2, scale="log"),))
    validated = check_space(space, "fireworks", "accounts/fireworks/models/qwen3-8b")
    top_k = validated.space.dimension("top_k")
    assert isinstance(top_k, RangeDimension) and top_k.integer
    assert top_k.grid_values() == [1, 2, 4, 8, 16, 32, 64]  # high clamped to 100
    bad = SearchSpace((RangeDimension("top_k", 1.5, 40.0),))
    with pytest.raises(SpaceError, match="takes whole numbers"):
        check_space(bad, "vllm", "m")
    text = SearchSpace((RangeDimension("reasoning_effort", 0, 1),))
    with pytest.raises(SpaceError, match="takes str values: list them as choices"):
        check_space(text, "openai", "o3")


def test_an_unknown_provider_warns_and_uses_openai_rules() -> None:
    validated = check_space(SearchSpace((TEMPERATURE,)), "my-gateway", "m")
    assert validated.adjustments == (
        SpaceAdjustment(
            "*", "warn", "unknown provider 'my-gateway': OpenAI-compatible parameter rules assumed"
        ),
    )


def test_points_that_clamp_alike_share_a_fingerprint() -> None:
    rules = provider_rules("anthropic", "claude-haiku-4-5")
    first = effective_params(rules, {"temperature": 1.5})
    second = effective_params(rules, {"temperature": 2.0})
    assert first.params == second.params == {"temperature": 1, "max_tokens": 4096}
    assert first.fingerprint == second.fingerprint
    assert effective_params(rules, {"temperature": 0.5}).fingerprint != first.fingerprint
    assert [(a.param, a.action) for a in first.adjustments] == [
        ("temperature", "clamp"),
        ("max_tokens", "warn"),
    ]


def test_the_provider_default_point_is_just_the_required_defaults() -> None:
    assert effective_params(provider_rules("openai", "gpt-4o"), {}).params == {}
    assert effective_params(provider_rules("anthropic", "claude-haiku-4-5"), {}).params == {
        "max_tokens": 4096
    }


def test_distinct_points_merge_requests_that_end_up_equal() -> None:
    # A target that fixes temperature for Anthropic: every top_p point then sends the same
    # request (top_p is dropped beside temperature), so the grid collapses to one trial.
    space = SearchSpace((RangeDimension("top_p", 0.8, 1.0, step=0.1),))
    validated = check_space(space, "anthropic", "claude-haiku-4-5")
    rules = provider_rules("anthropic", "claude-haiku-4-5")
    result = distinct_points(
        validated, rules, iter_grid(validated.space), base={"temperature": 0.3}
    )
    assert result.merged_points == 2
    assert [p.params for p in result.points] == [{"temperature": 0.3, "max_tokens": 4096}]
    without_base = distinct_points(validated, rules, iter_grid(validated.space))
    assert without_base.merged_points == 0
    assert len(without_base.points) == grid_count(validated.space) == 3


def test_inactive_dimensions_put_no_key_in_the_request() -> None:
    space = SearchSpace(
        (
            ChoiceDimension("reasoning_effort", ("low", "high")),
            ChoiceDimension("verbosity", ("low", "high"), Condition("reasoning_effort", ("high",))),
        )
    )
    validated = check_space(space, "openai", "gpt-5")
    rules = provider_rules("openai", "gpt-5")
    low = effective_point(validated, rules, {"reasoning_effort": "low", "verbosity": "high"})
    assert low.point == {"reasoning_effort": "low"}
    assert low.params == {"reasoning_effort": "low"}
    high = effective_point(validated, rules, {"reasoning_effort": "high", "verbosity": "low"})
    assert high.params == {"reasoning_effort": "high", "verbosity": "low"}


def test_the_ledger_returns_the_earlier_trial() -> None:
    ledger: PointLedger[str] = PointLedger()
    assert ledger.record("fp-a", "trial-1") is None
    assert ledger.record("fp-b", "trial-2") is None
    assert ledger.record("fp-a", "trial-3") == "trial-1"
    assert ledger.earlier("fp-b") == "trial-2"
    assert ledger.merged_points == 1


def test_validated_space_round_trips_and_reports() -> None:
    space = SearchSpace((TEMPERATURE, ChoiceDimension("top_k", (20, 40))), repeats=2)
    validated = check_space(space, "openai", "gpt-4o")
    assert ValidatedSpace.from_dict(validated.to_dict()) == validated
    report = space_report(space, "openai", "gpt-4o")
    assert report.grid_size == 3
    assert report.repeats == 2
    assert [d.name for d in report.dimensions] == ["temperature"]
    assert [(a.param, a.action) for a in report.adjustments] == [("top_k", "drop")]
    free = space_report(SearchSpace((RangeDimension("temperature", 0.0, 1.0),)), "openai", "gpt-4o")
    assert free.grid_size is None


def test_a_sampled_float_for_an_integer_dimension_is_sent_as_an_int() -> None:
    space = SearchSpace((RangeDimension("top_k", 1, 100),))
    validated = check_space(space, "vllm", "Qwen/Qwen3-8B")
    sent = effective_point(validated, provider_rules("vllm", "Qwen/Qwen3-8B"), {"top_k": 20.0})
    assert sent.params == {"top_k": 20}
    assert isinstance(sent.params["top_k"], int)
