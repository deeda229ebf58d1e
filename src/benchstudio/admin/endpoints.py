"""`/api/admin/*`: users, limits, invites, the audit log, the system view (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime

from benchstudio.accounts import service as accounts
from benchstudio.accounts.schemas import (
    InviteCreate,
    InviteCreated,
    InviteOut,
    ObjectId,
    QueryText,
    UserOut,
)
from benchstudio.admin import service
from benchstudio.admin.schemas import AdminUserPage, AdminUserUpdate, LimitsIn, LimitsOut, SystemOut
from benchstudio.admin.service import AdminSettings
from benchstudio.audit import service as audit
from benchstudio.audit.schemas import AuditPage
from benchstudio.http.dependencies import SettingsDep, TokenKeysDep
from benchstudio.http.paging import Page, paging
from benchstudio.http.service_context import AdminContext

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/users", response_model=AdminUserPage)
async def list_users(
    ctx: AdminContext,
    page: Annotated[Page, paging(50, 200)],
    q: Annotated[QueryText | None, Query(description="Email contains.")] = None,
    ids: Annotated[
        list[ObjectId] | None,
        Query(max_length=200, description="Only these users (e.g. the owners of listed jobs)."),
    ] = None,
) -> AdminUserPage:
    return await service.list_users(ctx, query=q, limit=page.limit, offset=page.offset, ids=ids)


@router.patch("/users/{user_id}", response_model=UserOut)
async def update_user(user_id: ObjectId, data: AdminUserUpdate, ctx: AdminContext) -> UserOut:
    """Change a user's role or disable/enable them (their sessions end at once)."""
    return await accounts.admin_update_user(ctx, user_id, role=data.role, is_active=data.is_active)


@router.delete("/users/{user_id}", status_code=204)
async def delete_user(user_id: ObjectId, ctx: AdminContext) -> Response:
    """Delete a user and all their data; the audit log keeps its rows."""
    await accounts.delete_user(ctx, user_id)
    return Response(status_code=204)


@router.get("/users/{user_id}/limits", response_model=LimitsOut)
async def get_limits(user_id: ObjectId, ctx: AdminContext, settings: SettingsDep) -> LimitsOut:
    return await service.get_limits(ctx, user_id, settings=AdminSettings.of(settings))


@router.put("/users/{user_id}/limits", response_model=LimitsOut)
async def set_limits(
    user_id: ObjectId, data: LimitsIn, ctx: AdminContext, settings: SettingsDep
) -> LimitsOut:
    return await service.set_limits(ctx, user_id, data, settings=AdminSettings.of(settings))


@router.get("/invites", response_model=list[InviteOut])
async def list_invites(ctx: AdminContext) -> list[InviteOut]:
    return await accounts.list_invites(ctx)


@router.post("/invites", response_model=InviteCreated, status_code=201)
async def create_invite(data: InviteCreate, ctx: AdminContext, keys: TokenKeysDep) -> InviteCreated:
    """Issue a sign-up code (shown once) for invite-only servers."""
    return await accounts.create_invite(ctx, data, keys=keys)


@router.delete("/invites/{invite_id}", status_code=204)
async def delete_invite(invite_id: ObjectId, ctx: AdminContext) -> Response:
    await accounts.delete_invite(ctx, invite_id)
    return Response(status_code=204)


@router.get("/audit", response_model=AuditPage)
async def audit_log(
    ctx: AdminContext,
    actor_id: Annotated[ObjectId | None, Query()] = None,
    actor_email: Annotated[
        QueryText | None,
        Query(max_length=320, description="Part of the acting user's e-mail, any case"),
    ] = None,
    action: Annotated[
        QueryText | None,
        Query(max_length=64, description="Exact action, or a prefix ending in '.'"),
    ] = None,
    target: Annotated[QueryText | None, Query(max_length=128)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[ObjectId | None, Query()] = None,
) -> AuditPage:
    """The audit log, newest first, filtered by actor (id or part of the e-mail), action,
    target and time."""
    actor_ids = None
    if actor_email:
        actor_ids = tuple(await accounts.user_ids_by_email(ctx, actor_email))
    filters = audit.AuditFilter(
        actor_id=actor_id,
        actor_ids=actor_ids,
        action=action,
        target=target,
        since=since,
        until=until,
    )
    return await audit.list_events(ctx, filters, limit=limit, cursor=cursor)


@router.get("/system", response_model=SystemOut)
async def system(ctx: AdminContext, settings: SettingsDep) -> SystemOut:
    return await service.system_view(ctx, settings=AdminSettings.of(settings))
