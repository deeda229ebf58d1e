"""Sessions: login with throttling, refresh rotation with reuse detection, logout, and the
access-token check on each request.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from benchstudio.accounts import service as accounts
from benchstudio.accounts.domain import canonical_email
from benchstudio.accounts.schemas import UserOut
from benchstudio.accounts.service import UserState
from benchstudio.accounts.service.mailer import Mailer, OutgoingMail
from benchstudio.audit import service as audit
from benchstudio.auth import repository
from benchstudio.auth.domain import (
    AccountDisabledError,
    Principal,
    ThrottlePolicy,
    session_scopes,
)
from benchstudio.auth.models import RefreshToken
from benchstudio.auth.service.api_tokens import revoke_api_tokens_in
from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AuthenticationError, RateLimitedError
from benchstudio.core.passwords import PasswordHasher
from benchstudio.core.tokens import (
    InvalidAccessTokenError,
    TokenKeys,
    decode_access_token,
    encode_access_token,
    new_opaque_token,
)
from benchstudio.storage.service_context import ServiceContext


@dataclass(frozen=True, kw_only=True)
class AuthSettings:
    """The settings sessions read: token lifetimes, throttles, the link base for notices
    (ADR 0011: a slice, so the use cases never hold the whole `Settings`)."""

    access_token_ttl_s: int
    refresh_token_ttl_s: int
    refresh_reuse_grace_s: int
    login_max_failures_per_account_ip: int
    login_max_failures_per_account: int
    login_max_failures_per_ip: int
    login_throttle_window_s: int
    account_actions_max_per_ip: int
    link_base: str

    @staticmethod
    def of(settings: Settings) -> AuthSettings:
        return AuthSettings(
            access_token_ttl_s=settings.access_token_ttl_s,
            refresh_token_ttl_s=settings.refresh_token_ttl_s,
            refresh_reuse_grace_s=settings.refresh_reuse_grace_s,
            login_max_failures_per_account_ip=settings.login_max_failures_per_account_ip,
            login_max_failures_per_account=settings.login_max_failures_per_account,
            login_max_failures_per_ip=settings.login_max_failures_per_ip,
            login_throttle_window_s=settings.login_throttle_window_s,
            account_actions_max_per_ip=settings.account_actions_max_per_ip,
            link_base=settings.link_base,
        )


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


@dataclass(frozen=True)
class _ThrottleKey:
    key: str
    policy: ThrottlePolicy


def _throttles(settings: AuthSettings, email: str, ip: str | None) -> list[_ThrottleKey]:
    """The counters one failed login adds to: the account everywhere (a high ceiling against
    guessing from many addresses), the account from this IP (the low limit that stops a guesser
    without locking the owner out elsewhere), and this IP over every account."""
    window = timedelta(seconds=settings.login_throttle_window_s)
    digest = hashlib.sha256(canonical_email(email).encode()).hexdigest()[:40]
    keys = [
        _ThrottleKey(
            f"acct:{digest}", ThrottlePolicy(settings.login_max_failures_per_account, window)
        )
    ]
    if ip:
        keys.append(
            _ThrottleKey(
                f"acct_ip:{digest[:32]}:{ip}"[:100],
                ThrottlePolicy(settings.login_max_failures_per_account_ip, window),
            )
        )
        keys.append(
            _ThrottleKey(
                f"ip:{ip}"[:100], ThrottlePolicy(settings.login_max_failures_per_ip, window)
            )
        )
    return keys


async def _check_throttle(
    ctx: ServiceContext, settings: AuthSettings, email: str, ip: str | None
) -> None:
    throttles = _throttles(settings, email, ip)
    async with ctx.read() as session:
        states = await repository.throttle_states(session, [t.key for t in throttles])
    now = utcnow()
    wait = max(t.policy.retry_after_s(states.get(t.key), now) for t in throttles)
    if wait:
        raise RateLimitedError(
            "Too many failed sign-in attempts; try again later.", retry_after_s=wait
        )


async def _record_failure(
    ctx: ServiceContext, settings: AuthSettings, email: str, client: ClientInfo
) -> bool:
    """Count one failed login; True when it just closed the account's global ceiling."""
    throttles = _throttles(settings, email, client.ip)
    async with ctx.unit() as session:
        states = await repository.throttle_states(session, [t.key for t in throttles])
        now = utcnow()
        ceiling_closed = False
        for throttle in throttles:
            before = states.get(throttle.key)
            after = throttle.policy.after_failure(before, now)
            await repository.save_throttle(session, throttle.key, after)
            if throttle is throttles[0]:
                was_open = throttle.policy.retry_after_s(before, now) == 0
                ceiling_closed = was_open and throttle.policy.retry_after_s(after, now) > 0
        audit.record(session, "auth.login_failed", actor_id=None, target=None, ip=client.ip)
    return ceiling_closed


# Notices mailed from a task of their own: the answer neither waits for nor depends on them.
_pending_mail: set[asyncio.Task[None]] = set()


def _mail_later(mailer: Mailer, mail: OutgoingMail) -> None:
    task = asyncio.get_running_loop().create_task(mailer.send(mail))
    _pending_mail.add(task)
    task.add_done_callback(_pending_mail.discard)


def _lockout_mail(email: str, settings: AuthSettings) -> OutgoingMail:
    minutes = max(1, settings.login_throttle_window_s // 60)
    return OutgoingMail(
        to=email,
        subject="Sign-in to your BenchStudio account is paused",
        body=(
            f"Someone entered a wrong password for {email} "
            f"{settings.login_max_failures_per_account} times, so sign-in to this account is "
            f"paused for up to {minutes} minutes, from every address.\n\n"
            "If it was not you, your password held. To be safe, choose a new one at "
            f"{settings.link_base}/forgot-password once the pause ends."
        ),
    )


AnonymousAction = Literal["register", "reset_request", "reset_confirm"]


async def count_anonymous_attempt(
    ctx: ServiceContext, action: AnonymousAction, ip: str | None, *, settings: AuthSettings
) -> None:
    """Count one attempt at `action` from this IP (in the login throttle table, shared by
    replicas); 429 with `Retry-After` once the window's budget is spent. Runs before any work."""
    if not ip:
        return
    key = f"{action}:ip:{ip}"[:100]
    policy = ThrottlePolicy(
        settings.account_actions_max_per_ip, timedelta(seconds=settings.login_throttle_window_s)
    )
    async with ctx.unit() as session:
        state = (await repository.throttle_states(session, [key])).get(key)
        now = utcnow()
        if wait := policy.retry_after_s(state, now):
            raise RateLimitedError(
                "Too many attempts from your address; try again later.", retry_after_s=wait
            )
        await repository.save_throttle(session, key, policy.after_failure(state, now))


async def issue_session(
    ctx: ServiceContext,
    user: UserState,
    client: ClientInfo,
    *,
    keys: TokenKeys,
    settings: AuthSettings,
) -> IssuedSession:
    """Start a new refresh family and hand out the first access token."""
    now = utcnow()
    refresh = new_opaque_token()
    expires = now + timedelta(seconds=settings.refresh_token_ttl_s)
    async with ctx.unit() as session:
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
    return await _session_for(ctx, keys, settings, user, refresh, expires)


async def _session_for(
    ctx: ServiceContext,
    keys: TokenKeys,
    settings: AuthSettings,
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
        user=await accounts.get_user(ctx, user.id),
    )


async def login(
    ctx: ServiceContext,
    *,
    email: str,
    password: str,
    client: ClientInfo,
    hasher: PasswordHasher,
    keys: TokenKeys,
    settings: AuthSettings,
    mailer: Mailer | None = None,
) -> IssuedSession:
    """Sign in. Failures count per (account, IP), per account (a ceiling; its owner is mailed
    when it closes) and per IP; any closed counter answers 429."""
    await _check_throttle(ctx, settings, email, client.ip)
    user = await accounts.verify_credentials(ctx, email, password, hasher=hasher)
    if user is None:
        if await _record_failure(ctx, settings, email, client) and mailer is not None:
            owner = await accounts.active_email_owner(ctx, email)
            if owner is not None:
                _mail_later(mailer, _lockout_mail(owner, settings))
        raise AuthenticationError("Wrong email or password.", code="invalid_credentials")
    if not user.is_active:
        raise AccountDisabledError
    async with ctx.unit() as session:
        for throttle in _throttles(settings, email, client.ip)[:2]:
            await repository.clear_throttle(session, throttle.key)
    await accounts.record_login(ctx, user.id, client.ip)
    return await issue_session(ctx, user, client, keys=keys, settings=settings)


class _RefreshOutcome:
    OK = "ok"
    INVALID = "invalid"
    SUPERSEDED = "superseded"
    REUSED = "reused"
    DISABLED = "disabled"


async def refresh(
    ctx: ServiceContext,
    raw_token: str,
    client: ClientInfo,
    *,
    keys: TokenKeys,
    settings: AuthSettings,
) -> IssuedSession:
    """Rotate a refresh token. Reusing a rotated one revokes its whole family (audited)."""
    now = utcnow()
    new_token = new_opaque_token()
    new_expires = now + timedelta(seconds=settings.refresh_token_ttl_s)
    outcome, user = await _rotate(ctx, keys, settings, raw_token, new_token, new_expires, client)
    if outcome == _RefreshOutcome.SUPERSEDED:
        raise AuthenticationError(
            "This session was just refreshed elsewhere; retry with the new cookie.",
            code="refresh_superseded",
        )
    if outcome == _RefreshOutcome.DISABLED:
        raise AccountDisabledError
    if outcome != _RefreshOutcome.OK or user is None:
        raise AuthenticationError("Session expired; sign in again.", code="invalid_refresh_token")
    return await _session_for(ctx, keys, settings, user, new_token, new_expires)


async def _rotate(
    ctx: ServiceContext,
    keys: TokenKeys,
    settings: AuthSettings,
    raw_token: str,
    new_token: str,
    new_expires: datetime,
    client: ClientInfo,
) -> tuple[str, UserState | None]:
    async with ctx.unit() as session:
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
        user = await accounts.get_user_state(ctx, row.user_id)
        if user is None or not user.is_active or user.token_version != row.token_version:
            await repository.revoke_family(session, row.family_id, now)
            disabled = user is not None and not user.is_active
            return _RefreshOutcome.DISABLED if disabled else _RefreshOutcome.INVALID, None
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


async def logout(ctx: ServiceContext, raw_token: str | None, *, keys: TokenKeys) -> None:
    """End the session of this refresh cookie (idempotent)."""
    if not raw_token:
        return
    async with ctx.unit() as session:
        row = await repository.refresh_by_hash(session, keys.hash_token(raw_token))
        if row is not None:
            await repository.revoke_family(session, row.family_id, utcnow())
            audit.record(session, "auth.logout", actor_id=row.user_id, target=row.user_id)


async def logout_everywhere(ctx: ServiceContext) -> None:
    """Revoke every refresh family, access token and personal API token of the owner."""
    async with ctx.unit() as session:
        await repository.revoke_user_refresh_tokens(session, ctx.require_owner(), utcnow())
    await accounts.revoke_all_sessions(
        ctx, reason="auth.logout_all", on_revoked=(revoke_api_tokens_in,)
    )


async def principal_from_access_token(
    ctx: ServiceContext, raw: str, *, keys: TokenKeys
) -> Principal | None:
    try:
        claims = decode_access_token(keys, raw, now=utcnow())
    except InvalidAccessTokenError:
        return None
    user = await accounts.get_user_state(ctx, claims.user_id)
    if user is not None and not user.is_active:
        raise AccountDisabledError
    if user is None or user.token_version != claims.token_version:
        return None
    return Principal(user.id, user.role, session_scopes(user.role), "session")
