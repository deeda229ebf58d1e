"""`benchstudio tune`'s settings, gathered from the flags, checked by the tuner API's own shapes
(`StrategyIn`, `ObjectiveIn`, `StoppingIn`, `BudgetIn`), so a local study and a server run
refuse the same values with the same words. A refusal is a `typer.BadParameter` (exit 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from pydantic import BaseModel

    from benchstudio.cli.eval_semantic import SemanticOptions
    from benchstudio.cli.tune_judge import JudgeEndpoint
    from benchstudio.providers.pricing import ModelPrice
    from benchstudio.tuning.domain.objective import ObjectiveSpec
    from benchstudio.tuning.domain.strategies import StrategySpec
    from benchstudio.tuning.domain.study_state import StoppingRules
    from benchstudio.tuning.schemas import SearchSpaceIn
    from benchstudio.tuning.service.study_types import StudyBudget


@dataclass(frozen=True, slots=True)
class TuneOptions:
    """Every flag of `benchstudio tune` (already parsed where a flag has a grammar)."""

    suite: str | None
    space: SearchSpaceIn
    base_url: str | None = None
    model: str | None = None
    protocol: str = "openai"
    provider: str | None = None
    api_key_env: str | None = None
    profile: str = "lenient"
    fixed: dict[str, Any] = field(default_factory=dict)
    system_prompt: str | None = None
    tool_choice: str | None = None
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    vendor_preset: str | None = None
    concurrency: int | None = None
    timeout_s: float = 120.0
    attempts: int = 3
    name: str | None = None
    output: Path | None = None
    server: str | None = None
    yes: bool = False
    price: ModelPrice | None = None  # local studies: USD per million tokens, for --max-cost
    semantic: SemanticOptions | None = None  # local studies: the `semantic` argument scorer
    judge: JudgeEndpoint | None = None  # local studies, --objective judge: the judge
    judge_ref: str | None = None  # --server, --objective judge: the catalog model (id or name)


# Each checked field and the flag that sets it (messages name the flag).
FIELD_FLAGS = {
    "kind": "--strategy",
    "seed": "--seed",
    "grid_sample": "--grid-sample",
    "source": "--objective",
    "metric": "--metric",
    "minimize": "--minimize",
    "patience": "--patience",
    "min_delta": "--min-delta",
    "max_trials": "--trials",
    "max_calls": "--max-calls",
    "max_cost_usd": "--max-cost",
    "max_wall_s": "--max-wall",
}


def _checked(schema: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    from pydantic import ValidationError

    try:
        return schema.model_validate(values).model_dump(mode="json")
    except ValidationError as error:
        item = error.errors()[0]
        field_name = str(item["loc"][0]) if item["loc"] else ""
        hint = FIELD_FLAGS.get(field_name, field_name or None)
        raise typer.BadParameter(str(item["msg"]), param_hint=hint) from None


def run_settings(flags: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The strategy, objective, stopping and budget sections of a `TunerRunCreate`."""
    from benchstudio.tuning.schemas import BudgetIn, StoppingIn, StrategyIn

    strategy = {"kind": flags["strategy"], "seed": flags["seed"]}
    if flags["grid_sample"] is not None:
        if flags["strategy"] != "grid":
            raise typer.BadParameter("only a grid samples its points", param_hint="--grid-sample")
        strategy["grid_sample"] = flags["grid_sample"]
    objective = {
        "source": flags["objective"],
        "metric": flags["metric"],
        "minimize": list(flags["minimize"]),
    }
    stopping = {
        "patience": flags["patience"],
        "min_delta": flags["min_delta"],
        "prune": not flags["no_prune"],
    }
    budget = {
        "max_trials": flags["trials"],
        "max_calls": flags["max_calls"],
        "max_cost_usd": flags["max_cost"],
        "max_wall_s": flags["max_wall"],
    }
    return {
        "strategy": _checked(StrategyIn, strategy),
        "objective": _objective(objective),
        "stopping": _checked(StoppingIn, stopping),
        "budget": _checked(BudgetIn, budget),
    }


def _objective(values: dict[str, Any]) -> dict[str, Any]:
    """The objective section. The judge is checked apart (a local judge is an endpoint, a
    server's a catalog model resolved later): a stand-in id lets the shape be checked."""
    from benchstudio.tuning.schemas import ObjectiveIn

    judged = values["source"] == "judge"
    checked = _checked(ObjectiveIn, {**values, "judge_model_ref_id": "judge"} if judged else values)
    return {**checked, "judge_model_ref_id": None}


def strategy_spec(settings: dict[str, dict[str, Any]]) -> StrategySpec:
    from benchstudio.tuning.domain.strategies import StrategySpec

    return StrategySpec(**settings["strategy"])


def objective_spec(settings: dict[str, dict[str, Any]]) -> ObjectiveSpec:
    from benchstudio.tuning.domain.objective import ObjectiveSpec

    section = settings["objective"]
    return ObjectiveSpec(
        source=section["source"], metric=section["metric"], minimize=tuple(section["minimize"])
    )


def stopping_rules(settings: dict[str, dict[str, Any]]) -> StoppingRules:
    from benchstudio.tuning.domain.study_state import StoppingRules

    return StoppingRules(**settings["stopping"])


def study_budget(settings: dict[str, dict[str, Any]]) -> StudyBudget:
    from benchstudio.tuning.service.study_types import StudyBudget

    section = settings["budget"]
    return StudyBudget(
        max_trials=section["max_trials"],
        max_calls=section["max_calls"],
        max_cost_usd=section["max_cost_usd"],
        max_wall_s=section["max_wall_s"],
    )


def model_price(
    input_usd: float | None, output_usd: float | None, flag: str = "--price"
) -> ModelPrice | None:
    """`--price-input` / `--price-output` (USD per million tokens): both or neither (`flag`
    names another pair, e.g. `--judge-price`)."""
    from decimal import Decimal

    from benchstudio.providers.pricing import ModelPrice

    if input_usd is None and output_usd is None:
        return None
    if input_usd is None or output_usd is None:
        raise typer.BadParameter(
            f"give both {flag}-input and {flag}-output (USD per million tokens)",
            param_hint=f"{flag}-input/{flag}-output",
        )
    return ModelPrice(input=Decimal(str(input_usd)), output=Decimal(str(output_usd)))
