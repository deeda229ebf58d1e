"""Per-user limits set by admins (None: the settings default applies)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from benchstudio.core.clock import utcnow
from benchstudio.storage.base import Base, UTCDateTime


class UserLimits(Base):
    __tablename__ = "user_limits"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    jobs_per_hour: Mapped[int | None] = mapped_column(Integer)
    concurrent_jobs: Mapped[int | None] = mapped_column(Integer)
    max_runs_per_benchmark: Mapped[int | None] = mapped_column(Integer)
    monthly_spend_cap_usd: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
