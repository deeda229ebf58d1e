"""The admin's per-user limits as the job runtime's `LimitsSource` (wired by the composition
root, so the jobs layer never imports admin)."""

from __future__ import annotations

from benchstudio.admin import service as admin
from benchstudio.admin.service import AdminSettings
from benchstudio.config import Settings
from benchstudio.jobs.domain import UserLimits
from benchstudio.storage.engine import Database
from benchstudio.storage.service_context import ServiceContext


class AdminLimits:
    """What admins set per user (`admin.service.limits_for`), else the server defaults."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = AdminSettings.of(settings)

    async def limits_for(self, owner_id: str) -> UserLimits:
        ctx = ServiceContext.system(self.database).for_tenant(owner_id)
        effective = await admin.limits_for(ctx, owner_id, settings=self.settings)
        cap = effective.monthly_spend_cap_usd
        return UserLimits(
            jobs_per_hour=effective.jobs_per_hour,
            concurrent_jobs=effective.concurrent_jobs,
            max_runs_per_benchmark=effective.max_runs_per_benchmark,
            monthly_spend_cap_usd=float(cap) if cap is not None else None,
        )
