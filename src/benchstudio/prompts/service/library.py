"""Prompt library use cases: list, create, edit (a new version), rename, archive, copy, diff,
used-by, and the two calls other domains make (`resolve_prompt`, `record_use`).

Entries are the owner's; another user's id answers 404 exactly like a missing one. Built-in
entries (owner None, `domain.builtin_prompts`) are readable by everyone and editable by no
one (403 `builtin_read_only`): copy one to change it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.catalog import service as catalog
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError, NotFoundError
from benchstudio.prompts import repository
from benchstudio.prompts.domain import comparable_text, copy_name, diff_texts, matches
from benchstudio.prompts.domain.builtin_prompts import BUILTIN_PROMPTS, builtin
from benchstudio.prompts.models import PromptEntry, PromptUsage, PromptVersion
from benchstudio.prompts.schemas import (
    DiffLineOut,
    PromptCopyIn,
    PromptCreate,
    PromptDetail,
    PromptDiffOut,
    PromptEntryOut,
    PromptPatch,
    PromptTextIn,
    PromptUsageOut,
    PromptVersionOut,
    text_problem,
)
from benchstudio.prompts.service.views import (
    builtin_detail_out,
    builtin_entry_out,
    builtin_version_out,
    detail_out,
    entry_out,
    version_out,
)
from benchstudio.storage.service_context import ServiceContext


def _read_only(entry_id: str) -> None:
    if builtin(entry_id) is not None:
        raise AppError(
            "Built-in prompts are read-only: copy this one to change it.",
            code="builtin_read_only",
            status_code=403,
        )


async def _owned_entry(session: AsyncSession, owner_id: str, entry_id: str) -> PromptEntry:
    row = await repository.get_entry(session, owner_id, entry_id)
    if row is None:
        raise NotFoundError("No such prompt.")
    return row


def add_version(
    session: AsyncSession, row: PromptEntry, text: PromptTextIn, actor_id: str | None
) -> PromptVersion:
    """Write `text` as the entry's next version (the first when the entry is new)."""
    number = row.latest_version + 1 if row.latest_version else 1
    version = PromptVersion(
        entry_id=row.id,
        version=number,
        system_prompt=text.system_prompt,
        user_prompt=text.user_prompt,
        body=text.body,
        note=text.note,
        created_by=actor_id,
        created_at=utcnow(),
    )
    session.add(version)
    row.latest_version = number
    row.updated_at = version.created_at
    return version


async def list_prompts(
    ctx: ServiceContext, *, kind: str | None, tag: str | None, query: str | None
) -> list[PromptEntryOut]:
    """Built-ins first, then the owner's entries, newest edit first."""
    found = [
        builtin_entry_out(p)
        for p in BUILTIN_PROMPTS
        if matches(
            p.name, p.description, p.tags, kind="judge", want_kind=kind, want_tag=tag, query=query
        )
    ]
    async with ctx.read() as session:
        rows = await repository.list_entries(session, ctx.require_owner(), kind=kind, query=query)
        for row in rows:
            if tag is not None and tag.lower() not in (row.tags or []):
                continue
            latest = await repository.get_version(session, row.id, row.latest_version)
            found.append(entry_out(row, latest))
    return found


async def create_prompt(ctx: ServiceContext, data: PromptCreate) -> PromptDetail:
    async with ctx.unit() as session:
        row = PromptEntry(
            owner_id=ctx.require_owner(),
            kind=data.kind,
            name=data.name,
            description=data.description,
            tags=data.tags,
            latest_version=0,
            created_at=utcnow(),
        )
        session.add(row)
        await session.flush()
        version = add_version(session, row, data.text(), ctx.actor_id)
        await session.flush()
        audit.record(session, "prompt.created", actor_id=ctx.actor_id, target=row.id)
        return detail_out(row, [version])


async def get_prompt(ctx: ServiceContext, entry_id: str) -> PromptDetail:
    if (prompt := builtin(entry_id)) is not None:
        return builtin_detail_out(prompt)
    async with ctx.read() as session:
        row = await _owned_entry(session, ctx.require_owner(), entry_id)
        return detail_out(row, await repository.list_versions(session, row.id))


async def update_prompt(ctx: ServiceContext, entry_id: str, data: PromptPatch) -> PromptDetail:
    """Rename, describe or tag an entry (its text changes only through a new version)."""
    _read_only(entry_id)
    async with ctx.unit() as session:
        row = await _owned_entry(session, ctx.require_owner(), entry_id)
        for field in data.model_fields_set:
            value = getattr(data, field)
            if value is not None:
                setattr(row, field, value)
        row.updated_at = utcnow()
        await session.flush()
        audit.record(session, "prompt.updated", actor_id=ctx.actor_id, target=row.id)
        return detail_out(row, await repository.list_versions(session, row.id))


async def add_prompt_version(
    ctx: ServiceContext, entry_id: str, data: PromptTextIn
) -> PromptDetail:
    _read_only(entry_id)
    async with ctx.unit() as session:
        row = await _owned_entry(session, ctx.require_owner(), entry_id)
        if problem := text_problem(row.kind, data):  # the kind is known here, not at the edge
            raise AppError(problem[1], code=problem[0], status_code=422)
        add_version(session, row, data, ctx.actor_id)
        await session.flush()
        audit.record(
            session,
            "prompt.version_created",
            actor_id=ctx.actor_id,
            target=row.id,
            detail={"version": row.latest_version},
        )
        return detail_out(row, await repository.list_versions(session, row.id))


async def delete_prompt(ctx: ServiceContext, entry_id: str) -> None:
    """Archive: runs and reports keep the versions they used (and their used-by rows)."""
    _read_only(entry_id)
    async with ctx.unit() as session:
        row = await _owned_entry(session, ctx.require_owner(), entry_id)
        row.archived = True
        row.updated_at = utcnow()
        await catalog.forget_default_template(ctx.with_session(session), row.id)
        audit.record(session, "prompt.deleted", actor_id=ctx.actor_id, target=row.id)


async def get_version(ctx: ServiceContext, entry_id: str, version: int) -> PromptVersionOut:
    return await resolve_prompt(ctx, entry_id, version)


async def resolve_prompt(
    ctx: ServiceContext, entry_id: str, version: int | None = None
) -> PromptVersionOut:
    """The owner's entry or a built-in, at `version` (the latest when None); 404 otherwise.
    Archived entries still resolve: a re-run or re-judge of past work must find its text."""
    if (prompt := builtin(entry_id)) is not None:
        found = builtin_version_out(prompt, version or prompt.latest_version)
        if found is None:
            raise NotFoundError("No such prompt version.")
        return found
    async with ctx.read() as session:
        row = await session.get(PromptEntry, entry_id)
        if row is None or row.owner_id != ctx.require_owner():
            raise NotFoundError("No such prompt.")
        number = version or row.latest_version
        stored = await repository.get_version(session, row.id, number)
        if stored is None:
            raise NotFoundError("No such prompt version.")
        return version_out(row, stored)


async def record_use(
    ctx: ServiceContext,
    entry_id: str,
    version: int,
    used_by_kind: str,
    used_by_id: str,
    label: str,
) -> None:
    """Note that `used_by_kind`/`used_by_id` ran with this version (the used-by list). Joins
    the caller's unit when the context carries one, so the use commits with the run."""
    async with ctx.unit() as session:
        session.add(
            PromptUsage(
                owner_id=ctx.require_owner(),
                entry_id=entry_id,
                version=version,
                used_by_kind=used_by_kind[:32],
                used_by_id=used_by_id[:64],
                label=label[:300],
                created_at=utcnow(),
            )
        )


async def used_by(ctx: ServiceContext, entry_id: str) -> list[PromptUsageOut]:
    """What ran with this entry, newest first (the caller's own uses only)."""
    async with ctx.read() as session:
        owner_id = ctx.require_owner()
        if builtin(entry_id) is None:
            await _owned_entry(session, owner_id, entry_id)
        rows = await repository.list_usages(session, owner_id, entry_id)
        return [PromptUsageOut.model_validate(r) for r in rows]


async def diff_versions(
    ctx: ServiceContext, entry_id: str, from_version: int | None, to_version: int | None
) -> PromptDiffOut:
    """Any two versions (default: the one before the latest against the latest)."""
    latest = (await resolve_prompt(ctx, entry_id)).version
    new_number = to_version or latest
    old_number = from_version or max(1, new_number - 1)
    old = await resolve_prompt(ctx, entry_id, old_number)
    new = await resolve_prompt(ctx, entry_id, new_number)
    diff = diff_texts(
        comparable_text(old.kind, old.system_prompt, old.user_prompt, old.body),
        comparable_text(new.kind, new.system_prompt, new.user_prompt, new.body),
        f"version {old_number}",
        f"version {new_number}",
    )
    return PromptDiffOut(
        entry_id=entry_id,
        from_version=old_number,
        to_version=new_number,
        unified=diff.unified,
        lines=[
            DiffLineOut(op=d.op, text=d.text, old_line=d.old_line, new_line=d.new_line)
            for d in diff.lines
        ],
        added=diff.added,
        removed=diff.removed,
    )


async def copy_prompt(ctx: ServiceContext, entry_id: str, data: PromptCopyIn) -> PromptDetail:
    """A new owned entry from the latest version of a built-in or of the owner's entry."""
    source = await get_prompt(ctx, entry_id)
    latest = source.latest
    async with ctx.unit() as session:
        row = PromptEntry(
            owner_id=ctx.require_owner(),
            kind=source.kind,
            name=data.name or copy_name(source.name),
            description=source.description,
            tags=[t for t in source.tags if t != "built-in"],
            latest_version=0,
            copied_from=source.id,
            created_at=utcnow(),
        )
        session.add(row)
        await session.flush()
        text = PromptTextIn(
            system_prompt=latest.system_prompt,
            user_prompt=latest.user_prompt,
            body=latest.body,
            note=f"Copied from {source.name} (version {latest.version}).",
        )
        version = add_version(session, row, text, ctx.actor_id)
        await session.flush()
        audit.record(
            session,
            "prompt.copied",
            actor_id=ctx.actor_id,
            target=row.id,
            detail={"from": source.id, "version": latest.version},
        )
        return detail_out(row, [version])


async def owns_benchmark_prompt(ctx: ServiceContext, entry_id: str) -> bool:
    """Whether the owner has this active benchmark entry: catalog's check on the default
    template (registered with catalog at start-up; catalog cannot import prompts)."""
    async with ctx.read() as session:
        row = await repository.get_entry(session, ctx.require_owner(), entry_id)
        return row is not None and row.kind == "benchmark"
