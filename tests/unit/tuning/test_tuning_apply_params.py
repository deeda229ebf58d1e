"""Apply best saves what the chosen trial sent, as a parameter set holds it: the caller's
parameter names (never a provider's wire names or nested objects), clamped as they were sent,
the target's fixed parameters under the point, and neither seeds nor the tool choice."""

from __future__ import annotations

from typing import Any

import pytest

from benchstudio.catalog.service.parameter_sets import check_parameter_values
from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Condition,
    RangeDimension,
    SearchSpace,
)
from benchstudio.tuning.models import TunerRun, TunerTrial
from benchstudio.tuning.service.apply import _params

SPACE = SearchSpace(
    (
        RangeDimension("top_p", 0.5, 1.0, step=0.1),
        RangeDimension("reasoning_budget", 1024.0, 8192.0, step=1024.0, integer=True),
        ChoiceDimension("tool_choice", ("auto", "required", "none")),
        ChoiceDimension("mode", ("plain", "sampled")),
        RangeDimension(
            "temperature", 0.1, 1.0, step=0.1, condition=Condition("mode", ("sampled",))
        ),
    )
)


def _run(registry: str, model: str, params: dict[str, Any] | None = None) -> TunerRun:
    return TunerRun(
        target={
            "registry_provider": registry,
            "model_id": model,
            "params": params or {},
            "parameter_set_params": {"presence_penalty": 0.5},
        },
        validated_space=SPACE.to_dict(),
    )


def _trial(point: dict[str, Any], effective: dict[str, Any]) -> TunerTrial:
    return TunerTrial(point=point, effective=effective)


def test_gemini_saves_top_p_and_the_budget_not_its_wire_names() -> None:
    point = {"top_p": 0.9, "reasoning_budget": 2048, "tool_choice": "required", "mode": "plain"}
    wire = {"topP": 0.9, "thinkingConfig": {"thinkingBudget": 2048}, "seed": 4}
    saved = _params(_run("gemini", "gemini-2.5-flash"), _trial(point, wire))
    assert saved == {"presence_penalty": 0.5, "reasoning_budget": 2048, "top_p": 0.9}


def test_values_are_saved_as_the_provider_clamped_them() -> None:
    # With a thinking budget, Anthropic takes top_p from 0.95 only (and no presence penalty).
    point = {"top_p": 0.7, "reasoning_budget": 2048, "mode": "plain"}
    saved = _params(_run("anthropic", "claude-sonnet-4-5", {"max_tokens": 8000}), _trial(point, {}))
    assert saved == {"max_tokens": 8000, "reasoning_budget": 2048, "top_p": 0.95}


def test_an_inactive_dimension_and_the_seed_stay_out_and_the_point_wins_over_fixed() -> None:
    point = {"top_p": 0.6, "mode": "plain", "temperature": 0.4}  # temperature inactive
    run = _run("openai", "gpt-4o", {"top_p": 1.0, "seed": 9})
    assert _params(run, _trial(point, {})) == {"presence_penalty": 0.5, "top_p": 0.6}
    sampled = {"top_p": 0.6, "mode": "sampled", "temperature": 0.4}
    assert _params(run, _trial(sampled, {}))["temperature"] == 0.4


@pytest.mark.parametrize(
    ("registry", "model"),
    [("gemini", "gemini-2.5-pro"), ("anthropic", "claude-opus-4-1"), ("openai", "gpt-4o")],
)
def test_what_is_saved_passes_the_parameter_set_check(registry: str, model: str) -> None:
    point = {"top_p": 0.9, "reasoning_budget": 4096, "mode": "sampled", "temperature": 0.5}
    saved = _params(_run(registry, model), _trial(point, {}))
    assert saved  # something to save
    check_parameter_values(saved, registry, model)  # raises on a value the set would refuse
