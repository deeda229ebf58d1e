"""Queries on users, invites and reset tokens. The service owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.accounts.models import Invite, PasswordResetToken, User


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email))
    return result.scalar_one_or_none()


async def get_by_id(session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def count_users(session: AsyncSession) -> int:
    result = await session.execute(select(func.count()).select_from(User))
    return int(result.scalar_one())


async def count_active_admins(session: AsyncSession) -> int:
    query = select(func.count()).select_from(User).where(User.role == "admin", User.is_active)
    return int((await session.execute(query)).scalar_one())


def add_user(session: AsyncSession, email: str, password_hash: str, role: str) -> User:
    user = User(email=email, password_hash=password_hash, role=role, is_active=True)
    session.add(user)
    return user


async def bump_token_version(session: AsyncSession, user_id: str) -> None:
    await session.execute(
        update(User).where(User.id == user_id).values(token_version=User.token_version + 1)
    )


async def list_users(
    session: AsyncSession,
    *,
    query: str | None,
    limit: int,
    offset: int,
    ids: Sequence[str] | None = None,
) -> tuple[list[User], int]:
    base = select(User)
    if ids is not None:
        base = base.where(User.id.in_(ids))
    if query:
        base = base.where(User.email.contains(query.lower(), autoescape=True))
    total = (await session.execute(select(func.count()).select_from(base.subquery()))).scalar()
    rows = await session.execute(
        base.order_by(User.created_at, User.id).limit(limit).offset(offset)
    )
    return list(rows.scalars()), int(total or 0)


async def ids_by_email(session: AsyncSession, fragment: str, limit: int) -> list[str]:
    query = select(User.id).where(User.email.contains(fragment.lower(), autoescape=True))
    return list((await session.execute(query.order_by(User.id).limit(limit))).scalars())


async def get_invite_by_hash(session: AsyncSession, code_hash: str) -> Invite | None:
    result = await session.execute(select(Invite).where(Invite.code_hash == code_hash))
    return result.scalar_one_or_none()


async def list_invites(session: AsyncSession) -> list[Invite]:
    result = await session.execute(select(Invite).order_by(Invite.created_at.desc()))
    return list(result.scalars())


async def get_reset_by_hash(session: AsyncSession, token_hash: str) -> PasswordResetToken | None:
    query = select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def count_resets_since(session: AsyncSession, user_id: str, since: datetime) -> int:
    query = select(func.count(PasswordResetToken.id)).where(
        PasswordResetToken.user_id == user_id, PasswordResetToken.created_at > since
    )
    return int((await session.execute(query)).scalar_one())


async def consume_reset_token(session: AsyncSession, token_id: str, now: datetime) -> bool:
    """Mark a reset token used; False when another request used it first."""
    result = await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == token_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def expire_reset_tokens(session: AsyncSession, user_id: str, now: datetime) -> None:
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )


async def delete_user(session: AsyncSession, user_id: str) -> None:
    """Delete the row with a Core DELETE so the database's ON DELETE rules do the cascading."""
    await session.execute(delete(User).where(User.id == user_id))


# Reads for other domains, inside their own unit of work (admin's limits and system view):
# they get plain values by id, never a `User` row.


@dataclass(frozen=True)
class UserCounts:
    total: int
    active: int
    admins: int


async def user_exists(session: AsyncSession, user_id: str) -> bool:
    query = select(User.id).where(User.id == user_id)
    return (await session.execute(query)).scalar_one_or_none() is not None


async def user_counts(session: AsyncSession) -> UserCounts:
    """All users, active users, and admins (active or not)."""
    query = select(
        func.count(),
        func.count(case((User.is_active, 1))),
        func.count(case((User.role == "admin", 1))),
    ).select_from(User)
    total, active, admins = (await session.execute(query)).one()
    return UserCounts(total=int(total or 0), active=int(active or 0), admins=int(admins or 0))
