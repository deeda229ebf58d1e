"""A user's saved search-space presets: list, create, rename or replace, delete.

A preset holds a space's shape only (checked by the domain's `check_shape`, 422 when it could
never run); the provider's rules apply when it is loaded for a model and checked there. Names
are unique per owner (409 naming the clash); another user's preset answers 404.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from benchstudio.audit import service as audit
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import ConflictError, NotFoundError
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning import repository
from benchstudio.tuning.domain.space import check_shape
from benchstudio.tuning.models import TunerSpacePreset
from benchstudio.tuning.schemas import (
    SearchSpaceIn,
    SpacePresetIn,
    SpacePresetOut,
    SpacePresetUpdate,
)


def _checked(space: SearchSpaceIn) -> dict[str, object]:
    """The space in its canonical stored form, after the shape rules (422 on a bad one)."""
    domain = space.to_domain()
    check_shape(domain)
    return domain.to_dict()


def _name_taken(name: str) -> ConflictError:
    return ConflictError(
        f"You already have a search-space preset named {name!r}; pick another name.",
        code="preset_name_taken",
        details=[{"field": "name", "name": name}],
    )


async def list_presets(ctx: ServiceContext) -> list[SpacePresetOut]:
    async with ctx.read() as session:
        rows = await repository.list_presets(session, ctx.require_owner())
        return [SpacePresetOut.model_validate(row) for row in rows]


async def get_preset(ctx: ServiceContext, preset_id: str) -> SpacePresetOut:
    async with ctx.read() as session:
        row = await repository.get_preset(session, ctx.require_owner(), preset_id)
        if row is None:
            raise NotFoundError("No such search-space preset.")
        return SpacePresetOut.model_validate(row)


async def create_preset(ctx: ServiceContext, data: SpacePresetIn) -> SpacePresetOut:
    space = _checked(data.space)
    async with ctx.unit() as session:
        owner_id = ctx.require_owner()
        if await repository.preset_named(session, owner_id, data.name) is not None:
            raise _name_taken(data.name)
        now = utcnow()
        row = TunerSpacePreset(
            owner_id=owner_id,
            name=data.name,
            description=data.description,
            space=space,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        try:
            await session.flush()
        except IntegrityError:  # a concurrent create took the name between check and insert
            raise _name_taken(data.name) from None
        audit.record(session, "tuner_preset.created", actor_id=ctx.actor_id, target=row.id)
        return SpacePresetOut.model_validate(row)


async def update_preset(
    ctx: ServiceContext, preset_id: str, data: SpacePresetUpdate
) -> SpacePresetOut:
    """Rename, re-describe or replace the space; fields left out are kept."""
    async with ctx.unit() as session:
        owner_id = ctx.require_owner()
        row = await repository.get_preset(session, owner_id, preset_id)
        if row is None:
            raise NotFoundError("No such search-space preset.")
        if data.name is not None and data.name != row.name:
            if await repository.preset_named(session, owner_id, data.name) is not None:
                raise _name_taken(data.name)
            row.name = data.name
        if data.description is not None:
            row.description = data.description
        if data.space is not None:
            row.space = _checked(data.space)
        row.updated_at = utcnow()
        try:
            await session.flush()
        except IntegrityError:
            raise _name_taken(row.name) from None
        audit.record(session, "tuner_preset.updated", actor_id=ctx.actor_id, target=row.id)
        return SpacePresetOut.model_validate(row)


async def delete_preset(ctx: ServiceContext, preset_id: str) -> None:
    async with ctx.unit() as session:
        row = await repository.get_preset(session, ctx.require_owner(), preset_id)
        if row is None:
            raise NotFoundError("No such search-space preset.")
        await session.delete(row)
        audit.record(session, "tuner_preset.deleted", actor_id=ctx.actor_id, target=preset_id)
