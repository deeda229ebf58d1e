"""Per-user limits: defaults from settings, or the admin's per-user values once available."""

from __future__ import annotations

from typing import Protocol

from benchstudio.config import Settings
from benchstudio.jobs.domain import UserLimits


class LimitsSource(Protocol):
    async def limits_for(self, owner_id: str) -> UserLimits: ...


class SettingsLimits:
    """The same limits for everyone, from `BENCHSTUDIO_JOBS_*` settings."""

    def __init__(self, settings: Settings) -> None:
        self._limits = UserLimits(
            jobs_per_hour=settings.jobs_per_hour,
            concurrent_jobs=settings.jobs_concurrent_per_user,
            max_runs_per_benchmark=settings.jobs_max_runs_per_benchmark,
            monthly_spend_cap_usd=settings.jobs_monthly_spend_cap_usd,
        )

    async def limits_for(self, owner_id: str) -> UserLimits:
        return self._limits


class FixedLimits:
    """Explicit per-owner limits (tests and tools); unknown owners get `default`."""

    def __init__(self, default: UserLimits, per_owner: dict[str, UserLimits] | None = None):
        self.default = default
        self.per_owner = dict(per_owner or {})

    async def limits_for(self, owner_id: str) -> UserLimits:
        return self.per_owner.get(owner_id, self.default)
