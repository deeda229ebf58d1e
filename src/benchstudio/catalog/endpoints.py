"""Per-user configuration routes: providers, models, prompt templates, model profiles, defaults.

Every object belongs to its owner: another user's id answers 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from benchstudio.catalog import service
from benchstudio.catalog.schemas import (
    DefaultsIn,
    DefaultsOut,
    DiscoveredModel,
    HealthOut,
    ModelCreate,
    ModelImport,
    ModelOut,
    ModelProfileIn,
    ModelProfileOut,
    ModelUpdate,
    PromptTemplateIn,
    PromptTemplateOut,
    ProviderCreate,
    ProviderKey,
    ProviderOut,
    ProviderUpdate,
)
from benchstudio.catalog.service import CatalogContext, VaultDep
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


@router.get("/prompt-templates", response_model=list[PromptTemplateOut])
async def list_templates(ctx: OwnerContext) -> list[PromptTemplateOut]:
    return await service.list_templates(ctx)


@router.post("/prompt-templates", response_model=PromptTemplateOut, status_code=201)
async def create_template(data: PromptTemplateIn, ctx: OwnerContext) -> PromptTemplateOut:
    return await service.save_template(ctx, data)


@router.get("/prompt-templates/{template_id}", response_model=PromptTemplateOut)
async def get_template(template_id: ObjectId, ctx: OwnerContext) -> PromptTemplateOut:
    return await service.get_template(ctx, template_id)


@router.put("/prompt-templates/{template_id}", response_model=PromptTemplateOut)
async def replace_template(
    template_id: ObjectId, data: PromptTemplateIn, ctx: OwnerContext
) -> PromptTemplateOut:
    return await service.save_template(ctx, data, template_id)


@router.delete("/prompt-templates/{template_id}", status_code=204)
async def delete_template(template_id: ObjectId, ctx: OwnerContext) -> Response:
    await service.delete_template(ctx, template_id)
    return Response(status_code=204)


@router.get("/model-profiles", response_model=list[ModelProfileOut])
async def list_profiles(ctx: OwnerContext) -> list[ModelProfileOut]:
    return await service.list_profiles(ctx)


@router.post("/model-profiles", response_model=ModelProfileOut, status_code=201)
async def create_profile(data: ModelProfileIn, ctx: OwnerContext) -> ModelProfileOut:
    return await service.save_profile(ctx, data)


@router.get("/model-profiles/{profile_id}", response_model=ModelProfileOut)
async def get_profile(profile_id: ObjectId, ctx: OwnerContext) -> ModelProfileOut:
    return await service.get_profile(ctx, profile_id)


@router.put("/model-profiles/{profile_id}", response_model=ModelProfileOut)
async def replace_profile(
    profile_id: ObjectId, data: ModelProfileIn, ctx: OwnerContext
) -> ModelProfileOut:
    return await service.save_profile(ctx, data, profile_id)


@router.delete("/model-profiles/{profile_id}", status_code=204)
async def delete_profile(profile_id: ObjectId, ctx: OwnerContext) -> Response:
    await service.delete_profile(ctx, profile_id)
    return Response(status_code=204)


@router.get("/defaults", response_model=DefaultsOut)
async def get_defaults(ctx: OwnerContext) -> DefaultsOut:
    return await service.get_defaults(ctx)


@router.put("/defaults", response_model=DefaultsOut)
async def set_defaults(data: DefaultsIn, ctx: OwnerContext) -> DefaultsOut:
    return await service.set_defaults(ctx, data)
