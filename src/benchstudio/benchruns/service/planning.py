"""From a submitted benchmark to a runnable plan: the owner's providers and models resolved,
parameters run through the provider registry, prompts sized and the cost estimated."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from benchstudio.benchruns.schemas import (
    Adjustment,
    BenchmarkCreate,
    BenchmarkPreview,
    TargetIn,
    TargetPreview,
)
from benchstudio.catalog import service as catalog
from benchstudio.catalog.schemas import AppliedParameterSet, ModelOut, ProviderOut
from benchstudio.catalog.service import CatalogContext
from benchstudio.core.errors import AppError, ConflictError
from benchstudio.prompts import service as prompts
from benchstudio.prompts.schemas import PromptVersionOut
from benchstudio.providers.params import REQUEST_FIELDS, EffectiveParams, resolve_params
from benchstudio.speed.config import BenchConfig, Prices, TargetConfig
from benchstudio.speed.output import Estimate, estimate_run
from benchstudio.speed.prompts import DEFAULT_PROMPT, tier_skip_reason


@dataclass(frozen=True)
class RequestOverride:
    """Per-target temperature and max_tokens after the registry (the rest goes in `params`)."""

    temperature: float | None
    max_tokens: int | None


@dataclass
class PlannedTarget:
    key: str
    provider: ProviderOut
    model_ref_id: str | None
    model_id: str
    model_display: str
    context_window: int | None
    prices: Prices | None
    registry_provider: str
    effective: EffectiveParams
    override: RequestOverride
    parameter_set: AppliedParameterSet | None = None


@dataclass
class Plan:
    config: BenchConfig
    targets: list[PlannedTarget]
    estimates: list[Estimate] = field(default_factory=list)
    # The prompt-library version the user prompt came from, if any.
    template: PromptVersionOut | None = None

    @property
    def planned_requests(self) -> int:
        return sum(e.requests for e in self.estimates)

    @property
    def unpriced_models(self) -> list[str]:
        """Targets that send requests but have no price (the built-in simulator costs nothing)."""
        return [
            t.model_display
            for t, e in zip(self.targets, self.estimates, strict=True)
            if e.cost_usd is None and e.requests > 0 and not t.provider.is_demo
        ]

    @property
    def cost_bound_usd(self) -> float | None:
        """What the spend cap checks: the estimate with the simulator at no cost (None while
        some other target has no price)."""
        if self.unpriced_models:
            return None
        return float(sum(e.cost_usd or 0.0 for e in self.estimates))

    @property
    def estimated_cost_usd(self) -> float | None:
        costs = [e.cost_usd for e in self.estimates]
        return None if any(c is None for c in costs) else float(sum(c or 0.0 for c in costs))


def registry_provider_for(provider: ProviderOut) -> str:
    """Which parameter table applies (the catalog decides, for parameter sets alike)."""
    return catalog.registry_provider(provider.name, provider.base_url, provider.protocol)


def _prices(model: ModelOut | None) -> Prices | None:
    if model is None or model.input_price is None or model.output_price is None:
        return None
    return Prices(
        input=float(model.input_price),
        output=float(model.output_price),
        cached_input=None if model.cached_input_price is None else float(model.cached_input_price),
        reasoning=None if model.reasoning_price is None else float(model.reasoning_price),
    )


async def _catalog_model(ctx: CatalogContext, owner_id: str, target: TargetIn) -> ModelOut | None:
    """The catalog entry for a target: by the provider's model id, else by row id."""
    models = await catalog.list_models(ctx.for_tenant(owner_id), provider_id=target.provider_id)
    for model in models:
        if model.model_id == target.model_id:
            return model
    for model in models:
        if model.id == target.model_id:
            return model
    return None


def _explicit(data: BenchmarkCreate) -> dict[str, Any]:
    """The parameters the benchmark states itself. max_tokens has a schema default: it counts
    as explicit only when the request gave it (a parameter set's max_tokens beats a default)."""
    explicit: dict[str, Any] = dict(data.params)
    explicit.setdefault("temperature", data.temperature)
    if "max_tokens" in data.model_fields_set:
        explicit.setdefault("max_tokens", data.max_tokens)
    return explicit


def _effective(
    registry_provider: str, model_id: str, data: BenchmarkCreate, requested: dict[str, Any]
) -> tuple[EffectiveParams, RequestOverride]:
    requested = dict(requested)
    requested.setdefault("temperature", data.temperature)
    requested.setdefault("max_tokens", data.max_tokens)
    effective = resolve_params(registry_provider, model_id, requested)
    wire = dict(effective.params)
    override = RequestOverride(wire.get("temperature"), wire.get("max_tokens"))
    return effective, override


async def _requested(
    ctx: CatalogContext,
    owner_id: str,
    data: BenchmarkCreate,
    target: TargetIn,
    model: ModelOut | None,
) -> tuple[dict[str, Any], AppliedParameterSet | None]:
    """The target's requested parameters: the benchmark's own over its parameter set, if any
    (a shared resolution: eval, tuner and schedule targets use the same catalog function);
    parameters the catalog model skips left out."""
    explicit = _explicit(data)
    applied: AppliedParameterSet | None = None
    if target.parameter_set_id is not None:
        applied, explicit = await catalog.resolve_parameter_set(
            ctx.for_tenant(owner_id),
            target.parameter_set_id,
            model_ref_id=model.id if model else None,
            explicit=explicit,
        )
    skipped = set(model.skipped_params) if model else set()
    return {k: v for k, v in explicit.items() if k not in skipped and v is not None}, applied


async def resolve_targets(
    ctx: CatalogContext, owner_id: str, data: BenchmarkCreate
) -> list[PlannedTarget]:
    planned: list[PlannedTarget] = []
    for target in data.targets:
        provider = await catalog.get_provider(ctx.for_tenant(owner_id), target.provider_id)
        if provider.archived:
            raise ConflictError(f"Provider {provider.name!r} is archived.", code="archived")
        model = await _catalog_model(ctx, owner_id, target)
        model_id = model.model_id if model else target.model_id
        display = model.display_name if model else model_id
        registry_provider = registry_provider_for(provider)
        requested, applied = await _requested(ctx, owner_id, data, target, model)
        effective, override = _effective(registry_provider, model_id, data, requested)
        planned.append(
            PlannedTarget(
                key=f"{display} ({provider.name})"[:200],
                provider=provider,
                model_ref_id=model.id if model else None,
                model_id=model_id,
                model_display=display,
                context_window=model.context_window if model else None,
                prices=_prices(model),
                registry_provider=registry_provider,
                effective=effective,
                override=override,
                parameter_set=applied,
            )
        )
    return planned


def _target_config(target: PlannedTarget) -> TargetConfig:
    # A benchmark sends no tools, so a tool choice (a request field) has nothing to choose.
    skipped = ("max_tokens", *REQUEST_FIELDS)
    params = {k: v for k, v in target.effective.params.items() if k not in skipped}
    return TargetConfig(
        name=target.key,
        base_url=target.provider.base_url,
        model=target.model_id,
        protocol=target.provider.protocol,
        context_window=target.context_window,
        prices=target.prices,
        params=params,
    )


def _mode_fields(data: BenchmarkCreate) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if data.mode == "concurrency":
        fields["concurrency"] = data.concurrency or 1
    elif data.mode == "rate":
        fields["request_rate"] = data.request_rate
    elif data.mode == "sweep_concurrency":
        fields["sweep_concurrency"] = [max(1, int(p)) for p in data.sweep]
    elif data.mode == "sweep_rate":
        fields["sweep_rate"] = [float(p) for p in data.sweep]
    return fields


def build_config(
    data: BenchmarkCreate, targets: list[PlannedTarget], prompt: str, run_key: str
) -> BenchConfig:
    """The BenchConfig as run. Target params hold every effective parameter (temperature
    included), as a CLI run of the same file would send them."""
    return BenchConfig(
        targets=[_target_config(t) for t in targets],
        prompt=prompt,
        max_tokens=data.max_tokens,
        temperature=None,
        runs=data.runs,
        warmup=data.warmup,
        context_tokens=data.context_tokens,
        corpus=data.corpus,
        cache_probe=data.cache_probe,
        arrival=data.arrival,
        burstiness=data.burstiness,
        num_requests=data.num_requests,
        duration_s=data.duration_s,
        slo=data.slo,
        timeout_s=data.timeout_s,
        max_cost=data.max_cost,
        parallel_models=data.parallel_models,
        cold=data.cold,
        run_id=run_key,
        **_mode_fields(data),
    )


def child_config(config: BenchConfig) -> BenchConfig:
    """The config the measuring child runs: temperature travels as a request override, so it
    leaves the extra body parameters (the adapters place it per protocol)."""
    targets = [
        t.model_copy(update={"params": {k: v for k, v in t.params.items() if k != "temperature"}})
        for t in config.targets
    ]
    return config.model_copy(update={"targets": targets})


async def resolve_prompt(
    ctx: CatalogContext, owner_id: str, data: BenchmarkCreate
) -> tuple[str, PromptVersionOut | None]:
    """The user prompt to send, and the library version it came from (for the used-by list).
    A template id is a benchmark entry of the prompt library, at its latest version."""
    if data.prompt_template_id is not None:
        template = await prompts.resolve_prompt(ctx.for_tenant(owner_id), data.prompt_template_id)
        if template.kind != "benchmark":
            raise AppError(
                "That prompt is not a benchmark prompt (it has no user prompt to send).",
                code="not_a_benchmark_prompt",
                status_code=422,
            )
        if not template.user_prompt.strip():
            raise AppError("The prompt template has no user prompt.", code="empty_prompt")
        return template.user_prompt, template
    # Only an absent prompt takes the documented default; the schema refuses an empty one.
    return (DEFAULT_PROMPT if data.prompt is None else data.prompt), None


def check_tiers_fit(data: BenchmarkCreate, targets: list[PlannedTarget]) -> None:
    """Refuse a tier that no target could run: with every window known, one beyond the largest.
    (A tier beyond some windows only is skipped for those targets; unknown windows leave the
    absolute bound of the schema.)"""
    windows = [t.context_window for t in targets]
    if not windows or any(w is None for w in windows):
        return
    largest = max(w for w in windows if w is not None)
    output = data.max_tokens or 0
    for tier in data.context_tokens:
        if tier + output > largest:
            raise AppError(
                f"Context tier {tier:,} tokens plus {output:,} output tokens exceeds the largest "
                f"context window of the targets ({largest:,} tokens): no target could run it.",
                code="context_tier_too_large",
                status_code=422,
            )


async def plan_benchmark(
    ctx: CatalogContext, owner_id: str, data: BenchmarkCreate, run_key: str
) -> Plan:
    targets = await resolve_targets(ctx, owner_id, data)
    check_tiers_fit(data, targets)
    prompt, template = await resolve_prompt(ctx, owner_id, data)
    try:
        config = build_config(data, targets, prompt, run_key)
    except ValueError as exc:
        raise AppError(f"Invalid benchmark: {exc}", code="invalid_benchmark") from None
    # Sizing prompts runs the tokenizer: off the event loop. Output at each target's own cap.
    caps = {t.key: t.override.max_tokens for t in targets}
    estimates = await asyncio.to_thread(estimate_run, config, caps)
    return Plan(config, targets, estimates, template=template)


def preview_of(
    plan: Plan,
    *,
    month_spent_usd: float,
    spend_cap_usd: float | None,
    max_runs: int | None,
) -> BenchmarkPreview:
    items = []
    for target, estimate in zip(plan.targets, plan.estimates, strict=True):
        skipped = {
            str(tier): reason
            for tier in plan.config.context_tokens
            if (reason := tier_skip_reason(tier, plan.config.max_tokens, target.context_window))
        }
        items.append(
            TargetPreview(
                target=target.key,
                provider_id=target.provider.id,
                provider_name=target.provider.name,
                model_id=target.model_id,
                model_display=target.model_display,
                protocol=target.provider.protocol,
                effective_params=target.effective.params,
                adjustments=[
                    Adjustment(
                        param=a.param,
                        action=a.action,
                        reason=a.reason,
                        original=a.original,
                        value=a.value,
                    )
                    for a in target.effective.adjustments
                ],
                parameter_set=target.parameter_set,
                requests=estimate.requests,
                input_tokens=estimate.input_tokens,
                output_tokens=estimate.output_tokens,
                cost_usd=None if estimate.cost_usd is None else round(estimate.cost_usd, 8),
                skipped_tiers=skipped,
            )
        )
    cost = plan.estimated_cost_usd
    return BenchmarkPreview(
        targets=items,
        requests=plan.planned_requests,
        input_tokens=sum(e.input_tokens for e in plan.estimates),
        output_tokens=sum(e.output_tokens for e in plan.estimates),
        cost_usd=None if cost is None else round(cost, 8),
        month_spent_usd=round(month_spent_usd, 8),
        monthly_spend_cap_usd=spend_cap_usd,
        max_runs_per_benchmark=max_runs,
    )
