"""Personal API tokens: create, list, revoke, verify on each request, and revoke them all
when a user's other credentials end.
"""

from __future__ import annotations

import logging
import weakref
from datetime import datetime, timedelta

from benchstudio.accounts import service as accounts
from benchstudio.audit import service as audit
from benchstudio.auth import repository
from benchstudio.auth.domain import AccountDisabledError, Principal, api_token_scopes
from benchstudio.auth.models import ApiToken
from benchstudio.auth.schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenOut
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import (
    NotFoundError,
    PermissionDeniedError,
    StorageUnavailableError,
)
from benchstudio.core.tokens import API_TOKEN_PREFIX, TokenKeys, new_opaque_token
from benchstudio.storage.engine import Database
from benchstudio.storage.service_context import ServiceContext

log = logging.getLogger(__name__)
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


class _TouchPause:
    """A token's last use is a best-effort write on every authenticated request, reads
    included: when the database cannot take it (disk full, read-only), the request goes on
    without it, and this process stops trying for a while (per database) and logs it once
    per outage."""

    def __init__(self) -> None:
        self.until: datetime | None = None
        self.logged = False

    def active(self, now: datetime) -> bool:
        return self.until is not None and now < self.until

    def failed(self, now: datetime, exc: StorageUnavailableError) -> None:
        self.until = now + API_TOKEN_TOUCH_INTERVAL
        if not self.logged:
            self.logged = True
            log.warning("not recording API tokens' last use: %s", exc.reason)

    def succeeded(self) -> None:
        self.until, self.logged = None, False


_touch_pauses: weakref.WeakKeyDictionary[Database, _TouchPause] = weakref.WeakKeyDictionary()


def _touch_pause(db: Database) -> _TouchPause:
    pause = _touch_pauses.get(db)
    if pause is None:
        pause = _touch_pauses[db] = _TouchPause()
    return pause


async def revoke_api_tokens_in(ctx: ServiceContext, user_id: str) -> None:
    """Revoke every personal API token of the user, in the caller's unit (`ctx` joined to it):
    a password change or reset and logging out everywhere end every credential, API tokens
    included (a token minted by whoever knew the old password must not outlive it)."""
    async with ctx.unit() as session:
        count = await repository.revoke_user_api_tokens(session, user_id, utcnow())
        if count:
            audit.record(
                session,
                "api_token.revoked_all",
                actor_id=user_id,
                target=user_id,
                detail={"count": count},
            )


async def principal_from_api_token(
    ctx: ServiceContext, raw: str, *, keys: TokenKeys
) -> Principal | None:
    now = utcnow()
    async with ctx.read() as session:
        row = await repository.api_token_by_hash(session, keys.hash_token(raw))
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        token_id, user_id, granted, last_used = row.id, row.user_id, row.scopes, row.last_used_at
    user = await accounts.get_user_state(ctx, user_id)
    if user is not None and not user.is_active:
        raise AccountDisabledError
    if user is None:
        return None
    if (last_used is None or now - last_used > API_TOKEN_TOUCH_INTERVAL) and not (
        _touch_pause(ctx.db).active(now)
    ):
        await _touch(ctx, token_id, now)
    scopes = api_token_scopes(list(granted), user.role)
    return Principal(user.id, user.role, scopes, "api_token", token_id)


async def _touch(ctx: ServiceContext, token_id: str, now: datetime) -> None:
    try:
        async with ctx.unit() as session:
            await repository.touch_api_token(session, token_id, now)
    except StorageUnavailableError as exc:
        _touch_pause(ctx.db).failed(now, exc)
        return
    _touch_pause(ctx.db).succeeded()


async def create_api_token(
    ctx: ServiceContext, data: ApiTokenCreate, *, role: str, keys: TokenKeys
) -> ApiTokenCreated:
    """A personal API token for the owner, whose `role` bounds the scopes it may hold."""
    user_id = ctx.require_owner()
    if "admin" in data.scopes and role != "admin":
        raise PermissionDeniedError("Only admins can create admin-scoped tokens.")
    raw = new_opaque_token(API_TOKEN_PREFIX)
    now = utcnow()
    expires = now + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    async with ctx.unit() as session:
        row = ApiToken(
            user_id=user_id,
            name=data.name,
            prefix=raw[:8],
            token_hash=keys.hash_token(raw),
            scopes=sorted(set(data.scopes)),
            created_at=now,
            expires_at=expires,
        )
        session.add(row)
        await session.flush()
        audit.record(
            session,
            "api_token.created",
            actor_id=user_id,
            target=row.id,
            detail={"scopes": row.scopes},
        )
        return ApiTokenCreated(**ApiTokenOut.model_validate(row).model_dump(), token=raw)


async def list_api_tokens(ctx: ServiceContext) -> list[ApiTokenOut]:
    async with ctx.read() as session:
        rows = await repository.list_api_tokens(session, ctx.require_owner())
        return [ApiTokenOut.model_validate(r) for r in rows]


async def revoke_api_token(ctx: ServiceContext, token_id: str) -> None:
    user_id = ctx.require_owner()
    async with ctx.unit() as session:
        row = await repository.get_api_token(session, user_id, token_id)
        if row is None:
            raise NotFoundError("No such API token.")
        row.revoked_at = utcnow()
        audit.record(session, "api_token.revoked", actor_id=user_id, target=token_id)
