"""Eval targets: (provider id, model id) pairs resolved for the owner against the catalog; a
model id the catalog does not list is used as given (ad hoc), as in benchmarks.

At submit time each pair becomes a `TargetInfo` stored with the run (identity and display
names as run). When the job runs, each becomes a runner `EvalTarget` without any key: the
adapter, opened through the catalog and the vault, holds the key.
"""

from __future__ import annotations

from typing import Any

from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.schemas import AppliedParameterSet, ModelOut, ProviderOut
from benchstudio.catalog.service import CatalogContext
from benchstudio.core.errors import AppError, ConflictError, NotFoundError
from benchstudio.evals.runs.domain.rules import unique_labels
from benchstudio.evals.runs.schemas import EvalCreate, EvalTargetIn, TargetInfo
from benchstudio.evals.service import EvalContext
from benchstudio.toolcall.live.conversation import parse_tool_choice
from benchstudio.toolcall.live.records import EvalTarget, TargetPlan
from benchstudio.toolcall.live.runner import plan_targets


async def _model(ctx: CatalogContext, owner_id: str, target: EvalTargetIn) -> ModelOut | None:
    """By catalog id; failing that, by the provider's model name among active models.

    None: a model id the catalog does not list (ad hoc), sent to the provider as given, as
    benchmarks do."""
    try:
        model = await catalog_service.get_model(ctx.for_tenant(owner_id), target.model_id)
    except NotFoundError:
        candidates = await catalog_service.list_models(
            ctx.for_tenant(owner_id), provider_id=target.provider_id
        )
        named = [m for m in candidates if m.model_id == target.model_id]
        if not named:
            return None
        model = named[0]
    if model.provider_id != target.provider_id:
        raise NotFoundError("No such model for this provider.")
    if model.archived_at is not None:
        raise ConflictError(f"The model {model.display_name!r} is archived.", code="archived")
    return model


def _explicit(data: EvalCreate, target: EvalTargetIn) -> dict[str, Any]:
    """What the run and the target state themselves; these win over a parameter set."""
    return {
        "temperature": data.temperature,
        "max_tokens": data.max_tokens,
        **data.params,
        **target.params,
    }


async def _parameter_set(
    ctx: CatalogContext,
    owner_id: str,
    data: EvalCreate,
    target: EvalTargetIn,
    model_ref: str | None,
) -> AppliedParameterSet | None:
    """The target's parameter set resolved as benchmarks resolve theirs (catalog service)."""
    if target.parameter_set_id is None:
        return None
    applied, _ = await catalog_service.resolve_parameter_set(
        ctx.for_tenant(owner_id),
        target.parameter_set_id,
        model_ref_id=model_ref,
        explicit=_explicit(data, target),
    )
    return applied


def _info(
    label: str,
    target: EvalTargetIn,
    provider: ProviderOut,
    model: ModelOut | None,
    applied: AppliedParameterSet | None,
) -> TargetInfo:
    return TargetInfo(
        label=label,
        provider_id=target.provider_id,
        provider_name=provider.name,
        protocol=provider.protocol,
        model_ref_id=model.id if model else None,
        model_id=model.model_id if model else target.model_id,
        display_name=model.display_name if model else target.model_id,
        ad_hoc=model is None,
        parameter_set_id=applied.parameter_set_id if applied else None,
        parameter_set_name=applied.parameter_set_name if applied else None,
        parameter_set_params=applied.applied_params if applied else None,
    )


async def resolve_targets(ctx: EvalContext, data: EvalCreate) -> list[tuple[TargetInfo, str]]:
    """Check each pair belongs to the caller and is active; label them uniquely.

    Returns each target with its provider's current base URL (not stored: the demo
    simulator's address is the server's to set)."""
    catalog, owner_id = ctx.catalog, ctx.require_owner()
    found: list[tuple[EvalTargetIn, ProviderOut, ModelOut | None, AppliedParameterSet | None]] = []
    for target in data.targets:
        provider = await catalog_service.get_provider(
            catalog.for_tenant(owner_id), target.provider_id
        )
        if provider.archived:
            raise ConflictError(f"The provider {provider.name!r} is archived.", code="archived")
        model = await _model(catalog, owner_id, target)
        applied = await _parameter_set(catalog, owner_id, data, target, model.id if model else None)
        found.append((target, provider, model, applied))
    labels = unique_labels(
        [t.label or (m.display_name if m else t.model_id) for t, _, m, _ in found]
    )
    return [
        (_info(label, target, provider, model, applied), provider.base_url)
        for label, (target, provider, model, applied) in zip(labels, found, strict=True)
    ]


def runner_target(
    info: dict[str, Any], settings: dict[str, Any], base_url: str, overrides: dict[str, Any]
) -> EvalTarget:
    """The runner's view of a stored target (no key: the adapter holds it). The parameter
    set's applied values sit under the run's and the target's own (they were computed so)."""
    system_prompt = overrides.get("system_prompt")
    if system_prompt is None:
        system_prompt = settings.get("system_prompt")
    from_set = dict(info.get("parameter_set_params") or {})
    temperature = settings.get("temperature")
    if temperature is None:
        temperature = from_set.get("temperature")
    max_tokens = settings.get("max_tokens")
    if max_tokens is None:
        max_tokens = from_set.get("max_tokens")
    from_set = {k: v for k, v in from_set.items() if k not in ("temperature", "max_tokens")}
    return EvalTarget(
        label=info["label"],
        model=info["model_id"],
        base_url=base_url,
        protocol=info["protocol"],
        provider=info["protocol"],
        concurrency=settings.get("concurrency"),
        temperature=temperature,
        max_tokens=max_tokens,
        tool_choice=parse_tool_choice(settings.get("tool_choice")),
        system_prompt=system_prompt,
        params={**from_set, **settings.get("params", {}), **overrides.get("params", {})},
        timeout_s=float(settings.get("timeout_s", 120.0)),
    )


def preview_plans(targets: list[EvalTarget]) -> list[TargetPlan]:
    """Concurrency and the parameter registry's adjustments, resolved before any request."""
    try:
        return plan_targets(targets)
    except ValueError as error:
        raise AppError(str(error), code="invalid_targets", status_code=422) from None
