"""Catalog use cases for models: CRUD where renaming or deleting archives (history keeps rows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.catalog import repository
from benchstudio.catalog.models import CatalogModel, Provider
from benchstudio.catalog.schemas import ModelCreate, ModelOut, ModelUpdate
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import ConflictError, NotFoundError
from benchstudio.core.ids import new_id
from benchstudio.storage.service_context import ServiceContext


async def _owned_model(session: AsyncSession, owner_id: str, model_ref_id: str) -> CatalogModel:
    model = await repository.get_owned(session, CatalogModel, owner_id, model_ref_id)
    if model is None:
        raise NotFoundError("No such model.")
    return model


async def list_models(
    ctx: ServiceContext, *, provider_id: str | None = None, include_archived: bool = False
) -> list[ModelOut]:
    async with ctx.read() as session:
        rows = await repository.list_models(
            session, ctx.require_owner(), provider_id=provider_id, include_archived=include_archived
        )
        return [ModelOut.model_validate(m) for m in rows]


async def get_model(ctx: ServiceContext, model_ref_id: str) -> ModelOut:
    """A model by id, archived ones included (history shows what it ran with)."""
    async with ctx.read() as session:
        model = await _owned_model(session, ctx.require_owner(), model_ref_id)
        return ModelOut.model_validate(model)


async def create_model(ctx: ServiceContext, data: ModelCreate) -> ModelOut:
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        provider = await repository.get_owned(session, Provider, owner_id, data.provider_id)
        if provider is None:
            raise NotFoundError("No such provider.")
        if provider.archived_at is not None:
            raise ConflictError("This provider is archived.", code="archived")
        fields = data.model_dump(exclude={"display_name"})
        model = CatalogModel(
            id=new_id(),
            owner_id=owner_id,
            display_name=data.display_name or data.model_id,
            **fields,
        )
        session.add(model)
        await session.flush()
        audit.record(session, "model.created", actor_id=ctx.actor_id, target=model.id)
        return ModelOut.model_validate(model)


async def import_models(
    ctx: ServiceContext, provider_id: str, model_ids: list[str]
) -> list[ModelOut]:
    """Add discovered models (those already present are skipped)."""
    created: list[ModelOut] = []
    existing = {m.model_id for m in await list_models(ctx, provider_id=provider_id)}
    for model_id in dict.fromkeys(model_ids):
        if model_id in existing or not 1 <= len(model_id) <= 256:
            continue
        data = ModelCreate(provider_id=provider_id, model_id=model_id)
        created.append(await create_model(ctx, data))
    return created


def _successor(model: CatalogModel, changes: dict[str, object], now: datetime) -> CatalogModel:
    columns = [
        "owner_id",
        "provider_id",
        "model_id",
        "display_name",
        "capability",
        "context_window",
        "max_output_tokens",
        "input_price",
        "output_price",
        "cached_input_price",
        "reasoning_price",
        "skipped_params",
        "notes",
    ]
    values = {name: getattr(model, name) for name in columns}
    values.update(changes)
    return CatalogModel(id=new_id(), created_at=now, updated_at=now, **values)


async def update_model(ctx: ServiceContext, model_ref_id: str, data: ModelUpdate) -> ModelOut:
    """Edit a model; a new model id or display name archives it and returns its successor."""
    owner_id = ctx.require_owner()
    changes = data.model_dump(exclude_unset=True)
    async with ctx.unit() as session:
        model = await _owned_model(session, owner_id, model_ref_id)
        if model.archived_at is not None:
            raise ConflictError("This model is archived.", code="archived")
        renamed = any(
            key in changes and changes[key] is not None and changes[key] != getattr(model, key)
            for key in ("model_id", "display_name")
        )
        changes = {
            k: v
            for k, v in changes.items()
            if v is not None or k not in ("model_id", "display_name")
        }
        if changes.get("skipped_params") is None:
            changes.pop("skipped_params", None)
        for key in ("notes", "capability"):
            if changes.get(key) is None:
                changes.pop(key, None)
        if not renamed:
            for key, value in changes.items():
                setattr(model, key, value)
            model.updated_at = utcnow()
            return ModelOut.model_validate(model)
        now = utcnow()
        successor = _successor(model, changes, now)
        session.add(successor)
        await session.flush()
        model.archived_at, model.replaced_by_id = now, successor.id
        await repository.repoint_model_references(session, owner_id, model.id, successor.id)
        audit.record(
            session,
            "model.renamed",
            actor_id=ctx.actor_id,
            target=model.id,
            detail={"successor": successor.id},
        )
        return ModelOut.model_validate(successor)


async def archive_model(ctx: ServiceContext, model_ref_id: str) -> None:
    async with ctx.unit() as session:
        model = await _owned_model(session, ctx.require_owner(), model_ref_id)
        if model.archived_at is None:
            model.archived_at = utcnow()
            audit.record(session, "model.archived", actor_id=ctx.actor_id, target=model_ref_id)


async def usage_counts(ctx: ServiceContext, owner_ids: list[str]) -> dict[str, dict[str, int]]:
    """Active providers and models per owner (for the admin's user list: an admin call, any
    owner's counts, so the context carries none)."""
    counts: dict[str, dict[str, int]] = {o: {"providers": 0, "models": 0} for o in owner_ids}
    if not owner_ids:
        return counts
    async with ctx.read() as session:
        for table, name in ((Provider, "providers"), (CatalogModel, "models")):
            query = (
                select(table.owner_id, func.count())
                .where(table.owner_id.in_(owner_ids), table.archived_at.is_(None))
                .group_by(table.owner_id)
            )
            for owner, count in (await session.execute(query)).all():
                counts[owner][name] = int(count)
    return counts
