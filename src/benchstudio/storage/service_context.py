"""The first parameter of every domain use case: `async def verb(ctx: ServiceContext, ...)`.

It carries what every use case needs and nothing domain-specific (ADR 0011): whose rows the call
may touch, who acts (for the audit log), where units of work come from, and the caller's open
unit of work when the call must join it. A domain that needs more (a vault, a job runtime, a
slice of settings) subclasses it.

    async def rename(ctx: ServiceContext, thing_id: str, name: str) -> ThingOut:
        async with ctx.unit() as session:      # joins ctx.session, or opens and commits one
            thing = await repository.owned(session, ctx.require_owner(), thing_id)

The outermost `ctx.unit()` commits; a joined unit never does (the caller's unit commits).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit, write_unit


@dataclass(frozen=True, kw_only=True)
class ServiceContext:
    db: Database
    owner_id: str | None = None
    """The tenant whose rows the call may touch; `None` only for admin and system calls."""
    actor_id: str | None = None
    """Who acts, for the audit log: the owner, an admin, or `None` for the system."""
    session: AsyncSession | None = None
    """The caller's open unit of work, when the call must join it."""

    @staticmethod
    def for_owner(db: Database, owner_id: str) -> ServiceContext:
        """A tenant acting on its own rows (owner and actor are the same user)."""
        return ServiceContext(db=db, owner_id=owner_id, actor_id=owner_id)

    @staticmethod
    def system(db: Database) -> ServiceContext:
        """The server itself (start-up, schedules, jobs without an owner)."""
        return ServiceContext(db=db)

    def require_owner(self) -> str:
        """The owner id of a tenant-scoped call; a call without one is a programming error."""
        if self.owner_id is None:
            raise RuntimeError("this use case is tenant-scoped: build the context with an owner")
        return self.owner_id

    def with_session(self, session: AsyncSession) -> Self:
        """The same context joined to `session` (its unit commits, not ours)."""
        return dataclasses.replace(self, session=session)

    def acting_as(self, actor_id: str | None) -> Self:
        return dataclasses.replace(self, actor_id=actor_id)

    def for_tenant(self, owner_id: str) -> Self:
        """The same context scoped to another tenant (admin and system calls acting for one)."""
        return dataclasses.replace(self, owner_id=owner_id)

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """A write unit: the joined session (no commit), or a new one committed on success."""
        if self.session is not None:
            yield self.session
            return
        async with write_unit(self.db) as session:
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read unit: the joined session, or a new read-only one rolled back at the end."""
        if self.session is not None:
            yield self.session
            return
        async with read_unit(self.db) as session:
            yield session
