"""Admin use cases: users with usage, per-user limits, the system view.

`limits_for(ctx, user_id, settings=...)` is what the job system reads to enforce limits (through
`job_limits.AdminLimits`, the `LimitsSource` the composition root hands the job runtime).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import psutil
from sqlalchemy import text

from benchstudio import __version__
from benchstudio.accounts import service as accounts
from benchstudio.admin.models import UserLimits
from benchstudio.admin.schemas import (
    AdminUserOut,
    AdminUserPage,
    EffectiveLimits,
    LimitsIn,
    LimitsOut,
    SystemOut,
)
from benchstudio.audit import service as audit
from benchstudio.catalog import service as catalog_models
from benchstudio.config import Settings
from benchstudio.core.errors import NotFoundError
from benchstudio.storage.service_context import ServiceContext


async def list_users(
    ctx: ServiceContext,
    *,
    query: str | None,
    limit: int,
    offset: int,
    ids: Sequence[str] | None = None,
) -> AdminUserPage:
    users, total = await accounts.list_users(ctx, query=query, limit=limit, offset=offset, ids=ids)
    counts = await catalog_models.usage_counts(ctx, [u.id for u in users])
    items = [
        AdminUserOut(**u.model_dump(), **counts.get(u.id, {"providers": 0, "models": 0}))
        for u in users
    ]
    return AdminUserPage(items=items, total=total, limit=limit, offset=offset)


@dataclass(frozen=True, kw_only=True)
class AdminSettings:
    """The settings admin reads: the default limits and what the system view shows (ADR 0011:
    a slice, so the use cases never hold the whole `Settings` and its secrets)."""

    default_jobs_per_hour: int
    default_concurrent_jobs: int
    default_max_runs_per_benchmark: int
    default_monthly_spend_cap_usd: float | None
    environment: str
    signup_policy: Literal["open", "invite", "closed"]
    egress_mode: Literal["dev", "production"]

    @staticmethod
    def of(settings: Settings) -> AdminSettings:
        return AdminSettings(
            default_jobs_per_hour=settings.default_jobs_per_hour,
            default_concurrent_jobs=settings.default_concurrent_jobs,
            default_max_runs_per_benchmark=settings.default_max_runs_per_benchmark,
            default_monthly_spend_cap_usd=settings.default_monthly_spend_cap_usd,
            environment=settings.env.value,
            signup_policy=settings.effective_signup_policy,
            egress_mode=settings.effective_egress_mode,
        )


def _effective(row: UserLimits | None, settings: AdminSettings) -> EffectiveLimits:
    cap = settings.default_monthly_spend_cap_usd
    default_cap = Decimal(str(cap)) if cap is not None else None
    return EffectiveLimits(
        jobs_per_hour=_pick(row.jobs_per_hour if row else None, settings.default_jobs_per_hour),
        concurrent_jobs=_pick(
            row.concurrent_jobs if row else None, settings.default_concurrent_jobs
        ),
        max_runs_per_benchmark=_pick(
            row.max_runs_per_benchmark if row else None, settings.default_max_runs_per_benchmark
        ),
        monthly_spend_cap_usd=(
            row.monthly_spend_cap_usd
            if row is not None and row.monthly_spend_cap_usd is not None
            else default_cap
        ),
    )


def _pick(value: int | None, default: int) -> int:
    return value if value is not None else default


def _overrides(row: UserLimits | None) -> LimitsIn:
    if row is None:
        return LimitsIn()
    return LimitsIn(
        jobs_per_hour=row.jobs_per_hour,
        concurrent_jobs=row.concurrent_jobs,
        max_runs_per_benchmark=row.max_runs_per_benchmark,
        monthly_spend_cap_usd=row.monthly_spend_cap_usd,
    )


async def limits_for(
    ctx: ServiceContext, user_id: str, *, settings: AdminSettings
) -> EffectiveLimits:
    """The limits in force for a user: their overrides, else the server defaults."""
    async with ctx.read() as session:
        return _effective(await session.get(UserLimits, user_id), settings)


async def get_limits(ctx: ServiceContext, user_id: str, *, settings: AdminSettings) -> LimitsOut:
    async with ctx.read() as session:
        if not await accounts.user_exists(ctx.with_session(session), user_id):
            raise NotFoundError("No such user.")
        row = await session.get(UserLimits, user_id)
        return LimitsOut(
            user_id=user_id, overrides=_overrides(row), effective=_effective(row, settings)
        )


async def set_limits(
    ctx: ServiceContext, user_id: str, data: LimitsIn, *, settings: AdminSettings
) -> LimitsOut:
    async with ctx.unit() as session:
        if not await accounts.user_exists(ctx.with_session(session), user_id):
            raise NotFoundError("No such user.")
        row = await session.get(UserLimits, user_id)
        if row is None:
            row = UserLimits(user_id=user_id)
            session.add(row)
        for key, value in data.model_dump().items():
            setattr(row, key, value)
        audit.record(
            session,
            "user.limits_changed",
            actor_id=ctx.actor_id,
            target=user_id,
            detail=data.model_dump(mode="json"),
        )
        await session.flush()
        return LimitsOut(
            user_id=user_id, overrides=_overrides(row), effective=_effective(row, settings)
        )


async def _database_size(ctx: ServiceContext) -> int | None:
    db = ctx.db
    async with ctx.read() as session:
        if db.engine.dialect.name == "sqlite":
            pages = (await session.execute(text("PRAGMA page_count"))).scalar()
            size = (await session.execute(text("PRAGMA page_size"))).scalar()
            return int(pages or 0) * int(size or 0)
        if db.engine.dialect.name == "postgresql":
            query = text("SELECT pg_database_size(current_database())")
            return int((await session.execute(query)).scalar() or 0)
    return None


async def system_view(ctx: ServiceContext, *, settings: AdminSettings) -> SystemOut:
    counts = await accounts.user_counts(ctx)
    started = psutil.Process().create_time()
    return SystemOut(
        version=__version__,
        environment=settings.environment,
        uptime_s=round(max(0.0, time.time() - started), 1),
        database_backend=ctx.db.engine.dialect.name,
        database_size_bytes=await _database_size(ctx),
        users=counts.total,
        active_users=counts.active,
        admins=counts.admins,
        signup_policy=settings.signup_policy,
        egress_mode=settings.egress_mode,
    )
