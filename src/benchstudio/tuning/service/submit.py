"""Submitting a tuner run: check the suite, the target, the search space (through the provider
parameter registry), the baselines and the budgets; estimate it; then write the run and its
`tune` job in one unit of work (a refused submit leaves no run behind)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.catalog import service as catalog_service
from benchstudio.core.ids import new_id
from benchstudio.evals.runs.schemas import EvalCreate
from benchstudio.evals.runs.service.experiment_check import check_experiment
from benchstudio.evals.runs.service.targets import preview_plans, resolve_targets, runner_target
from benchstudio.evals.suites.domain import SuiteSnapshot
from benchstudio.evals.suites.service import crud as suites
from benchstudio.providers.pricing import ModelPrice
from benchstudio.toolcall.live.runner import suite_uses_semantic
from benchstudio.tuning.domain.presets import preset_by_id
from benchstudio.tuning.models import TunerRun
from benchstudio.tuning.schemas.runs import (
    BaselineOut,
    TunerEstimateOut,
    TunerRunCreate,
    TunerRunOut,
    TunerSubmitted,
)
from benchstudio.tuning.service.context import TuningContext
from benchstudio.tuning.service.estimate import EstimateInputs, estimate, price_to_json, refuse
from benchstudio.tuning.service.judge_estimate import JudgeFigures, judge_figures
from benchstudio.tuning.service.space_rules import space_report

TUNE_JOB_TYPE = "tune"
# The job's time limit: a day, or the wall-clock budget plus the trials in flight finishing.
DEFAULT_TIMEOUT_S = 24 * 3600.0
WALL_MARGIN_S = 3600.0


@dataclass(frozen=True, slots=True)
class Prepared:
    snapshot: SuiteSnapshot
    target: dict[str, Any]  # stored with the run (TargetInfo, overrides, registry, price)
    is_demo: bool
    estimate: TunerEstimateOut
    judge_case_cost_usd: float = 0.0  # the most judging one case costs (case admission)


async def _price(ctx: TuningContext, info: dict[str, Any], is_demo: bool) -> ModelPrice | None:
    """The catalog price of the target (demo: free); an ad hoc model id has none."""
    catalog = ctx.catalog.for_tenant(ctx.require_owner())
    provider = await catalog_service.get_provider(catalog, info["provider_id"])
    if info.get("model_ref_id") is None:
        return ModelPrice(input=Decimal(0), output=Decimal(0)) if is_demo else None
    model = await catalog_service.get_model(catalog, info["model_ref_id"])
    return catalog_service.model_price(model, provider)


def _baselines(data: TunerRunCreate, model_id: str) -> list[BaselineOut]:
    baselines = [BaselineOut(kind="baseline_default", label="Provider defaults", point={})]
    if data.vendor_preset_id is None:
        return baselines
    preset = preset_by_id(data.vendor_preset_id)
    if preset is None:
        raise refuse(f"unknown vendor preset {data.vendor_preset_id!r}")
    label = f"Vendor preset: {preset.label}"
    baselines.append(BaselineOut(kind="baseline_preset", label=label, point=preset.recommended))
    return baselines


async def prepare(ctx: TuningContext, data: TunerRunCreate) -> Prepared:
    """Everything a run needs, checked (422 for what cannot run, 404 for others' objects)."""
    owner_id = ctx.require_owner()
    snapshot = await suites.load_snapshot(ctx, data.suite_id, data.suite_version)
    if not snapshot.suite.cases:
        raise refuse("The suite has no cases.")
    if suite_uses_semantic(snapshot.suite):
        raise refuse("The suite compares arguments semantically; the tuner cannot run it yet.")
    if data.objective.source == "judge":  # the judge model must be the caller's (404)
        judge = await catalog_service.get_model(
            ctx.catalog.for_tenant(owner_id), str(data.objective.judge_model_ref_id)
        )
        if judge.archived_at is not None:
            raise refuse(f"The judge model {judge.display_name!r} is archived.")
    if data.experiment_id is not None:
        await check_experiment(ctx, data.experiment_id)
    create = EvalCreate(
        suite_id=data.suite_id,
        targets=[data.target],
        profile=data.profile,
        timeout_s=data.timeout_s,
    )
    ((info, base_url),) = await resolve_targets(ctx.evals(), create)
    provider = await catalog_service.get_provider(
        ctx.catalog.for_tenant(owner_id), info.provider_id
    )
    registry = catalog_service.registry_provider(provider.name, base_url, provider.protocol)
    report = space_report(data.space.to_domain(), registry, info.model_id)
    baselines = _baselines(data, info.model_id)
    stored = info.model_dump()
    price = await _price(ctx, stored, provider.is_demo)
    (plan,) = preview_plans([runner_target(stored, {}, base_url, {})])
    endpoint = plan.concurrency
    # Trials x each trial's case concurrency stay within the endpoint's limit.
    trials_at_once = min(data.concurrency or endpoint, endpoint)
    output_cap = data.target.params.get("max_tokens")
    cap = output_cap if isinstance(output_cap, int) else None
    judged: JudgeFigures | None = None
    if data.objective.source == "judge":
        judged = await judge_figures(
            ctx, str(data.objective.judge_model_ref_id), snapshot.suite, cap
        )
    figures = estimate(
        EstimateInputs(
            data=data,
            suite=snapshot.suite,
            report=report,
            baselines=baselines,
            price=price,
            output_cap=cap,
            concurrency=trials_at_once,
            judged=judged is not None,
            judge_case_costs=None if judged is None else judged.case_costs,
        )
    )
    if data.vendor_preset_id is not None:
        preset = preset_by_id(data.vendor_preset_id)
        if preset is not None and not preset.applies(info.model_id):
            figures.warnings.append(
                f"The vendor preset {preset.label!r} is meant for other models than "
                f"{info.model_id!r}: its point runs as a baseline anyway."
            )
    target = {
        **stored,
        "system_prompt": data.target.system_prompt,
        "params": dict(data.target.params),
        "registry_provider": registry,
        "price": price_to_json(price),
        "endpoint_concurrency": endpoint,
        "case_concurrency": max(1, endpoint // trials_at_once),
    }
    most = 0.0 if judged is None else judged.most_per_case
    return Prepared(snapshot, target, provider.is_demo, figures, most)


async def estimate_run(ctx: TuningContext, data: TunerRunCreate) -> TunerEstimateOut:
    return (await prepare(ctx, data)).estimate


def _name(data: TunerRunCreate, prepared: Prepared) -> str:
    if data.name:
        return data.name
    return f"{prepared.target['display_name']} on {prepared.snapshot.suite.name}"[:200]


async def submit_run(ctx: TuningContext, data: TunerRunCreate) -> TunerSubmitted:
    owner_id = ctx.require_owner()
    prepared = await prepare(ctx, data)
    figures = prepared.estimate
    run_id = new_id()
    out: TunerRunOut | None = None

    async def write_run(session: AsyncSession, job_id: str) -> None:
        nonlocal out
        snapshot = prepared.snapshot
        run = TunerRun(
            id=run_id,
            owner_id=owner_id,
            job_id=job_id,
            name=_name(data, prepared),
            status="queued",
            suite_id=snapshot.suite_id,
            suite_version_id=snapshot.version_id,
            suite_name=snapshot.suite.name,
            suite_version=snapshot.version,
            profile=data.profile.value,
            target=prepared.target,
            space=data.space.model_dump(mode="json"),
            validated_space=figures.space.model_dump(mode="json"),
            strategy=data.strategy.model_dump(mode="json"),
            objective=data.objective.model_dump(mode="json"),
            stopping=data.stopping.model_dump(mode="json"),
            budget=data.budget.model_dump(mode="json"),
            vendor_preset_id=data.vendor_preset_id,
            concurrency=figures.concurrency,
            estimate={
                **figures.model_dump(mode="json", exclude={"space"}),
                "timeout_s": data.timeout_s,
                "judge_case_cost_usd": prepared.judge_case_cost_usd,
            },
            experiment_id=data.experiment_id,
        )
        session.add(run)
        await session.flush()
        out = TunerRunOut.model_validate(run)

    params = {
        "run_id": run_id,
        "planned_requests": figures.max_calls,
        "planned_cost_usd": figures.max_cost_usd,
        "unpriced_models": []
        if figures.cost_per_trial_usd is not None
        else [prepared.target["display_name"]],
    }
    wall = data.budget.max_wall_s
    timeout = None if wall is None else max(float(wall) + WALL_MARGIN_S, DEFAULT_TIMEOUT_S)
    job = await ctx.jobs.submit(owner_id, TUNE_JOB_TYPE, params, timeout_s=timeout, write=write_run)
    assert out is not None
    return TunerSubmitted(run=out, job_id=job.id)
