"""A searched tool choice reaches the request as its own field on both trial paths (the
server's trial eval run settings, the CLI's local repeat targets), and reasoning_budget stays a
parameter the runner resolves into the provider's nested object."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from benchstudio.toolcall.live.records import EvalTarget
from benchstudio.tuning.domain.space import ChoiceDimension, RangeDimension, SearchSpace
from benchstudio.tuning.service.job_trials import EvalTrialEvaluator, TrialTarget
from benchstudio.tuning.service.local_trials import repeat_target
from benchstudio.tuning.service.study_types import TrialRequest

SPACE = SearchSpace(
    (
        ChoiceDimension("tool_choice", ("auto", "required", "none")),
        RangeDimension("reasoning_budget", 1024.0, 4096.0, step=1024.0),
    )
)


def target(**fields: Any) -> EvalTarget:
    return EvalTarget(
        label="m", model="claude-sonnet-4-5", base_url="http://127.0.0.1:1/v1", **fields
    )


def test_a_local_repeat_sends_the_searched_tool_choice_as_the_target_field() -> None:
    fixed = target(tool_choice="auto", params={"top_p": 0.97})
    made = repeat_target(fixed, {"tool_choice": "none", "reasoning_budget": 2048}, 7, 0)
    assert made.tool_choice == "none"
    assert made.params == {"top_p": 0.97, "reasoning_budget": 2048, "seed": 7}


def test_a_local_repeat_keeps_the_fixed_tool_choice_when_it_is_not_searched() -> None:
    made = repeat_target(target(tool_choice="required"), {"reasoning_budget": 1024}, 1, 0)
    assert made.tool_choice == "required"
    assert "tool_choice" not in made.params


def evaluator(target_params: dict[str, Any]) -> EvalTrialEvaluator:
    setup = SimpleNamespace(run_id="run", target={"params": target_params})
    trial_target = TrialTarget(
        base_params=target_params,
        space=SPACE,
        metric=None,
        price=None,
        case_concurrency=2,
        timeout_s=30.0,
        cases=3,
    )
    return EvalTrialEvaluator(cast(Any, None), cast(Any, None), cast(Any, setup), trial_target)


def request(point: dict[str, Any]) -> TrialRequest:
    return TrialRequest(
        number=1, kind="search", point=point, effective={}, fingerprint="f", seeds=(1,)
    )


def test_the_trial_eval_run_settings_carry_the_point_tool_choice() -> None:
    settings = evaluator({"max_tokens": 8000})._settings(
        request({"tool_choice": "required", "reasoning_budget": 3072})
    )
    assert settings["tool_choice"] == "required"
    assert settings["max_tokens"] == 8000
    assert settings["params"] == {"reasoning_budget": 3072}


def test_without_a_searched_tool_choice_the_run_keeps_its_default() -> None:
    settings = evaluator({})._settings(request({"reasoning_budget": 1024}))
    assert settings["tool_choice"] is None
    assert "tool_choice" not in settings["params"]
