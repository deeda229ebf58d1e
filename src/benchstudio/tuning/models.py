"""Tuner rows: a tuner run (its target, space, strategy, objective, budgets and what it found),
its trials (each one evaluated point, linked to the hidden eval run holding its case results),
and users' saved search-space presets.

The trial rows are the study's source of truth: a resumed job rebuilds the Optuna study from
them (ADR 0013), so no sampler state is stored. Eval runs hold the tuner run's id as an opaque
value (`eval_runs.tuner_run_id`), which hides them from eval history by default.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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


class TunerRun(Base):
    __tablename__ = "tuner_runs"
    __table_args__ = (
        Index("ix_tuner_runs_owner_id_created_at", "owner_id", "created_at"),
        Index("ix_tuner_runs_owner_id_experiment_id", "owner_id", "experiment_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # queued | running | completed | failed | cancelled (as eval runs)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    suite_id: Mapped[str] = mapped_column(String(32))
    suite_version_id: Mapped[str] = mapped_column(String(32))
    suite_name: Mapped[str] = mapped_column(String(200))
    suite_version: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(String(16))
    # The target as resolved at submit (provider and model identity, label, registry key,
    # fixed base parameters, parameter set id, system prompt). Never a key.
    target: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The request as submitted (SearchSpaceIn) and as it runs (ValidatedSpaceOut).
    space: Mapped[dict[str, Any]] = mapped_column(JSON)
    validated_space: Mapped[dict[str, Any]] = mapped_column(JSON)
    strategy: Mapped[dict[str, Any]] = mapped_column(JSON)
    objective: Mapped[dict[str, Any]] = mapped_column(JSON)
    stopping: Mapped[dict[str, Any]] = mapped_column(JSON)
    budget: Mapped[dict[str, Any]] = mapped_column(JSON)
    vendor_preset_id: Mapped[str | None] = mapped_column(String(64))
    concurrency: Mapped[int] = mapped_column(Integer, default=1)
    # The estimate shown before the start (TunerEstimateOut without the space report).
    estimate: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Totals kept as trials finish (the ledger holds the authoritative spend).
    trials_done: Mapped[int] = mapped_column(Integer, default=0)
    calls_used: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    merged_points: Mapped[int] = mapped_column(Integer, default=0)
    # Seconds the study has been running, summed over its sessions (max_wall_s counts these).
    active_s: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # Why the study ended: budget (which), early stop, exhausted space, cancelled.
    stop_reason: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # The experiment this tuner run is filed under: an opaque id the experiments domain owns.
    experiment_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TunerTrial(Base):
    """One evaluated point. `kind` says why it ran: a baseline (the provider-default point,
    a vendor preset's point) or a point the strategy asked for."""

    __tablename__ = "tuner_trials"
    __table_args__ = (UniqueConstraint("tuner_run_id", "number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tuner_run_id: Mapped[str] = mapped_column(
        ForeignKey("tuner_runs.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)  # start order within the run, from 0
    kind: Mapped[str] = mapped_column(String(24))  # baseline_default | baseline_preset | search
    # running | complete | pruned | failed
    state: Mapped[str] = mapped_column(String(16), default="running")
    point: Mapped[dict[str, Any]] = mapped_column(JSON)  # the sampler's point
    effective: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the request carried
    fingerprint: Mapped[str] = mapped_column(Text)
    eval_run_id: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    score_low: Mapped[float | None] = mapped_column(Float)
    score_high: Mapped[float | None] = mapped_column(Float)
    repeat_scores: Mapped[list[float]] = mapped_column(JSON, default=list)
    # The objective values the strategy was told, in the objective's directions order.
    values: Mapped[list[float]] = mapped_column(JSON, default=list)
    partial: Mapped[float | None] = mapped_column(Float)  # a pruned trial's score so far
    cases: Mapped[int] = mapped_column(Integer, default=0)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    latency_p50_ms: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TunerSpacePreset(Base):
    """A user's saved search space (SearchSpaceIn), loaded into the tuner page by name."""

    __tablename__ = "tuner_space_presets"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    space: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
