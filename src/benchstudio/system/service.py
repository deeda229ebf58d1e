"""System health checks: each dependency of this process, checked now."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from benchstudio import __version__
from benchstudio.core.outages import dependency
from benchstudio.storage.service_context import ServiceContext
from benchstudio.system.schemas import Health

log = logging.getLogger(__name__)
DB_CHECK_TIMEOUT_S = 3.0
# Pings Redis: True/False, or None when this process has no Redis (embedded mode).
RedisCheck = Callable[[], Awaitable[bool | None]]


async def database_reachable(ctx: ServiceContext) -> bool:
    state = dependency("database")
    try:
        async with asyncio.timeout(DB_CHECK_TIMEOUT_S), ctx.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "unreachable" for the health report
        state.failed(exc)  # logged once per outage, not on every probe
        return False
    state.succeeded()
    return True


async def health(ctx: ServiceContext, redis_check: RedisCheck | None = None) -> Health:
    async def no_redis() -> bool | None:
        return None

    database_ok, redis_ok = await asyncio.gather(
        database_reachable(ctx), (redis_check or no_redis)()
    )
    redis = None if redis_ok is None else ("ok" if redis_ok else "unreachable")
    return Health(
        status="ok" if database_ok and redis_ok is not False else "degraded",
        version=__version__,
        database="ok" if database_ok else "unreachable",
        redis=redis,
    )
