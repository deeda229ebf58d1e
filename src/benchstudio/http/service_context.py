"""FastAPI dependencies that build the `ServiceContext` a domain's use cases take first.

    @router.get("/things")
    async def things(ctx: OwnerContext) -> ...:      # owner = actor = the signed-in caller
        return await service.list_things(ctx)

    @router.delete("/admin/things/{thing_id}")
    async def purge(ctx: AdminContext, thing_id: str) -> ...:   # no owner, actor = the admin

A domain whose use cases need more (a vault, a job runtime) builds its subclass from these.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from benchstudio.http.dependencies import DatabaseDep
from benchstudio.http.principal import AdminUser, CurrentUser, SessionUser
from benchstudio.storage.service_context import ServiceContext


async def owner_context(db: DatabaseDep, user: CurrentUser) -> ServiceContext:
    return ServiceContext(db=db, owner_id=user.user_id, actor_id=user.user_id)


async def session_owner_context(db: DatabaseDep, user: SessionUser) -> ServiceContext:
    return ServiceContext(db=db, owner_id=user.user_id, actor_id=user.user_id)


async def admin_context(db: DatabaseDep, admin: AdminUser) -> ServiceContext:
    return ServiceContext(db=db, owner_id=None, actor_id=admin.user_id)


OwnerContext = Annotated[ServiceContext, Depends(owner_context)]
SessionOwnerContext = Annotated[ServiceContext, Depends(session_owner_context)]
AdminContext = Annotated[ServiceContext, Depends(admin_context)]
