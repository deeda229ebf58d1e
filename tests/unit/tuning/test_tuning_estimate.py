"""The tuner's estimate before a run (calls, cost, planned trials and the bound that sets them,
the refusals of a budget below one trial) and the price kept with a run."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from benchstudio.core.errors import AppError
from benchstudio.providers.pricing import ModelPrice
from benchstudio.toolcall.schemas import Suite
from benchstudio.tuning.schemas import TunerRunCreate
from benchstudio.tuning.schemas.runs import BaselineOut
from benchstudio.tuning.schemas.space import ValidatedSpaceOut
from benchstudio.tuning.service.estimate import (
    EstimateInputs,
    case_cost,
    case_guesses,
    case_tokens,
    estimate,
    price_from_json,
    price_to_json,
)

WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
}
SUITE = Suite.model_validate(
    {
        "name": "s",
        "tools": [WEATHER],
        "cases": [
            {
                "id": f"c{i}",
                "prompt": "Weather in Paris?",
                "expected_calls": [{"name": "get_weather"}],
            }
            for i in range(5)
        ],
    }
)
DEFAULT = BaselineOut(kind="baseline_default", label="Provider defaults", point={})


def _report(grid_size: int | None, repeats: int = 2) -> ValidatedSpaceOut:
    return ValidatedSpaceOut(
        provider="openai",
        model="m",
        dimensions=[],
        repeats=repeats,
        adjustments=[],
        grid_size=grid_size,
    )


def _inputs(
    budget: dict[str, Any],
    *,
    grid: int | None = None,
    price: ModelPrice | None = None,
    strategy: dict[str, Any] | None = None,
    concurrency: int | None = None,
) -> EstimateInputs:
    data = TunerRunCreate.model_validate(
        {
            "suite_id": "0" * 26,
            "target": {"provider_id": "1" * 26, "model_id": "m"},
            "space": {"dimensions": [], "repeats": 2},
            "budget": budget,
            "strategy": strategy or {"kind": "random"},
            "concurrency": concurrency,
        }
    )
    return EstimateInputs(data, SUITE, _report(grid), [DEFAULT], price, None, 2)


PRICE = ModelPrice(input=Decimal("1000"), output=Decimal("2000"))


def test_calls_per_trial_are_cases_times_repeats_and_the_trial_budget_limits() -> None:
    out = estimate(_inputs({"max_trials": 7}))
    assert out.cases == 5 and out.repeats == 2 and out.calls_per_trial == 10
    assert out.planned_trials == 7 and out.max_calls == 70
    assert out.limiting == "max_trials (7)"
    assert out.cost_per_trial_usd is None and out.max_cost_usd is None
    assert any("no price" in w for w in out.warnings)


def test_the_lowest_bound_sets_the_planned_trials() -> None:
    assert estimate(_inputs({"max_trials": 50, "max_calls": 35})).planned_trials == 3
    grid = estimate(_inputs({"max_trials": 50}, grid=4, strategy={"kind": "grid"}))
    assert grid.planned_trials == 5 and grid.limiting.startswith("the space")
    sampled = _inputs({"max_trials": 50}, grid=40, strategy={"kind": "grid", "grid_sample": 6})
    assert estimate(sampled).planned_trials == 7
    again = {"kind": "random", "reevaluate_duplicates": True}
    assert estimate(_inputs({"max_trials": 50}, grid=4, strategy=again)).planned_trials == 50


def test_cost_at_the_price_bounds_the_trials() -> None:
    one = estimate(_inputs({"max_trials": 50}, price=PRICE)).cost_per_trial_usd
    assert one is not None and one > 0
    per_case = one / 10
    assert per_case == pytest.approx(case_cost(PRICE, *_tokens()), rel=1e-9)
    capped = estimate(_inputs({"max_trials": 50, "max_cost_usd": one * 3.5}, price=PRICE))
    assert capped.planned_trials == 3 and capped.limiting.startswith("max_cost_usd")
    assert capped.max_cost_usd == pytest.approx(3 * one)


def _tokens() -> tuple[int, int]:
    return case_tokens(SUITE, None)[0]


@pytest.mark.parametrize(
    ("budget", "words"),
    [
        ({"max_trials": 1}, "leaves no trial after the 1 baseline"),
        ({"max_calls": 9}, "below one trial's 10 calls"),
        ({"max_cost_usd": 1e-9}, "below one trial's estimated cost"),
    ],
)
def test_a_budget_below_one_trial_is_refused(budget: dict[str, Any], words: str) -> None:
    with pytest.raises(AppError) as raised:
        estimate(_inputs(budget, price=PRICE))
    assert raised.value.status_code == 422 and words in raised.value.message


def test_an_unpriced_model_is_never_refused_for_cost() -> None:
    assert estimate(_inputs({"max_cost_usd": 1e-9})).planned_trials == 20


def test_too_many_trials_at_once_are_named() -> None:
    out = estimate(_inputs({}, concurrency=8))
    assert out.concurrency == 2 and any("8 trials at once" in w for w in out.warnings)


def test_prices_round_trip_through_json() -> None:
    assert price_from_json(price_to_json(PRICE)) == PRICE
    assert price_from_json(price_to_json(None)) is None


def test_the_judge_adds_its_calls_apart_and_its_cost_to_the_cost_figures() -> None:
    plain = estimate(_inputs({"max_trials": 50}, price=PRICE))
    assert plain.judge_calls_per_trial is None and plain.judge_cost_per_trial_usd is None
    judge_costs = {case.id: 0.01 * (i + 1) for i, case in enumerate(SUITE.cases)}
    judged = estimate(
        replace(_inputs({"max_trials": 50}, price=PRICE), judged=True, judge_case_costs=judge_costs)
    )
    # max_calls stays the tuned model's; the judge's calls are one a case and repeat.
    assert judged.calls_per_trial == plain.calls_per_trial == 10
    assert judged.judge_calls_per_trial == 10 and judged.judge_max_calls == 10 * 50
    assert judged.judge_cost_per_trial_usd == pytest.approx(0.15 * 2)
    assert plain.cost_per_trial_usd is not None
    assert judged.cost_per_trial_usd == pytest.approx(plain.cost_per_trial_usd + 0.3)
    assert judged.max_cost_usd == pytest.approx(judged.cost_per_trial_usd * 50)
    assert any("not counted in max_calls" in w for w in judged.warnings)
    # The budget covers the judge too: a cap that fits the tuned model alone is refused.
    with pytest.raises(AppError, match="below one trial"):
        estimate(
            replace(
                _inputs(
                    {"max_trials": 50, "max_cost_usd": plain.cost_per_trial_usd + 0.1}, price=PRICE
                ),
                judged=True,
                judge_case_costs=judge_costs,
            )
        )
    unpriced = estimate(replace(_inputs({"max_trials": 50}, price=PRICE), judged=True))
    assert unpriced.judge_cost_per_trial_usd is None
    assert unpriced.cost_per_trial_usd == plain.cost_per_trial_usd
    assert any("judge model has no price" in w for w in unpriced.warnings)


def test_case_guesses_count_a_chains_most_calls_and_the_judges_cost() -> None:
    chain = Suite.model_validate(
        {
            "name": "s",
            "tools": [WEATHER],
            "cases": [
                {"id": "one", "prompt": "Weather?", "expected_calls": [{"name": "get_weather"}]},
                {
                    "id": "chain",
                    "prompt": "Weather?",
                    "expected_calls": [{"name": "get_weather"}],
                    "multi_turn": {"max_rounds": 3},
                },
            ],
        }
    )
    guesses = case_guesses(chain, PRICE, 100, {"one": 0.5, "chain": 0.5})
    single = case_cost(PRICE, *case_tokens(chain, 100)[0])
    assert guesses["one"].calls == 1 and guesses["one"].cost == pytest.approx(single + 0.5)
    assert guesses["chain"].calls == 4  # three rounds and the last answer
    assert guesses["chain"].cost > 4 * single
