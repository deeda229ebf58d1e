"""Per-user limits: the admin's per-user values, falling back to the server defaults."""

from __future__ import annotations

from typing import Protocol

from benchstudio.admin import service as admin
from benchstudio.config import Settings
from benchstudio.jobs.domain import UserLimits
from benchstudio.storage.engine import Database


class LimitsSource(Protocol):
    async def limits_for(self, owner_id: str) -> UserLimits: ...


def settings_defaults(settings: Settings) -> UserLimits:
    cap = settings.default_monthly_spend_cap_usd
    return UserLimits(
        jobs_per_hour=settings.default_jobs_per_hour,
        concurrent_jobs=settings.default_concurrent_jobs,
        max_runs_per_benchmark=settings.default_max_runs_per_benchmark,
        monthly_spend_cap_usd=cap,
    )


class AdminLimits:
    """What admins set per user (`admin.service.limits_for`), else the server defaults."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    async def limits_for(self, owner_id: str) -> UserLimits:
        effective = await admin.limits_for(self.database, self.settings, owner_id)
        cap = effective.monthly_spend_cap_usd
        return UserLimits(
            jobs_per_hour=effective.jobs_per_hour,
            concurrent_jobs=effective.concurrent_jobs,
            max_runs_per_benchmark=effective.max_runs_per_benchmark,
            monthly_spend_cap_usd=float(cap) if cap is not None else None,
        )


class FixedLimits:
    """Explicit per-owner limits (tests and tools); unknown owners get `default`."""

    def __init__(self, default: UserLimits, per_owner: dict[str, UserLimits] | None = None):
        self.default = default
        self.per_owner = dict(per_owner or {})

    async def limits_for(self, owner_id: str) -> UserLimits:
        return self.per_owner.get(owner_id, self.default)
