"""The study a tune job runs, rebuilt from its tuner run row and stored trials: the space
validated again through the registry (as at submit), the strategy, objective, stopping rules,
baselines and budgets (the user's, bounded by the job's own: the owner's request limit and
the spend the submit reserved)."""

from __future__ import annotations

from typing import Any

from benchstudio.jobs.domain import JobBudget
from benchstudio.tuning.domain.presets import preset_by_id
from benchstudio.tuning.domain.space import SearchSpace
from benchstudio.tuning.domain.strategies import StrategySpec
from benchstudio.tuning.domain.study_state import StoppingRules
from benchstudio.tuning.service.estimate import price_from_json
from benchstudio.tuning.service.job_trials import TrialTarget
from benchstudio.tuning.service.lifecycle import RunSetup
from benchstudio.tuning.service.results import objective_spec
from benchstudio.tuning.service.space_rules import check_space, provider_rules
from benchstudio.tuning.service.study_types import Baseline, StudyBudget, StudyPlan


def _lower(a: float | None, b: float | None) -> float | None:
    bounds = [x for x in (a, b) if x is not None]
    return min(bounds) if bounds else None


def _expected_cost(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _baselines(setup: RunSetup) -> list[Baseline]:
    baselines = [Baseline("baseline_default", "Provider defaults", {})]
    preset = preset_by_id(setup.vendor_preset_id) if setup.vendor_preset_id else None
    if preset is not None:
        label = f"Vendor preset: {preset.label}"
        baselines.append(Baseline("baseline_preset", label, dict(preset.recommended)))
    return baselines


def study_plan(setup: RunSetup, job_budget: JobBudget) -> tuple[StudyPlan, TrialTarget]:
    target = setup.target
    registry, model = str(target["registry_provider"]), str(target["model_id"])
    rules = provider_rules(registry, model)
    validated = check_space(SearchSpace.from_dict(setup.space), registry, model)
    base: dict[str, Any] = {
        **dict(target.get("parameter_set_params") or {}),
        **dict(target.get("params") or {}),
    }
    raw, stopping, budget = setup.strategy, setup.stopping, setup.budget
    max_calls = _lower(budget.get("max_calls"), job_budget.max_requests)
    wall = budget.get("max_wall_s")
    plan = StudyPlan(
        space=validated,
        rules=rules,
        base_params=base,
        strategy=StrategySpec(
            kind=raw.get("kind", "tpe"),
            seed=int(raw.get("seed", 0)),
            grid_sample=raw.get("grid_sample"),
            startup_trials=int(raw.get("startup_trials", 10)),
            reevaluate_duplicates=bool(raw.get("reevaluate_duplicates", False)),
        ),
        objective=objective_spec(setup.objective),
        stopping=StoppingRules(
            patience=stopping.get("patience"),
            min_delta=float(stopping.get("min_delta", 0.0)),
            prune=bool(stopping.get("prune", True)),
        ),
        budget=StudyBudget(
            max_trials=int(budget.get("max_trials", 20)),
            max_calls=None if max_calls is None else int(max_calls),
            max_cost_usd=_lower(budget.get("max_cost_usd"), job_budget.max_cost_usd),
            max_wall_s=None if wall is None else float(wall),
        ),
        concurrency=max(1, setup.concurrency),
        cases=int(setup.estimate["cases"]),
        repeats=validated.space.repeats,
        baselines=_baselines(setup),
        finished=list(setup.finished),
        seed=int(raw.get("seed", 0)),
        merged_points=setup.merged_points,
        active_before_s=setup.active_s,
        trial_cost_usd=_expected_cost(setup.estimate.get("cost_per_trial_usd")),
    )
    trial_target = TrialTarget(
        base_params=base,
        space=validated.space,
        metric=plan.objective.metric,
        price=price_from_json(target.get("price")),
        case_concurrency=int(target.get("case_concurrency") or 1),
        timeout_s=float(setup.estimate.get("timeout_s", 120.0)),
        cases=plan.cases,
        judge_model_ref_id=(
            str(setup.objective.get("judge_model_ref_id"))
            if setup.objective.get("source") == "judge"
            else None
        ),
        judge_case_cost_usd=float(setup.estimate.get("judge_case_cost_usd") or 0.0),
    )
    return plan, trial_target
