"""Schedule rows: a schedule (what it runs, when, and the state `due` reads) and its occurrences.

The occurrence table's uniqueness rule on (schedule, instant) is what makes each occurrence
happen exactly once: a second dispatcher's insert of the same occurrence fails, and it moves
on. The schedule's `next_due_at` (with `enabled`) is the dispatcher's index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.storage.base import Base, UTCDateTime


class Schedule(Base):
    __tablename__ = "schedules"
    __table_args__ = (
        Index("ix_schedules_enabled_next_due_at", "enabled", "next_due_at"),
        Index("ix_schedules_owner_id_created_at", "owner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # benchmark | eval
    # The run's configuration as submitted each time (BenchmarkCreate or EvalCreate).
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    timing: Mapped[dict[str, Any]] = mapped_column(JSON)  # TimingIn, its `enabled` aside
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why the schedule paused itself (failures, owner disabled, model archived, key removed,
    # budget); None when the owner switched it off, or while it runs.
    paused_reason: Mapped[str | None] = mapped_column(Text)
    monthly_budget_usd: Mapped[float | None] = mapped_column(Float)
    pause_after_failures: Mapped[int] = mapped_column(Integer, default=3)
    # Providers that held a key when the schedule was saved: a key removed since pauses it.
    keyed_provider_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The state `due(state, now)` reads (`active` is counted from the occurrences).
    decided_through: Mapped[datetime | None] = mapped_column(UTCDateTime)
    runs_so_far: Mapped[int] = mapped_column(Integer, default=0)
    active_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[str | None] = mapped_column(String(16))  # max_runs | ended
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduleOccurrence(Base):
    """One decided occurrence: dispatched (its job and run), waiting its turn, or skipped.

    A span of missed occurrences is one row at its first instant (`skipped_until`,
    `skipped_count`: None when a long cron outage was not counted)."""

    __tablename__ = "schedule_occurrences"
    __table_args__ = (UniqueConstraint("schedule_id", "occurrence_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(String(32))
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_number: Mapped[int | None] = mapped_column(Integer)
    # claimed | waiting | dispatched | done | failed | cancelled | interrupted | skipped
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    catch_up: Mapped[bool] = mapped_column(Boolean, default=False)
    skipped_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    skipped_count: Mapped[int | None] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    run_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
