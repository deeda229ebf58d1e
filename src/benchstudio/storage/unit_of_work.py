"""One unit of work per request or job unit: the service commits, never the repository."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.storage.engine import Database


@asynccontextmanager
async def write_unit(db: Database) -> AsyncIterator[AsyncSession]:
    """A write transaction (BEGIN IMMEDIATE on SQLite, after the process's write queue),
    committed on success."""
    async with db.write_gate(), db.writer() as session, session.begin():
        yield session


@asynccontextmanager
async def read_unit(db: Database) -> AsyncIterator[AsyncSession]:
    """A read-only transaction, rolled back at the end."""
    async with db.reader() as session:
        try:
            yield session
        finally:
            await session.rollback()
