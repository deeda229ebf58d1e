"""A parameter set lies under explicit parameters: the pure merge, the registry's checks and
how an eval target's stored set values reach the runner."""

from __future__ import annotations

import pytest

from benchstudio.catalog.domain import merge_parameter_set
from benchstudio.catalog.service.parameter_sets import (
    InvalidParameterError,
    check_parameter_values,
    parameter_spec_table,
)
from benchstudio.evals.runs.service.targets import runner_target


def test_explicit_values_win_and_none_means_not_given() -> None:
    merged = merge_parameter_set(
        {"temperature": 0.2, "top_p": 0.5, "seed": 7},
        {"temperature": 0.9, "top_p": None, "max_tokens": 64},
    )
    assert merged.params == {"temperature": 0.9, "top_p": 0.5, "seed": 7, "max_tokens": 64}
    assert merged.applied == {"top_p": 0.5, "seed": 7}
    assert merged.overridden == ["temperature"]


def test_an_empty_set_changes_nothing() -> None:
    merged = merge_parameter_set({}, {"temperature": 0.1})
    assert merged.params == {"temperature": 0.1}
    assert merged.applied == {} and merged.overridden == []


@pytest.mark.parametrize(
    ("params", "provider", "model", "param", "reason"),
    [
        ({"top_p": "not-a-number"}, None, "", "top_p", "expected float"),
        ({"temperature": 5}, None, "", "temperature", "allowed range is 0 to 2"),
        ({"temperature": 1.5}, "anthropic", "claude-x", "temperature", "allowed range is 0 to 1"),
    ],
)
def test_the_registry_refuses_bad_values_with_its_message(
    params: dict[str, object], provider: str | None, model: str, param: str, reason: str
) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        check_parameter_values(params, provider, model)
    assert (caught.value.param, caught.value.reason) == (param, reason)
    assert caught.value.status_code == 422


def test_values_within_some_provider_range_and_unknown_names_pass() -> None:
    check_parameter_values({"temperature": 1.5, "top_p": 0.9, "my_flag": "x"}, None, "")
    check_parameter_values({"temperature": 0.5}, "anthropic", "claude-x")


def test_generic_specs_take_the_widest_range() -> None:
    spec = parameter_spec_table(None)["temperature"]
    assert (spec.type, spec.min, spec.max) == ("float", 0, 2)


def test_runner_target_lays_stored_set_values_under_the_run_and_target() -> None:
    info = {
        "label": "m",
        "model_id": "m",
        "protocol": "openai",
        "parameter_set_params": {"temperature": 0.3, "max_tokens": 99, "top_p": 0.4},
    }
    settings = {"temperature": None, "max_tokens": None, "params": {"seed": 1}}
    target = runner_target(info, settings, "http://x/v1", {"params": {"top_k": 5}})
    assert (target.temperature, target.max_tokens) == (0.3, 99)
    assert target.params == {"top_p": 0.4, "seed": 1, "top_k": 5}
    explicit = runner_target(info, {**settings, "temperature": 0.0}, "http://x/v1", {})
    assert explicit.temperature == 0.0


def test_cli_reads_name_value_pairs_as_json_when_it_can() -> None:
    import typer

    from benchstudio.cli.parameter_set_cmd import parse_param

    assert parse_param("temperature=0.2") == ("temperature", 0.2)
    assert parse_param('stop=["END"]') == ("stop", ["END"])
    assert parse_param("reasoning_effort=low") == ("reasoning_effort", "low")
    with pytest.raises(typer.BadParameter):
        parse_param("top_p")


def test_a_parameter_set_cannot_hold_the_request_tool_choice() -> None:
    for provider in (None, "openai"):
        with pytest.raises(InvalidParameterError) as caught:
            check_parameter_values({"tool_choice": "required"}, provider, "gpt-4o")
        assert caught.value.param == "tool_choice"
        assert "run setting" in caught.value.reason
    # The thinking budget is a body parameter: a set may hold it.
    check_parameter_values({"reasoning_budget": 2048}, "anthropic", "claude-sonnet-4-5")


def test_the_spec_table_marks_tool_choice_as_a_request_field() -> None:
    table = parameter_spec_table("anthropic", "claude-sonnet-4-5")
    assert table["tool_choice"].request_field
    assert not table["reasoning_budget"].request_field
