"""The space check before a run: the caller's provider and model resolved through the catalog
to the parameter registry's table, then the space validated against it (`space_rules`).

The model may be a catalog model's id, the provider's name for one of the caller's catalog
models, or any other id the provider serves (ad hoc), as eval targets allow.
"""

from __future__ import annotations

from benchstudio.catalog import service as catalog
from benchstudio.catalog.service import CatalogContext
from benchstudio.core.errors import NotFoundError
from benchstudio.evals.runs.schemas import EvalTargetIn
from benchstudio.tuning.schemas import ValidatedSpaceOut
from benchstudio.tuning.schemas.library import SpaceCheckIn
from benchstudio.tuning.service.space_rules import space_report


async def registry_target(ctx: CatalogContext, target: EvalTargetIn) -> tuple[str, str]:
    """(registry key, model name) of the caller's target; 404 for another user's provider or
    a catalog model of another provider."""
    provider = await catalog.get_provider(ctx, target.provider_id)
    key = catalog.registry_provider(provider.name, provider.base_url, provider.protocol)
    try:
        model = await catalog.get_model(ctx, target.model_id)
    except NotFoundError:
        listed = await catalog.list_models(ctx, provider_id=target.provider_id)
        named = next((m for m in listed if m.model_id == target.model_id), None)
        return key, named.model_id if named else target.model_id
    if model.provider_id != target.provider_id:
        raise NotFoundError("No such model for this provider.")
    return key, model.model_id


async def check_space(ctx: CatalogContext, data: SpaceCheckIn) -> ValidatedSpaceOut:
    """The space as it would run for the target: every adjustment and the grid size (422
    `invalid_search_space` when it cannot run there)."""
    key, model = await registry_target(ctx, data.target)
    return space_report(data.space.to_domain(), key, model)
