"""Tuner library routes: check a search space against a model, the built-in vendor presets,
the caller's saved space presets, and "apply best" on a finished tuner run.

Presets and runs belong to their owner: another user's id answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from benchstudio.catalog.service import CatalogContext, VaultDep
from benchstudio.core.input_types import ObjectId
from benchstudio.http.dependencies import SettingsDep
from benchstudio.http.service_context import OwnerContext
from benchstudio.tuning.domain.presets import BUILTIN_PRESETS, presets_for
from benchstudio.tuning.schemas import (
    ApplyBestIn,
    ApplyBestOut,
    SpacePresetIn,
    SpacePresetOut,
    SpacePresetUpdate,
    ValidatedSpaceOut,
    VendorPresetOut,
)
from benchstudio.tuning.schemas.library import SpaceCheckIn
from benchstudio.tuning.service import apply, presets, space_check

router = APIRouter(prefix="/tuning", tags=["tuning"])


async def catalog_context(
    owner: OwnerContext, vault: VaultDep, settings: SettingsDep
) -> CatalogContext:
    """The space check reads the caller's provider through the catalog."""
    return CatalogContext.from_settings(owner.db, vault, settings, owner_id=owner.owner_id)


Catalog = Annotated[CatalogContext, Depends(catalog_context)]


@router.post("/space/check", response_model=ValidatedSpaceOut)
async def check_space(data: SpaceCheckIn, ctx: Catalog) -> ValidatedSpaceOut:
    """The space as it would run on the target's provider and model: dropped parameters,
    clamped ranges, filtered choices, the grid size. 422 `invalid_search_space` when it could
    not run there."""
    return await space_check.check_space(ctx, data)


@router.get("/vendor-presets", response_model=list[VendorPresetOut])
async def vendor_presets(
    _: OwnerContext,
    model: Annotated[
        str | None,
        Query(max_length=256, description="A model id: only the presets that apply to it."),
    ] = None,
) -> list[VendorPresetOut]:
    """The built-in presets model makers recommend (all, or those applying to `model`)."""
    found = BUILTIN_PRESETS if model is None else presets_for(model)
    return [VendorPresetOut.from_domain(preset) for preset in found]


@router.get("/presets", response_model=list[SpacePresetOut])
async def list_presets(ctx: OwnerContext) -> list[SpacePresetOut]:
    """The caller's saved search spaces, by name."""
    return await presets.list_presets(ctx)


@router.post("/presets", response_model=SpacePresetOut, status_code=201)
async def create_preset(data: SpacePresetIn, ctx: OwnerContext) -> SpacePresetOut:
    """Save a search space under a name of yours (409 `preset_name_taken`)."""
    return await presets.create_preset(ctx, data)


@router.get("/presets/{preset_id}", response_model=SpacePresetOut)
async def get_preset(preset_id: ObjectId, ctx: OwnerContext) -> SpacePresetOut:
    return await presets.get_preset(ctx, preset_id)


@router.patch("/presets/{preset_id}", response_model=SpacePresetOut)
async def update_preset(
    preset_id: ObjectId, data: SpacePresetUpdate, ctx: OwnerContext
) -> SpacePresetOut:
    """Rename, re-describe or replace the space of a saved preset."""
    return await presets.update_preset(ctx, preset_id, data)


@router.delete("/presets/{preset_id}", status_code=204)
async def delete_preset(preset_id: ObjectId, ctx: OwnerContext) -> Response:
    await presets.delete_preset(ctx, preset_id)
    return Response(status_code=204)


@router.post("/runs/{tuner_run_id}/apply", response_model=ApplyBestOut)
async def apply_best(tuner_run_id: ObjectId, data: ApplyBestIn, ctx: OwnerContext) -> ApplyBestOut:
    """Save the best trial's (or a chosen trial's) parameters as a parameter set, or file the
    run in an experiment. 409 `not_finished` while it runs, `no_best` without a complete
    trial."""
    return await apply.apply_best(ctx, tuner_run_id, data)
