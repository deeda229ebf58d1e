"""Experiment rows. Runs hold the experiment id as an opaque value (`eval_runs.experiment_id`,
`judge_reports.experiment_id`, later tuner runs), so filing a run is an update of that run and an
experiment lists its runs through the owning domains' services; no membership table here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.storage.base import Base, UTCDateTime


class Experiment(Base):
    __tablename__ = "experiments"
    __table_args__ = (
        Index("ix_experiments_owner_id_updated_at", "owner_id", "updated_at"),
        Index("ix_experiments_suite_id", "suite_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The suite snapshot the scale is defined on (the suite itself may later change or go).
    suite_id: Mapped[str] = mapped_column(String(32))
    suite_name: Mapped[str] = mapped_column(String(200))
    suite_version: Mapped[int] = mapped_column(Integer)
    # Scoring profile of the scale: results scored with another profile are shown apart.
    profile: Mapped[str] = mapped_column(String(16))
    # Target models: [{"provider_id", "model_id", "label"}], the defaults of a new run.
    models: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The chosen baseline, an (eval run, target label) result; null: the first finished result.
    baseline_run_id: Mapped[str | None] = mapped_column(String(32))
    baseline_target: Mapped[str | None] = mapped_column(String(200))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
