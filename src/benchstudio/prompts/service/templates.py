"""`/api/prompt-templates`, the hidden alias kept from before the library: benchmark entries in
the old template shape. A PUT replaces the text by writing a new version (never in place), and
the audit log keeps the old `template.*` actions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.catalog import service as catalog
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import NotFoundError
from benchstudio.prompts import repository
from benchstudio.prompts.models import PromptEntry, PromptVersion
from benchstudio.prompts.schemas import PromptTemplateIn, PromptTemplateOut, PromptTextIn
from benchstudio.prompts.service.library import add_version
from benchstudio.storage.service_context import ServiceContext


def _template_out(row: PromptEntry, latest: PromptVersion | None) -> PromptTemplateOut:
    return PromptTemplateOut(
        id=row.id,
        name=row.name,
        description=row.description,
        system_prompt=latest.system_prompt if latest else "",
        user_prompt=latest.user_prompt if latest else "",
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _owned_template(session: AsyncSession, owner_id: str, template_id: str) -> PromptEntry:
    row = await repository.get_entry(session, owner_id, template_id)
    if row is None or row.kind != "benchmark":
        raise NotFoundError("No such prompt template.")
    return row


def _text(data: PromptTemplateIn, note: str) -> PromptTextIn:
    return PromptTextIn(system_prompt=data.system_prompt, user_prompt=data.user_prompt, note=note)


async def list_templates(ctx: ServiceContext) -> list[PromptTemplateOut]:
    """The owner's benchmark entries, oldest first (the order the alias always had)."""
    async with ctx.read() as session:
        rows = await repository.list_entries(
            session, ctx.require_owner(), kind="benchmark", query=None
        )
        out = []
        for row in sorted(rows, key=lambda r: (r.created_at, r.id)):
            latest = await repository.get_version(session, row.id, row.latest_version)
            out.append(_template_out(row, latest))
        return out


async def get_template(ctx: ServiceContext, template_id: str) -> PromptTemplateOut:
    async with ctx.read() as session:
        row = await _owned_template(session, ctx.require_owner(), template_id)
        latest = await repository.get_version(session, row.id, row.latest_version)
        return _template_out(row, latest)


async def save_template(
    ctx: ServiceContext, data: PromptTemplateIn, template_id: str | None = None
) -> PromptTemplateOut:
    """Create (no id) or replace (id) a template; a changed text becomes a new version."""
    async with ctx.unit() as session:
        owner_id = ctx.require_owner()
        latest: PromptVersion | None
        if template_id is None:
            row = PromptEntry(
                owner_id=owner_id,
                kind="benchmark",
                name=data.name,
                description=data.description,
                tags=[],
                latest_version=0,
                created_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            latest = add_version(session, row, _text(data, "Created."), ctx.actor_id)
        else:
            row = await _owned_template(session, owner_id, template_id)
            row.name, row.description = data.name, data.description
            row.updated_at = utcnow()
            latest = await repository.get_version(session, row.id, row.latest_version)
            text = (data.system_prompt, data.user_prompt)
            if latest is None or (latest.system_prompt, latest.user_prompt) != text:
                latest = add_version(session, row, _text(data, "Edited."), ctx.actor_id)
        await session.flush()
        action = "template.created" if template_id is None else "template.updated"
        audit.record(session, action, actor_id=ctx.actor_id, target=row.id)
        return _template_out(row, latest)


async def delete_template(ctx: ServiceContext, template_id: str) -> None:
    """Archive the entry (runs keep its versions) and clear it as the owner's default."""
    async with ctx.unit() as session:
        row = await _owned_template(session, ctx.require_owner(), template_id)
        row.archived = True
        row.updated_at = utcnow()
        await catalog.forget_default_template(ctx.with_session(session), row.id)
        audit.record(session, "template.deleted", actor_id=ctx.actor_id, target=template_id)
