"""Per-user configuration routes: providers, models, parameter sets, defaults
(prompt templates moved to the prompt library: `prompts.endpoints`).

Every object belongs to its owner: another user's id answers 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.exceptions import RequestValidationError

from benchstudio.catalog import service
from benchstudio.catalog.schemas import (
    DefaultsIn,
    DefaultsOut,
    DiscoveredModel,
    HealthOut,
    ModelCreate,
    ModelImport,
    ModelOut,
    ModelUpdate,
    ParameterSetIn,
    ParameterSetOut,
    ParameterSpecOut,
    ProviderCreate,
    ProviderKey,
    ProviderOut,
    ProviderUpdate,
)
from benchstudio.catalog.service import CatalogContext, InvalidParameterError, VaultDep
from benchstudio.core.input_types import ObjectId
from benchstudio.http.dependencies import DatabaseDep, SettingsDep
from benchstudio.http.principal import CurrentUser
from benchstudio.http.service_context import OwnerContext

router = APIRouter(tags=["catalog"])


async def catalog_context(
    db: DatabaseDep, vault: VaultDep, settings: SettingsDep, user: CurrentUser
) -> CatalogContext:
    return CatalogContext.from_settings(db, vault, settings, owner_id=user.user_id)


Ctx = Annotated[CatalogContext, Depends(catalog_context)]
IncludeArchived = Annotated[bool, Query(description="Also list archived rows.")]


@router.get("/providers", response_model=list[ProviderOut])
async def list_providers(ctx: Ctx, include_archived: IncludeArchived = False) -> list[ProviderOut]:
    return await service.list_providers(ctx, include_archived=include_archived)


@router.post("/providers", response_model=ProviderOut, status_code=201)
async def create_provider(data: ProviderCreate, ctx: Ctx) -> ProviderOut:
    return await service.create_provider(ctx, data)


@router.get("/providers/{provider_id}", response_model=ProviderOut)
async def get_provider(provider_id: ObjectId, ctx: Ctx) -> ProviderOut:
    return await service.get_provider(ctx, provider_id)


@router.patch("/providers/{provider_id}", response_model=ProviderOut)
async def update_provider(
    provider_id: ObjectId, data: ProviderUpdate, user: CurrentUser, ctx: Ctx
) -> ProviderOut:
    """A `base_url` on a new host needs the stored key (and extra headers) sent again in the
    same request (422 `secrets_required_for_new_host`); API tokens cannot change it (403)."""
    may_move = user.via == "session"
    return await service.update_provider(ctx, provider_id, data, may_move=may_move)


@router.delete("/providers/{provider_id}", status_code=204)
async def archive_provider(provider_id: ObjectId, ctx: Ctx) -> Response:
    """Archive (never delete): its models are archived too and its key is erased."""
    await service.archive_provider(ctx, provider_id)
    return Response(status_code=204)


@router.put("/providers/{provider_id}/key", response_model=ProviderOut)
async def set_provider_key(provider_id: ObjectId, data: ProviderKey, ctx: Ctx) -> ProviderOut:
    """Store the API key encrypted; it can never be read back, only its last four characters."""
    return await service.set_provider_key(ctx, provider_id, data.api_key.get_secret_value())


@router.delete("/providers/{provider_id}/key", response_model=ProviderOut)
async def remove_provider_key(provider_id: ObjectId, ctx: Ctx) -> ProviderOut:
    return await service.set_provider_key(ctx, provider_id, None)


@router.post("/providers/{provider_id}/health", response_model=HealthOut)
async def check_provider_health(provider_id: ObjectId, ctx: Ctx) -> HealthOut:
    """List the provider's models (token-free) to check reachability and the key."""
    return await service.check_health(ctx, provider_id)


@router.get("/providers/{provider_id}/available-models", response_model=list[DiscoveredModel])
async def discover_models(provider_id: ObjectId, ctx: Ctx) -> list[DiscoveredModel]:
    return await service.discover_models(ctx, provider_id)


@router.post(
    "/providers/{provider_id}/import-models", response_model=list[ModelOut], status_code=201
)
async def import_models(provider_id: ObjectId, data: ModelImport, ctx: Ctx) -> list[ModelOut]:
    return await service.import_models(ctx, provider_id, data.model_ids)


@router.get("/models", response_model=list[ModelOut])
async def list_models(
    ctx: Ctx,
    provider_id: Annotated[ObjectId | None, Query()] = None,
    include_archived: IncludeArchived = False,
) -> list[ModelOut]:
    return await service.list_models(
        ctx, provider_id=provider_id, include_archived=include_archived
    )


@router.post("/models", response_model=ModelOut, status_code=201)
async def create_model(data: ModelCreate, ctx: Ctx) -> ModelOut:
    return await service.create_model(ctx, data)


@router.get("/models/{model_ref_id}", response_model=ModelOut)
async def get_model(model_ref_id: ObjectId, ctx: Ctx) -> ModelOut:
    return await service.get_model(ctx, model_ref_id)


@router.patch("/models/{model_ref_id}", response_model=ModelOut)
async def update_model(model_ref_id: ObjectId, data: ModelUpdate, ctx: Ctx) -> ModelOut:
    """Renaming (model id or display name) archives this model and returns its successor."""
    return await service.update_model(ctx, model_ref_id, data)


@router.delete("/models/{model_ref_id}", status_code=204)
async def archive_model(model_ref_id: ObjectId, ctx: Ctx) -> Response:
    await service.archive_model(ctx, model_ref_id)
    return Response(status_code=204)


def _invalid_parameter(error: InvalidParameterError) -> RequestValidationError:
    """The registry's refusal as a validation error at the field (`params.top_p`)."""
    detail = {"loc": ("body", "params", error.param), "msg": error.reason, "type": "invalid_param"}
    return RequestValidationError([detail])


async def _save_set(
    ctx: OwnerContext, data: ParameterSetIn, set_id: str | None = None
) -> ParameterSetOut:
    try:
        return await service.save_parameter_set(ctx, data, set_id)
    except InvalidParameterError as error:
        raise _invalid_parameter(error) from None


def _set_routes(prefix: str, *, deprecated: bool) -> APIRouter:
    """The parameter-set routes under `prefix`. `/model-profiles` (their name before the
    rename) stays as a deprecated alias that behaves identically, hidden from the schema."""
    sets = APIRouter(deprecated=deprecated, include_in_schema=not deprecated)

    @sets.get(prefix, response_model=list[ParameterSetOut])
    async def list_parameter_sets(ctx: OwnerContext) -> list[ParameterSetOut]:
        return await service.list_parameter_sets(ctx)

    @sets.post(prefix, response_model=ParameterSetOut, status_code=201)
    async def create_parameter_set(data: ParameterSetIn, ctx: OwnerContext) -> ParameterSetOut:
        return await _save_set(ctx, data)

    @sets.get(prefix + "/{parameter_set_id}", response_model=ParameterSetOut)
    async def get_parameter_set(parameter_set_id: ObjectId, ctx: OwnerContext) -> ParameterSetOut:
        return await service.get_parameter_set(ctx, parameter_set_id)

    @sets.put(prefix + "/{parameter_set_id}", response_model=ParameterSetOut)
    async def replace_parameter_set(
        parameter_set_id: ObjectId, data: ParameterSetIn, ctx: OwnerContext
    ) -> ParameterSetOut:
        return await _save_set(ctx, data, parameter_set_id)

    @sets.delete(prefix + "/{parameter_set_id}", status_code=204)
    async def delete_parameter_set(parameter_set_id: ObjectId, ctx: OwnerContext) -> Response:
        await service.delete_parameter_set(ctx, parameter_set_id)
        return Response(status_code=204)

    return sets


@router.get("/parameter-specs", response_model=list[ParameterSpecOut])
async def parameter_specs(
    ctx: OwnerContext, model_ref_id: Annotated[str | None, Query(max_length=32)] = None
) -> list[ParameterSpecOut]:
    """The registry's parameters (type, range, choices) for a model's provider, or every known
    parameter when no model is given: the parameter-set editor builds its controls from them."""
    return await service.parameter_specs_for(ctx, model_ref_id)


router.include_router(_set_routes("/parameter-sets", deprecated=False))
router.include_router(_set_routes("/model-profiles", deprecated=True))


@router.get("/defaults", response_model=DefaultsOut)
async def get_defaults(ctx: OwnerContext) -> DefaultsOut:
    return await service.get_defaults(ctx)


@router.put("/defaults", response_model=DefaultsOut)
async def set_defaults(data: DefaultsIn, ctx: OwnerContext) -> DefaultsOut:
    return await service.set_defaults(ctx, data)
