"""Users: who they are on every request (`UserState`, cached), sign-in checks, lookups, and
the admin's changes (role, active flag, deletion).

Sessions live in `benchstudio.auth`; revoking them all is a bump of the user's
`token_version`, which every access token and refresh family carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchstudio.accounts import repository
from benchstudio.accounts.domain import canonical_email
from benchstudio.accounts.models import User
from benchstudio.accounts.schemas import UserOut, UserSummary
from benchstudio.accounts.service.hashing import BoundedHasher
from benchstudio.accounts.service.user_state_cache import UserStateCache
from benchstudio.audit import service as audit
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import ConflictError, NotFoundError
from benchstudio.core.passwords import PasswordHasher
from benchstudio.storage.service_context import ServiceContext

# Seconds another API replica may keep accepting a token its user has just lost (see the cache).
USER_STATE_TTL_S = 5.0


@dataclass(frozen=True)
class UserState:
    """What authentication needs to know about a user on every request."""

    id: str
    email: str
    role: str
    is_active: bool
    token_version: int


def _state(user: User) -> UserState:
    return UserState(user.id, user.email, user.role, user.is_active, user.token_version)


_user_states: UserStateCache[UserState] = UserStateCache(USER_STATE_TTL_S, max_entries=10_000)


def forget_user_state(user_id: str) -> None:
    """Drop the cached state after a change that ends the user's sessions (this replica at once,
    the others within `USER_STATE_TTL_S`)."""
    _user_states.forget(user_id)


async def verify_credentials(
    ctx: ServiceContext, email: str, password: str, *, hasher: PasswordHasher
) -> UserState | None:
    """The user when email and password match (active or not), else None. Rehashes on login."""
    bounded = BoundedHasher(hasher)
    async with ctx.read() as session:
        user = await repository.get_by_email(session, canonical_email(email))
        stored = user.password_hash if user else None
        state = _state(user) if user else None
    if stored is None or state is None:
        await bounded.verify_nothing()
        return None
    valid, new_hash = await bounded.verify(password, stored)
    if not valid:
        return None
    if new_hash is not None:
        async with ctx.unit() as session:
            fresh = await repository.get_by_id(session, state.id)
            if fresh is not None and fresh.password_hash == stored:
                fresh.password_hash = new_hash
    return state


async def active_email_owner(ctx: ServiceContext, email: str) -> str | None:
    """The stored address of the active account with this e-mail, if any (for notices)."""
    async with ctx.read() as session:
        user = await repository.get_by_email(session, canonical_email(email))
        return user.email if user is not None and user.is_active else None


async def get_user_state(ctx: ServiceContext, user_id: str) -> UserState | None:
    cached = _user_states.get(user_id)
    if cached is not None:
        return cached
    generation = _user_states.generation()
    async with ctx.read() as session:
        user = await repository.get_by_id(session, user_id)
        state = _state(user) if user else None
    if state is not None:
        _user_states.put(user_id, state, generation)
    return state


async def get_user(ctx: ServiceContext, user_id: str) -> UserOut:
    async with ctx.read() as session:
        user = await repository.get_by_id(session, user_id)
        if user is None:
            raise NotFoundError("No such user.")
        return UserOut.model_validate(user)


async def record_login(ctx: ServiceContext, user_id: str, ip: str | None) -> None:
    async with ctx.unit() as session:
        user = await repository.get_by_id(session, user_id)
        if user is not None:
            user.last_login_at = utcnow()
        audit.record(session, "auth.login", actor_id=user_id, target=user_id, ip=ip)


async def admin_update_user(
    ctx: ServiceContext, user_id: str, *, role: str | None, is_active: bool | None
) -> UserOut:
    """Change role and/or active flag; never leaves the instance without an active admin."""
    async with ctx.unit() as session:
        user = await repository.get_by_id(session, user_id)
        if user is None:
            raise NotFoundError("No such user.")
        losing_admin = (
            user.role == "admin"
            and user.is_active
            and ((role is not None and role != "admin") or is_active is False)
        )
        if losing_admin and await repository.count_active_admins(session) <= 1:
            raise ConflictError("The last active admin cannot be demoted or disabled.")
        if role is not None and role != user.role:
            audit.record(
                session,
                "user.role_changed",
                actor_id=ctx.actor_id,
                target=user_id,
                detail={"from": user.role, "to": role},
            )
            user.role = role
            await repository.bump_token_version(session, user_id)
        if is_active is not None and is_active != user.is_active:
            user.is_active = is_active
            action = "user.enabled" if is_active else "user.disabled"
            audit.record(session, action, actor_id=ctx.actor_id, target=user_id)
            await repository.bump_token_version(session, user_id)
        await session.flush()
        await session.refresh(user)
        out = UserOut.model_validate(user)
    forget_user_state(user_id)
    return out


async def delete_user(ctx: ServiceContext, user_id: str) -> None:
    """Delete a user and (by cascade) all their data; audit rows stay."""
    async with ctx.unit() as session:
        user = await repository.get_by_id(session, user_id)
        if user is None:
            raise NotFoundError("No such user.")
        if (
            user.role == "admin"
            and user.is_active
            and await repository.count_active_admins(session) <= 1
        ):
            raise ConflictError("The last active admin cannot be deleted.")
        audit.record(
            session,
            "user.deleted",
            actor_id=ctx.actor_id if ctx.actor_id != user_id else None,
            target=user_id,
            detail={"email": user.email},
        )
        await repository.delete_user(session, user_id)
    forget_user_state(user_id)


async def list_users(
    ctx: ServiceContext,
    *,
    query: str | None,
    limit: int,
    offset: int,
    ids: Sequence[str] | None = None,
) -> tuple[list[UserSummary], int]:
    async with ctx.read() as session:
        rows, total = await repository.list_users(
            session, query=query, limit=limit, offset=offset, ids=ids
        )
        return [UserSummary.model_validate(r) for r in rows], total


# Reads for other domains inside their own unit of work (admin's limits and system view): they
# pass `ctx.with_session(session)` and get plain values by id, never a `User` row.


async def user_exists(ctx: ServiceContext, user_id: str) -> bool:
    async with ctx.read() as session:
        return await repository.user_exists(session, user_id)


async def user_ids_by_email(ctx: ServiceContext, fragment: str, *, limit: int = 500) -> list[str]:
    """Ids of the users whose e-mail contains `fragment`, any case (the audit log's filter)."""
    async with ctx.read() as session:
        return await repository.ids_by_email(session, fragment.strip(), limit)


async def user_counts(ctx: ServiceContext) -> repository.UserCounts:
    """All users, active users, and admins (active or not)."""
    async with ctx.read() as session:
        return await repository.user_counts(session)
