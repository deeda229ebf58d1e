"""Per-user limits as the job runtime sees them: a source injected at composition time.

The jobs layer does not know where limits are kept (admins set them per user, above this
layer); the composition root hands the runtime a `LimitsSource`.
"""

from __future__ import annotations

from typing import Protocol

from benchstudio.config import Settings
from benchstudio.jobs.domain import UserLimits


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


class FixedLimits:
    """Explicit per-owner limits (tests and tools); unknown owners get `default`."""

    def __init__(self, default: UserLimits, per_owner: dict[str, UserLimits] | None = None):
        self.default = default
        self.per_owner = dict(per_owner or {})

    async def limits_for(self, owner_id: str) -> UserLimits:
        return self.per_owner.get(owner_id, self.default)
