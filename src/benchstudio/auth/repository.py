"""Queries on refresh tokens, API tokens and login throttles. The service commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.auth.domain import ThrottleState
from benchstudio.auth.models import ApiToken, LoginThrottle, RefreshToken


async def refresh_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    query = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def claim_refresh(session: AsyncSession, token_id: str, now: datetime) -> bool:
    """Mark a refresh token rotated; exactly one concurrent caller gets True."""
    result = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == token_id,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(rotated_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def revoke_family(session: AsyncSession, family_id: str, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def revoke_user_refresh_tokens(session: AsyncSession, user_id: str, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def api_token_by_hash(session: AsyncSession, token_hash: str) -> ApiToken | None:
    query = select(ApiToken).where(ApiToken.token_hash == token_hash)
    return (await session.execute(query)).scalar_one_or_none()


async def list_api_tokens(session: AsyncSession, user_id: str) -> list[ApiToken]:
    query = (
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    )
    return list((await session.execute(query)).scalars())


async def get_api_token(session: AsyncSession, user_id: str, token_id: str) -> ApiToken | None:
    query = select(ApiToken).where(
        ApiToken.id == token_id, ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def revoke_user_api_tokens(session: AsyncSession, user_id: str, now: datetime) -> int:
    result = await session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def touch_api_token(session: AsyncSession, token_id: str, now: datetime) -> None:
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


async def throttle_states(session: AsyncSession, keys: list[str]) -> dict[str, ThrottleState]:
    # FOR UPDATE (PostgreSQL) so two replicas counting the same key do not lose a failure.
    query = select(LoginThrottle).where(LoginThrottle.key.in_(keys)).with_for_update()
    rows = await session.execute(query)
    return {
        row.key: ThrottleState(row.failures, row.window_started_at, row.blocked_until)
        for row in rows.scalars()
    }


async def save_throttle(session: AsyncSession, key: str, state: ThrottleState) -> None:
    """Upsert one throttle row (safe when two replicas count the same key at once)."""
    values = {
        "key": key,
        "failures": state.failures,
        "window_started_at": state.window_started_at,
        "blocked_until": state.blocked_until,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(LoginThrottle).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={k: statement.excluded[k] for k in ("failures", "window_started_at", "blocked_until")},
    )
    await session.execute(statement)


async def clear_throttle(session: AsyncSession, key: str) -> None:
    await session.execute(
        update(LoginThrottle).where(LoginThrottle.key == key).values(failures=0, blocked_until=None)
    )
