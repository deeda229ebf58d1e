"""Passwords: change with the current one, reset by a mailed single-use link; both end every
session (a bump of the user's `token_version`) and, through `on_revoked`, every other credential.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.accounts import repository
from benchstudio.accounts.domain import canonical_email, password_problem
from benchstudio.accounts.models import PasswordResetToken, User
from benchstudio.accounts.service.hashing import BoundedHasher
from benchstudio.accounts.service.mailer import Mailer, OutgoingMail
from benchstudio.accounts.service.users import forget_user_state
from benchstudio.audit import service as audit
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError, AuthenticationError, PermissionDeniedError
from benchstudio.core.passwords import PasswordHasher
from benchstudio.core.tokens import TokenKeys, new_opaque_token
from benchstudio.storage.service_context import ServiceContext

# Runs in the unit that revokes a user's sessions (password change or reset, logout everywhere),
# given the context joined to that unit and the user id: auth passes the revocation of the
# user's personal API tokens, which accounts does not know.
CredentialsRevokedHook = Callable[[ServiceContext, str], Awaitable[None]]


async def change_password(
    ctx: ServiceContext,
    current: str,
    new: str,
    ip: str | None,
    *,
    hasher: PasswordHasher,
    on_revoked: Sequence[CredentialsRevokedHook] = (),
) -> None:
    """Check the owner's current password, store the new one and revoke every session (and,
    through `on_revoked`, every other credential)."""
    user_id = ctx.require_owner()
    bounded = BoundedHasher(hasher)
    async with ctx.read() as session:
        user = await repository.get_by_id(session, user_id)
        stored, email = (user.password_hash, user.email) if user else (None, "")
    if stored is None:
        raise AuthenticationError("Not signed in.")
    _check_new_password(new, email)
    valid, _ = await bounded.verify(current, stored)
    if not valid:
        raise PermissionDeniedError("The current password is wrong.", code="wrong_password")
    new_hash = await bounded.hash(new)
    async with ctx.unit() as session:
        user = await repository.get_by_id(session, user_id)
        if user is None:
            raise AuthenticationError("Not signed in.")
        user.password_hash = new_hash
        await repository.bump_token_version(session, user_id)
        await repository.expire_reset_tokens(session, user_id, utcnow())
        audit.record(session, "auth.password_changed", actor_id=user_id, target=user_id, ip=ip)
        for hook in on_revoked:
            await hook(ctx.with_session(session), user_id)
    forget_user_state(user_id)


async def revoke_all_sessions(
    ctx: ServiceContext, *, reason: str, on_revoked: Sequence[CredentialsRevokedHook] = ()
) -> None:
    """End every session of the owner (and, through `on_revoked`, every other credential)."""
    user_id = ctx.require_owner()
    async with ctx.unit() as session:
        await repository.bump_token_version(session, user_id)
        audit.record(session, reason, actor_id=user_id, target=user_id)
        for hook in on_revoked:
            await hook(ctx.with_session(session), user_id)
    forget_user_state(user_id)


# Reset links mailed to one account within a link's lifetime; further requests mail nothing.
RESET_MAILS_PER_WINDOW = 3


async def request_password_reset(
    ctx: ServiceContext,
    *,
    keys: TokenKeys,
    mailer: Mailer,
    email: str,
    link_base: str,
    ttl_s: int,
    ip: str | None,
) -> None:
    """Mail a single-use reset link if the account exists; the caller learns nothing either way.

    Meant to run after the answer has gone (a background task), so its time tells nothing. At
    most `RESET_MAILS_PER_WINDOW` links per account per link lifetime: a mailbox is not flooded.
    """
    token = new_opaque_token()
    async with ctx.unit() as session:
        user = await repository.get_by_email(session, canonical_email(email))
        if user is None or not user.is_active:
            audit.record(session, "auth.password_reset_unknown", actor_id=None, ip=ip)
            return
        now = utcnow()
        recent = await repository.count_resets_since(
            session, user.id, now - timedelta(seconds=ttl_s)
        )
        if recent >= RESET_MAILS_PER_WINDOW:
            audit.record(
                session, "auth.password_reset_suppressed", actor_id=None, target=user.id, ip=ip
            )
            return
        session.add(
            PasswordResetToken(
                user_id=user.id,
                token_hash=keys.hash_token(token),
                created_at=now,
                expires_at=now + timedelta(seconds=ttl_s),
            )
        )
        audit.record(
            session, "auth.password_reset_requested", actor_id=user.id, target=user.id, ip=ip
        )
        to = user.email
    link = f"{link_base.rstrip('/')}/reset-password?token={token}"
    minutes = ttl_s // 60
    body = (
        f"Someone asked to reset the BenchStudio password of {to}.\n\n"
        f"Open this link within {minutes} minutes to choose a new password:\n{link}\n\n"
        "If it was not you, ignore this mail: your password stays as it is."
    )
    await mailer.send(OutgoingMail(to=to, subject="Reset your BenchStudio password", body=body))


async def confirm_password_reset(
    ctx: ServiceContext,
    token: str,
    new_password: str,
    *,
    hasher: PasswordHasher,
    keys: TokenKeys,
    on_revoked: Sequence[CredentialsRevokedHook] = (),
) -> None:
    """Use a reset token once: set the password and revoke every session.

    The token is checked before the new password is hashed: a guessed token costs no Argon2 work.
    """
    token_hash = keys.hash_token(token)
    async with ctx.read() as session:
        _, user = await _usable_reset(session, token_hash, utcnow())
        email = user.email
    _check_new_password(new_password, email)
    new_hash = await BoundedHasher(hasher).hash(new_password)
    async with ctx.unit() as session:
        now = utcnow()
        row, user = await _usable_reset(session, token_hash, now)
        if not await repository.consume_reset_token(session, row.id, now):
            raise _invalid_reset()
        user.password_hash = new_hash
        await repository.bump_token_version(session, user.id)
        await repository.expire_reset_tokens(session, user.id, now)
        audit.record(session, "auth.password_reset", actor_id=user.id, target=user.id)
        for hook in on_revoked:
            await hook(ctx.with_session(session), user.id)
        changed = user.id
    forget_user_state(changed)


def _check_new_password(password: str, email: str) -> None:
    if problem := password_problem(password, email):
        raise AppError(problem, code="weak_password", status_code=422)


def _invalid_reset() -> AuthenticationError:
    return AuthenticationError("This reset link is invalid or expired.", code="invalid_token")


async def _usable_reset(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[PasswordResetToken, User]:
    row = await repository.get_reset_by_hash(session, token_hash)
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise _invalid_reset()
    user = await repository.get_by_id(session, row.user_id)
    if user is None or not user.is_active:
        raise _invalid_reset()
    return row, user
