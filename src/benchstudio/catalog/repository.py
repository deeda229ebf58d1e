"""Catalog queries. Every query on tenant data takes the owner; the service commits."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.catalog.models import (
    CatalogModel,
    ParameterSet,
    Provider,
    UserDefaults,
)
from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id

Owned = TypeVar("Owned", Provider, CatalogModel, ParameterSet)


async def get_owned(
    session: AsyncSession, table: type[Owned], owner_id: str, object_id: str
) -> Owned | None:
    """One row of `table` by id, only if `owner_id` owns it."""
    query = select(table).where(table.id == object_id, table.owner_id == owner_id)
    return (await session.execute(query)).scalar_one_or_none()


async def save_owned(
    session: AsyncSession,
    table: type[Owned],
    owner_id: str,
    row_id: str | None,
    values: dict[str, object],
) -> Owned | None:
    """Create a row (no id) or replace the fields of the owner's row (id); None when the owner
    has no such row."""
    if row_id is None:
        row = table(id=new_id(), owner_id=owner_id, **values)
        session.add(row)
    else:
        found = await get_owned(session, table, owner_id, row_id)
        if found is None:
            return None
        row = found
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
    await session.flush()
    return row


async def list_providers(
    session: AsyncSession, owner_id: str, *, include_archived: bool
) -> list[Provider]:
    query = select(Provider).where(Provider.owner_id == owner_id)
    if not include_archived:
        query = query.where(Provider.archived_at.is_(None))
    return list((await session.execute(query.order_by(Provider.created_at, Provider.id))).scalars())


async def list_models(
    session: AsyncSession,
    owner_id: str,
    *,
    provider_id: str | None,
    include_archived: bool,
) -> list[CatalogModel]:
    query = select(CatalogModel).where(CatalogModel.owner_id == owner_id)
    if provider_id is not None:
        query = query.where(CatalogModel.provider_id == provider_id)
    if not include_archived:
        query = query.where(CatalogModel.archived_at.is_(None))
    query = query.order_by(CatalogModel.created_at, CatalogModel.id)
    return list((await session.execute(query)).scalars())


async def list_owned(
    session: AsyncSession, table: type[ParameterSet], owner_id: str
) -> list[ParameterSet]:
    query = select(table).where(table.owner_id == owner_id).order_by(table.created_at, table.id)
    return list((await session.execute(query)).scalars())


async def get_defaults(session: AsyncSession, owner_id: str) -> UserDefaults | None:
    return await session.get(UserDefaults, owner_id)


async def repoint_model_references(
    session: AsyncSession, owner_id: str, old_id: str, new_id: str
) -> None:
    """Configuration follows a renamed model; history keeps the old row."""
    await session.execute(
        update(ParameterSet)
        .where(ParameterSet.owner_id == owner_id, ParameterSet.model_ref_id == old_id)
        .values(model_ref_id=new_id)
    )
    await session.execute(
        update(UserDefaults)
        .where(UserDefaults.owner_id == owner_id, UserDefaults.model_ref_id == old_id)
        .values(model_ref_id=new_id)
    )


async def providers_with_a_query(session: AsyncSession) -> list[Provider]:
    """Every owner's providers whose base URL has a query string (a system-wide repair)."""
    query = select(Provider).where(Provider.base_url.contains("?")).order_by(Provider.id)
    return list((await session.execute(query)).scalars())
