"""Admin shapes: users with usage, per-user limits, system view."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from benchstudio.accounts.schemas import CleanInput, Role, UserSummary


class AdminUserOut(UserSummary):
    providers: int
    models: int


class AdminUserPage(BaseModel):
    items: list[AdminUserOut]
    total: int
    limit: int
    offset: int


class AdminUserUpdate(CleanInput):
    role: Role | None = None
    is_active: bool | None = None


class LimitsIn(CleanInput):
    """None means "use the server default"."""

    jobs_per_hour: int | None = Field(default=None, ge=0, le=100_000)
    concurrent_jobs: int | None = Field(default=None, ge=1, le=1_000)
    max_runs_per_benchmark: int | None = Field(default=None, ge=1, le=1_000_000)
    monthly_spend_cap_usd: Decimal | None = Field(
        default=None, ge=0, le=10_000_000, max_digits=14, decimal_places=4
    )


class EffectiveLimits(BaseModel):
    jobs_per_hour: int
    concurrent_jobs: int
    max_runs_per_benchmark: int
    monthly_spend_cap_usd: Decimal | None


class LimitsOut(BaseModel):
    user_id: str
    overrides: LimitsIn
    effective: EffectiveLimits


class SystemOut(BaseModel):
    version: str
    environment: str
    uptime_s: float
    database_backend: str
    database_size_bytes: int | None
    users: int
    active_users: int
    admins: int
    signup_policy: str
    egress_mode: str
