"""System health checks."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text

from benchstudio import __version__
from benchstudio.storage.service_context import ServiceContext
from benchstudio.system.schemas import Health

log = logging.getLogger(__name__)
DB_CHECK_TIMEOUT_S = 3.0


async def database_reachable(ctx: ServiceContext) -> bool:
    try:
        async with asyncio.timeout(DB_CHECK_TIMEOUT_S), ctx.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "unreachable" for the health report
        log.warning("database health check failed", extra={"error": type(exc).__name__})
        return False
    return True


async def health(ctx: ServiceContext) -> Health:
    ok = await database_reachable(ctx)
    return Health(
        status="ok" if ok else "degraded",
        version=__version__,
        database="ok" if ok else "unreachable",
    )
