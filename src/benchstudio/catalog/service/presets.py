"""Catalog use cases for prompt templates and per-user defaults."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.catalog import repository
from benchstudio.catalog.models import CatalogModel, ParameterSet, PromptTemplate, UserDefaults
from benchstudio.catalog.repository import Owned
from benchstudio.catalog.schemas import (
    DefaultsIn,
    DefaultsOut,
    PromptTemplateIn,
    PromptTemplateOut,
)
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import NotFoundError
from benchstudio.storage.service_context import ServiceContext


async def _require_owned(
    session: AsyncSession,
    table: type[Owned],
    owner_id: str,
    object_id: str | None,
    what: str,
) -> None:
    """References to another user's objects look exactly like references to nothing."""
    if (
        object_id is not None
        and await repository.get_owned(session, table, owner_id, object_id) is None
    ):
        raise NotFoundError(f"No such {what}.")


async def _save_owned(
    session: AsyncSession,
    table: type[Owned],
    owner_id: str,
    row_id: str | None,
    values: dict[str, object],
    what: str,
) -> Owned:
    """Create a row (no id) or replace the fields of the caller's own row (id)."""
    row = await repository.save_owned(session, table, owner_id, row_id, values)
    if row is None:
        raise NotFoundError(f"No such {what}.")
    return row


async def list_templates(ctx: ServiceContext) -> list[PromptTemplateOut]:
    async with ctx.read() as session:
        owner_id = ctx.require_owner()
        rows = await repository.list_owned(session, PromptTemplate, owner_id)
        return [PromptTemplateOut.model_validate(r) for r in rows]


async def get_template(ctx: ServiceContext, template_id: str) -> PromptTemplateOut:
    async with ctx.read() as session:
        owner_id = ctx.require_owner()
        row = await repository.get_owned(session, PromptTemplate, owner_id, template_id)
        if row is None:
            raise NotFoundError("No such prompt template.")
        return PromptTemplateOut.model_validate(row)


async def save_template(
    ctx: ServiceContext, data: PromptTemplateIn, template_id: str | None = None
) -> PromptTemplateOut:
    """Create (no id) or replace (id) a prompt template."""
    async with ctx.unit() as session:
        owner_id = ctx.require_owner()
        row = await _save_owned(
            session, PromptTemplate, owner_id, template_id, data.model_dump(), "prompt template"
        )
        action = "template.created" if template_id is None else "template.updated"
        audit.record(session, action, actor_id=ctx.actor_id, target=row.id)
        return PromptTemplateOut.model_validate(row)


async def delete_template(ctx: ServiceContext, template_id: str) -> None:
    async with ctx.unit() as session:
        owner_id = ctx.require_owner()
        row = await repository.get_owned(session, PromptTemplate, owner_id, template_id)
        if row is None:
            raise NotFoundError("No such prompt template.")
        await session.delete(row)
        audit.record(session, "template.deleted", actor_id=ctx.actor_id, target=template_id)


def _defaults_out(row: UserDefaults | None) -> DefaultsOut:
    if row is None:
        return DefaultsOut()
    return DefaultsOut(
        model_ref_id=row.model_ref_id,
        parameter_set_id=row.profile_id,
        prompt_template_id=row.prompt_template_id,
        preferences=dict(row.preferences or {}),
    )


async def get_defaults(ctx: ServiceContext) -> DefaultsOut:
    async with ctx.read() as session:
        owner_id = ctx.require_owner()
        return _defaults_out(await repository.get_defaults(session, owner_id))


async def set_defaults(ctx: ServiceContext, data: DefaultsIn) -> DefaultsOut:
    async with ctx.unit() as session:
        owner_id = ctx.require_owner()
        await _require_owned(session, CatalogModel, owner_id, data.model_ref_id, "model")
        await _require_owned(
            session, ParameterSet, owner_id, data.parameter_set_id, "parameter set"
        )
        await _require_owned(
            session, PromptTemplate, owner_id, data.prompt_template_id, "prompt template"
        )
        row = await repository.get_defaults(session, owner_id)
        if row is None:
            row = UserDefaults(owner_id=owner_id)
            session.add(row)
        row.model_ref_id = data.model_ref_id
        row.profile_id = data.parameter_set_id
        row.prompt_template_id = data.prompt_template_id
        row.preferences = dict(data.preferences)
        row.updated_at = utcnow()
        await session.flush()
        return _defaults_out(row)
