"""What a tuner run will cost at most, before it starts: calls and cost of one trial, how many
trials the budgets and the space allow, and the bound that sets that number. Also the refusals
that follow from it (a budget below one trial).

A trial sends one request per case and repeat (a multi-turn case sends more: the estimate is a
floor for those, the running budget counts every exchange). Its cost is estimated from the
suite's size (about four characters a token) and the output cap, at the model's price.

With the judge objective each case is also judged by one call to the judge model: those calls
are reported apart (`judge_calls_per_trial`; `max_calls` bounds the tuned model's calls only)
and their cost is part of the cost figures (`max_cost_usd` bounds both).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from benchstudio.core.errors import AppError
from benchstudio.providers.base import Usage
from benchstudio.providers.pricing import ModelPrice, cost_of
from benchstudio.toolcall.schemas import Suite, TestCase
from benchstudio.tuning.domain.case_admission import CaseUse
from benchstudio.tuning.schemas.runs import BaselineOut, TunerEstimateOut, TunerRunCreate
from benchstudio.tuning.schemas.space import ValidatedSpaceOut

CHARS_PER_TOKEN = 4
DEFAULT_OUTPUT_TOKENS = 256


def refuse(message: str, code: str = "invalid_tuning") -> AppError:
    return AppError(message, code=code, status_code=422)


def price_to_json(price: ModelPrice | None) -> dict[str, Any] | None:
    if price is None:
        return None
    return {
        "input": str(price.input),
        "output": str(price.output),
        "cached_input": None if price.cached_input is None else str(price.cached_input),
        "reasoning": None if price.reasoning is None else str(price.reasoning),
    }


def price_from_json(raw: Mapping[str, Any] | None) -> ModelPrice | None:
    if not raw:
        return None

    def number(key: str) -> Decimal | None:
        value = raw.get(key)
        return None if value is None else Decimal(str(value))

    return ModelPrice(
        input=Decimal(str(raw["input"])),
        output=Decimal(str(raw["output"])),
        cached_input=number("cached_input"),
        reasoning=number("reasoning"),
    )


def case_tokens(suite: Suite, output_cap: int | None) -> list[tuple[int, int]]:
    """(input, output) tokens each case is expected to use, from its size."""
    out: list[tuple[int, int]] = []
    for case in suite.cases:
        text = json.dumps(
            {
                "system": suite.system_prompt,
                "prompt": case.prompt,
                "messages": [m.model_dump(mode="json") for m in case.messages or []],
                "tools": [t.model_dump(mode="json") for t in suite.tools_for(case)],
            }
        )
        out.append((len(text) // CHARS_PER_TOKEN + 1, output_cap or DEFAULT_OUTPUT_TOKENS))
    return out


def case_calls(case: TestCase) -> int:
    """The most calls a case sends: one, or a multi-turn chain's rounds plus its last answer."""
    return 1 if case.multi_turn is None else case.multi_turn.max_rounds + 1


def case_guesses(
    suite: Suite,
    price: ModelPrice | None,
    output_cap: int | None,
    judge_costs: Mapping[str, float] | None = None,
) -> dict[str, CaseUse]:
    """Each case's expected use before any case of a trial finished (`case_admission`): its
    most calls, and each call's prompt plus the output cap at the price (plus the judge's cost
    of the case when the judge objective scores it)."""
    guesses: dict[str, CaseUse] = {}
    for case, (inputs, outputs) in zip(suite.cases, case_tokens(suite, output_cap), strict=True):
        calls = case_calls(case)
        cost = case_cost(price, inputs, outputs) * calls + (judge_costs or {}).get(case.id, 0.0)
        guesses[case.id] = CaseUse(float(calls), cost)
    return guesses


def case_cost(
    price: ModelPrice | None, input_tokens: int | None, output_tokens: int | None
) -> float:
    """What one request cost at `price` (0 with no price or no token counts)."""
    if price is None:
        return 0.0
    cost = cost_of(Usage(input_tokens, output_tokens), price)
    return float(cost) if cost is not None else 0.0


@dataclass(frozen=True, slots=True)
class EstimateInputs:
    data: TunerRunCreate
    suite: Suite
    report: ValidatedSpaceOut
    baselines: Sequence[BaselineOut]
    price: ModelPrice | None
    output_cap: int | None
    concurrency: int
    judged: bool = False  # the judge objective: every case is judged once
    # The judge's cost of each case (`judge_estimate`); None: unpriced (or not judged).
    judge_case_costs: Mapping[str, float] | None = None


def _space_points(inputs: EstimateInputs) -> int | None:
    """Distinct points the strategy can hand out (None: no bound, a continuous range)."""
    strategy = inputs.data.strategy
    size = inputs.report.grid_size
    if size is None or strategy.reevaluate_duplicates:
        return None
    if strategy.kind == "grid" and strategy.grid_sample is not None:
        return min(size, strategy.grid_sample)
    return size


def estimate(inputs: EstimateInputs) -> TunerEstimateOut:
    """The estimate, or a 422 when a budget leaves no trial beyond the baselines."""
    budget = inputs.data.budget
    cases, repeats = len(inputs.suite.cases), inputs.report.repeats
    calls_per_trial = cases * repeats
    priced = inputs.price is not None and (inputs.price.input > 0 or inputs.price.output > 0)
    per_case = [
        case_cost(inputs.price, i, o) for i, o in case_tokens(inputs.suite, inputs.output_cap)
    ]
    cost_per_trial = math.fsum(per_case) * repeats if inputs.price is not None else None
    judge_calls = calls_per_trial if inputs.judged else None
    judge_cost = None
    if inputs.judged and inputs.judge_case_costs is not None:
        judge_cost = math.fsum(inputs.judge_case_costs.values()) * repeats
        if cost_per_trial is not None:
            cost_per_trial += judge_cost
    baselines = len(inputs.baselines)
    if budget.max_trials < baselines + 1:
        raise refuse(
            f"a budget of {budget.max_trials} trials leaves no trial after the "
            f"{baselines} baseline{'s' if baselines != 1 else ''}"
        )
    if budget.max_calls is not None and budget.max_calls < calls_per_trial:
        raise refuse(
            f"max_calls {budget.max_calls} is below one trial's {calls_per_trial} calls "
            f"({cases} cases x {repeats} repeats)"
        )
    max_cost = budget.max_cost_usd
    if priced and max_cost is not None and cost_per_trial and max_cost < cost_per_trial:
        raise refuse(
            f"max_cost_usd {max_cost:g} is below one trial's estimated cost "
            f"of {cost_per_trial:.6f} USD"
        )
    bounds: list[tuple[int, str]] = [(budget.max_trials, f"max_trials ({budget.max_trials})")]
    points = _space_points(inputs)
    if points is not None:
        bounds.append((baselines + points, f"the space ({points} distinct points)"))
    if budget.max_calls is not None:
        bounds.append((budget.max_calls // calls_per_trial, f"max_calls ({budget.max_calls})"))
    if priced and budget.max_cost_usd is not None and cost_per_trial:
        trials = math.floor(budget.max_cost_usd / cost_per_trial)
        bounds.append((trials, f"max_cost_usd ({budget.max_cost_usd:g})"))
    planned, limiting = min(bounds, key=lambda bound: bound[0])
    warnings: list[str] = []
    if inputs.price is None:
        warnings.append(
            "The model has no price: its cost is unknown and max_cost_usd not enforced."
        )
    if inputs.judged:
        warnings.append(
            "The judge scores every case with one more call to its model: those calls are "
            "not counted in max_calls"
            + (
                "; their cost is in the cost figures and max_cost_usd."
                if judge_cost is not None
                else "; the judge model has no price, so its cost is unknown."
            )
        )
    asked = inputs.data.concurrency
    if asked is not None and asked > inputs.concurrency:
        warnings.append(
            f"{asked} trials at once would exceed the endpoint's limit of "
            f"{inputs.concurrency} parallel requests: {inputs.concurrency} run at once."
        )
    if any(case.multi_turn is not None for case in inputs.suite.cases):
        warnings.append("Multi-turn cases send several calls each: calls are a lower bound.")
    if points is not None and points < budget.max_trials - baselines and limiting.startswith("the"):
        warnings.append(f"The space holds only {points} distinct points.")
    return TunerEstimateOut(
        space=inputs.report,
        cases=cases,
        repeats=repeats,
        baselines=list(inputs.baselines),
        planned_trials=planned,
        calls_per_trial=calls_per_trial,
        max_calls=planned * calls_per_trial,
        cost_per_trial_usd=cost_per_trial,
        max_cost_usd=None if cost_per_trial is None else cost_per_trial * planned,
        judge_calls_per_trial=judge_calls,
        judge_max_calls=None if judge_calls is None else judge_calls * planned,
        judge_cost_per_trial_usd=judge_cost,
        seconds_per_trial=None,
        max_wall_s=None if budget.max_wall_s is None else float(budget.max_wall_s),
        concurrency=inputs.concurrency,
        limiting=limiting,
        warnings=warnings,
    )
