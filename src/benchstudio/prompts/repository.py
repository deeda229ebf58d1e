"""Prompt library queries. Every query on tenant rows takes the owner; the service commits."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.prompts.models import PromptEntry, PromptUsage, PromptVersion

MAX_USAGES = 500


async def get_entry(session: AsyncSession, owner_id: str, entry_id: str) -> PromptEntry | None:
    """An active (not archived) entry of the owner."""
    query = select(PromptEntry).where(
        PromptEntry.id == entry_id,
        PromptEntry.owner_id == owner_id,
        PromptEntry.archived.is_(False),
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_entries(
    session: AsyncSession,
    owner_id: str,
    *,
    kind: str | None,
    query: str | None,
) -> list[PromptEntry]:
    """The owner's active entries, newest edit first (tags are filtered by the service: JSON
    lists compare differently on each backend)."""
    where = [PromptEntry.owner_id == owner_id, PromptEntry.archived.is_(False)]
    if kind is not None:
        where.append(PromptEntry.kind == kind)
    if query:
        needle = query.lower()
        where.append(
            or_(
                func.lower(PromptEntry.name).contains(needle, autoescape=True),
                func.lower(PromptEntry.description).contains(needle, autoescape=True),
            )
        )
    statement = (
        select(PromptEntry)
        .where(*where)
        .order_by(PromptEntry.updated_at.desc(), PromptEntry.id.desc())
    )
    return list((await session.execute(statement)).scalars())


async def list_versions(session: AsyncSession, entry_id: str) -> list[PromptVersion]:
    query = (
        select(PromptVersion)
        .where(PromptVersion.entry_id == entry_id)
        .order_by(PromptVersion.version.desc())
    )
    return list((await session.execute(query)).scalars())


async def get_version(session: AsyncSession, entry_id: str, version: int) -> PromptVersion | None:
    """A version of an entry (the caller has checked the entry is the owner's)."""
    query = select(PromptVersion).where(
        PromptVersion.entry_id == entry_id, PromptVersion.version == version
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_usages(session: AsyncSession, owner_id: str, entry_id: str) -> list[PromptUsage]:
    query = (
        select(PromptUsage)
        .where(PromptUsage.owner_id == owner_id, PromptUsage.entry_id == entry_id)
        .order_by(PromptUsage.created_at.desc(), PromptUsage.id.desc())
        .limit(MAX_USAGES)
    )
    return list((await session.execute(query)).scalars())
