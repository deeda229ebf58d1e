"""Authentication use cases: login with throttling, refresh rotation with reuse detection,
logout, access-token and API-token verification, personal API tokens.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.accounts import service as accounts
from benchstudio.accounts.domain import canonical_email
from benchstudio.accounts.schemas import UserOut
from benchstudio.accounts.service import UserState
from benchstudio.audit import service as audit
from benchstudio.auth import repository
from benchstudio.auth.domain import (
    Principal,
    ThrottlePolicy,
    api_token_scopes,
    session_scopes,
)
from benchstudio.auth.models import ApiToken, RefreshToken
from benchstudio.auth.schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenOut
from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from benchstudio.core.passwords import PasswordHasher
from benchstudio.core.tokens import (
    API_TOKEN_PREFIX,
    InvalidAccessTokenError,
    TokenKeys,
    decode_access_token,
    encode_access_token,
    new_opaque_token,
)
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit, write_unit

API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedSession:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_at: datetime
    user: UserOut


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str | None


def _throttle_keys(email: str, ip: str | None) -> tuple[str, str | None]:
    digest = hashlib.sha256(canonical_email(email).encode()).hexdigest()[:40]
    return f"acct:{digest}", (f"ip:{ip}" if ip else None)


def _policies(settings: Settings) -> tuple[ThrottlePolicy, ThrottlePolicy]:
    window = timedelta(seconds=settings.login_throttle_window_s)
    return (
        ThrottlePolicy(settings.login_max_failures_per_account, window),
        ThrottlePolicy(settings.login_max_failures_per_ip, window),
    )


async def _check_throttle(db: Database, settings: Settings, email: str, ip: str | None) -> None:
    account_key, ip_key = _throttle_keys(email, ip)
    account_policy, ip_policy = _policies(settings)
    async with read_unit(db) as session:
        states = await repository.throttle_states(session, [k for k in (account_key, ip_key) if k])
    now = utcnow()
    wait = max(
        account_policy.retry_after_s(states.get(account_key), now),
        ip_policy.retry_after_s(states.get(ip_key), now) if ip_key else 0,
    )
    if wait:
        raise RateLimitedError(
            "Too many failed sign-in attempts; try again later.", retry_after_s=wait
        )


async def _record_failure(
    db: Database, settings: Settings, email: str, client: ClientInfo, user_id: str | None
) -> None:
    account_key, ip_key = _throttle_keys(email, client.ip)
    account_policy, ip_policy = _policies(settings)
    async with write_unit(db) as session:
        keys = [k for k in (account_key, ip_key) if k]
        states = await repository.throttle_states(session, keys)
        now = utcnow()
        await repository.save_throttle(
            session, account_key, account_policy.after_failure(states.get(account_key), now)
        )
        if ip_key:
            await repository.save_throttle(
                session, ip_key, ip_policy.after_failure(states.get(ip_key), now)
            )
        audit.record(session, "auth.login_failed", actor_id=user_id, target=user_id, ip=client.ip)


AnonymousAction = Literal["register", "reset_request", "reset_confirm"]


async def count_anonymous_attempt(
    db: Database, settings: Settings, action: AnonymousAction, ip: str | None
) -> None:
    """Count one attempt at `action` from this IP (in the login throttle table, shared by
    replicas); 429 with `Retry-After` once the window's budget is spent. Runs before any work."""
    if not ip:
        return
    key = f"{action}:ip:{ip}"[:100]
    policy = ThrottlePolicy(
        settings.account_actions_max_per_ip, timedelta(seconds=settings.login_throttle_window_s)
    )
    async with write_unit(db) as session:
        state = (await repository.throttle_states(session, [key])).get(key)
        now = utcnow()
        if wait := policy.retry_after_s(state, now):
            raise RateLimitedError(
                "Too many attempts from your address; try again later.", retry_after_s=wait
            )
        await repository.save_throttle(session, key, policy.after_failure(state, now))


async def issue_session(
    db: Database, keys: TokenKeys, settings: Settings, user: UserState, client: ClientInfo
) -> IssuedSession:
    """Start a new refresh family and hand out the first access token."""
    now = utcnow()
    refresh = new_opaque_token()
    expires = now + timedelta(seconds=settings.refresh_token_ttl_s)
    async with write_unit(db) as session:
        session.add(
            RefreshToken(
                user_id=user.id,
                family_id=new_opaque_token()[:32],
                token_hash=keys.hash_token(refresh),
                token_version=user.token_version,
                created_at=now,
                expires_at=expires,
                user_agent=(client.user_agent or "")[:256] or None,
                ip=client.ip,
            )
        )
    return await _session_for(db, keys, settings, user, refresh, expires)


async def _session_for(
    db: Database,
    keys: TokenKeys,
    settings: Settings,
    user: UserState,
    refresh: str,
    refresh_expires: datetime,
) -> IssuedSession:
    access, _ = encode_access_token(
        keys,
        user_id=user.id,
        role=user.role,
        token_version=user.token_version,
        now=utcnow(),
        ttl_s=settings.access_token_ttl_s,
    )
    return IssuedSession(
        access_token=access,
        expires_in=settings.access_token_ttl_s,
        refresh_token=refresh,
        refresh_expires_at=refresh_expires,
        user=await accounts.get_user(db, user.id),
    )


async def login(
    db: Database,
    hasher: PasswordHasher,
    keys: TokenKeys,
    settings: Settings,
    *,
    email: str,
    password: str,
    client: ClientInfo,
) -> IssuedSession:
    await _check_throttle(db, settings, email, client.ip)
    user = await accounts.verify_credentials(db, hasher, email, password)
    if user is None:
        await _record_failure(db, settings, email, client, None)
        raise AuthenticationError("Wrong email or password.", code="invalid_credentials")
    if not user.is_active:
        raise PermissionDeniedError("This account is disabled.", code="account_disabled")
    async with write_unit(db) as session:
        await repository.clear_throttle(session, _throttle_keys(email, None)[0])
    await accounts.record_login(db, user.id, client.ip)
    return await issue_session(db, keys, settings, user, client)


class _RefreshOutcome:
    OK = "ok"
    INVALID = "invalid"
    SUPERSEDED = "superseded"
    REUSED = "reused"


async def refresh(
    db: Database, keys: TokenKeys, settings: Settings, raw_token: str, client: ClientInfo
) -> IssuedSession:
    """Rotate a refresh token. Reusing a rotated one revokes its whole family (audited)."""
    now = utcnow()
    new_token = new_opaque_token()
    new_expires = now + timedelta(seconds=settings.refresh_token_ttl_s)
    outcome, user = await _rotate(db, keys, settings, raw_token, new_token, new_expires, client)
    if outcome == _RefreshOutcome.SUPERSEDED:
        raise AuthenticationError(
            "This session was just refreshed elsewhere; retry with the new cookie.",
            code="refresh_superseded",
        )
    if outcome != _RefreshOutcome.OK or user is None:
        raise AuthenticationError("Session expired; sign in again.", code="invalid_refresh_token")
    return await _session_for(db, keys, settings, user, new_token, new_expires)


async def _rotate(
    db: Database,
    keys: TokenKeys,
    settings: Settings,
    raw_token: str,
    new_token: str,
    new_expires: datetime,
    client: ClientInfo,
) -> tuple[str, UserState | None]:
    async with write_unit(db) as session:
        row = await repository.refresh_by_hash(session, keys.hash_token(raw_token))
        now = utcnow()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return _RefreshOutcome.INVALID, None
        if row.rotated_at is not None:
            if now - row.rotated_at < timedelta(seconds=settings.refresh_reuse_grace_s):
                return _RefreshOutcome.SUPERSEDED, None
            await repository.revoke_family(session, row.family_id, now)
            audit.record(
                session,
                "auth.refresh_reuse",
                actor_id=row.user_id,
                target=row.user_id,
                ip=client.ip,
                detail={"family": row.family_id},
            )
            return _RefreshOutcome.REUSED, None
        user = await accounts.get_user_state(db, row.user_id)
        if user is None or not user.is_active or user.token_version != row.token_version:
            await repository.revoke_family(session, row.family_id, now)
            return _RefreshOutcome.INVALID, None
        if not await repository.claim_refresh(session, row.id, now):
            return _RefreshOutcome.SUPERSEDED, None
        session.add(
            RefreshToken(
                user_id=row.user_id,
                family_id=row.family_id,
                token_hash=keys.hash_token(new_token),
                token_version=row.token_version,
                created_at=now,
                expires_at=new_expires,
                user_agent=(client.user_agent or "")[:256] or None,
                ip=client.ip,
            )
        )
        return _RefreshOutcome.OK, user


async def logout(db: Database, keys: TokenKeys, raw_token: str | None) -> None:
    """End the session of this refresh cookie (idempotent)."""
    if not raw_token:
        return
    async with write_unit(db) as session:
        row = await repository.refresh_by_hash(session, keys.hash_token(raw_token))
        if row is not None:
            await repository.revoke_family(session, row.family_id, utcnow())
            audit.record(session, "auth.logout", actor_id=row.user_id, target=row.user_id)


async def logout_everywhere(db: Database, user_id: str) -> None:
    """Revoke every refresh family, access token and personal API token of the user."""
    async with write_unit(db) as session:
        await repository.revoke_user_refresh_tokens(session, user_id, utcnow())
    await accounts.revoke_all_sessions(
        db, user_id, reason="auth.logout_all", on_revoked=(revoke_api_tokens_in,)
    )


async def revoke_api_tokens_in(session: AsyncSession, user_id: str) -> None:
    """Revoke every personal API token of the user, in the caller's unit: a password change or
    reset and logging out everywhere end every credential, API tokens included (a token minted
    by whoever knew the old password must not outlive it)."""
    count = await repository.revoke_user_api_tokens(session, user_id, utcnow())
    if count:
        audit.record(
            session,
            "api_token.revoked_all",
            actor_id=user_id,
            target=user_id,
            detail={"count": count},
        )


async def principal_from_access_token(db: Database, keys: TokenKeys, raw: str) -> Principal | None:
    try:
        claims = decode_access_token(keys, raw, now=utcnow())
    except InvalidAccessTokenError:
        return None
    user = await accounts.get_user_state(db, claims.user_id)
    if user is None or not user.is_active or user.token_version != claims.token_version:
        return None
    return Principal(user.id, user.role, session_scopes(user.role), "session")


async def principal_from_api_token(db: Database, keys: TokenKeys, raw: str) -> Principal | None:
    now = utcnow()
    async with read_unit(db) as session:
        row = await repository.api_token_by_hash(session, keys.hash_token(raw))
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        token_id, user_id, granted, last_used = row.id, row.user_id, row.scopes, row.last_used_at
    user = await accounts.get_user_state(db, user_id)
    if user is None or not user.is_active:
        return None
    if last_used is None or now - last_used > API_TOKEN_TOUCH_INTERVAL:
        async with write_unit(db) as session:
            await repository.touch_api_token(session, token_id, now)
    scopes = api_token_scopes(list(granted), user.role)
    return Principal(user.id, user.role, scopes, "api_token", token_id)


async def create_api_token(
    db: Database, keys: TokenKeys, user_id: str, role: str, data: ApiTokenCreate
) -> ApiTokenCreated:
    if "admin" in data.scopes and role != "admin":
        raise PermissionDeniedError("Only admins can create admin-scoped tokens.")
    raw = new_opaque_token(API_TOKEN_PREFIX)
    now = utcnow()
    expires = now + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    async with write_unit(db) as session:
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


async def list_api_tokens(db: Database, user_id: str) -> list[ApiTokenOut]:
    async with read_unit(db) as session:
        rows = await repository.list_api_tokens(session, user_id)
        return [ApiTokenOut.model_validate(r) for r in rows]


async def revoke_api_token(db: Database, user_id: str, token_id: str) -> None:
    async with write_unit(db) as session:
        row = await repository.get_api_token(session, user_id, token_id)
        if row is None:
            raise NotFoundError("No such API token.")
        row.revoked_at = utcnow()
        audit.record(session, "api_token.revoked", actor_id=user_id, target=token_id)
