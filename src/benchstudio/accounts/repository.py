"""Queries on the users table. The service owns the transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.accounts.models import User


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email))
    return result.scalar_one_or_none()


async def count_users(session: AsyncSession) -> int:
    result = await session.execute(select(func.count()).select_from(User))
    return int(result.scalar_one())


def add_user(session: AsyncSession, email: str, password_hash: str, role: str) -> User:
    user = User(email=email, password_hash=password_hash, role=role, is_active=True)
    session.add(user)
    return user
