"""Tool-calling eval tables: suites with immutable versions, runs, and per-case results.

A suite row is the editable head; every edit writes a new `eval_suite_versions` row holding the
whole suite as JSON. Runs point at the version they ran, so editing or archiving a suite never
changes what a run shows. Case results keep the request, the response and the verdict.
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


class EvalSuite(Base):
    __tablename__ = "eval_suites"
    __table_args__ = (
        Index("ix_eval_suites_owner_id_updated_at", "owner_id", "updated_at"),
        Index("ix_eval_suites_owner_import_hash", "owner_id", "import_hash"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Where it came from: own, sample, bfcl, mcp.
    source: Mapped[str] = mapped_column(String(16), default="own")
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    case_count: Mapped[int] = mapped_column(Integer, default=0)
    tool_count: Mapped[int] = mapped_column(Integer, default=0)
    # The imported content's hash (`domain.content_hash`): a second import of it is noticed.
    import_hash: Mapped[str | None] = mapped_column(String(64))
    # Archived suites disappear from the API; runs keep their snapshots.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvalSuiteVersion(Base):
    """One immutable snapshot of a suite (the suite file JSON)."""

    __tablename__ = "eval_suite_versions"
    __table_args__ = (UniqueConstraint("suite_id", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    suite_id: Mapped[str] = mapped_column(ForeignKey("eval_suites.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvalRun(Base):
    __tablename__ = "eval_runs"
    __table_args__ = (
        Index("ix_eval_runs_owner_id_created_at", "owner_id", "created_at"),
        Index("ix_eval_runs_owner_id_experiment_id", "owner_id", "experiment_id"),
        Index("ix_eval_runs_owner_id_tuner_run_id", "owner_id", "tuner_run_id"),
        Index("ix_eval_runs_owner_id_schedule_id", "owner_id", "schedule_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    suite_id: Mapped[str] = mapped_column(String(32), index=True)
    suite_version_id: Mapped[str] = mapped_column(ForeignKey("eval_suite_versions.id"))
    suite_name: Mapped[str] = mapped_column(String(200))
    suite_version: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # Targets as they ran (provider and model identity, display names), request settings and
    # the parameter registry's adjustments. Never a key.
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Lower-cased suite name and target names, for history search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    total_cases: Mapped[int] = mapped_column(Integer, default=0)
    finished_cases: Mapped[int] = mapped_column(Integer, default=0)
    passed_cases: Mapped[int] = mapped_column(Integer, default=0)
    # Per-target pass rates cached when the run ends (detail views recompute from the rows).
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    # The experiment this run is filed under: an opaque id the experiments domain owns.
    experiment_id: Mapped[str | None] = mapped_column(String(32))
    # Set on a tuner trial's run: an opaque id the tuning domain owns. Such runs are hidden
    # from eval history unless asked for (`include_trials`, `tuner_run_id`).
    tuner_run_id: Mapped[str | None] = mapped_column(String(32))
    # Set on a run a schedule started: an opaque id the schedules domain owns, the
    # occurrence's instant and the schedule's run number.
    schedule_id: Mapped[str | None] = mapped_column(String(32))
    schedule_occurrence_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    schedule_run_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def models(self) -> list[str]:
        """The targets' labels as run, in order (the history lists them)."""
        return [str(t["label"]) for t in (self.config or {}).get("targets", [])]

    @property
    def schedule(self) -> dict[str, Any] | None:
        """The schedule metadata (`ScheduledBy`) of a scheduled run, else None."""
        if self.schedule_id is None:
            return None
        return {
            "schedule_id": self.schedule_id,
            "occurrence_at": self.schedule_occurrence_at,
            "run_number": self.schedule_run_number,
        }

    @property
    def verdict_policy(self) -> str:
        """Whose verdict is final where this run's score is shown (set with the judge options,
        changed on the run page): automated_final unless the owner chose otherwise."""
        judge = ((self.config or {}).get("settings") or {}).get("judge") or {}
        return str(judge.get("verdict_policy") or "automated_final")


class EvalCaseResult(Base):
    """One case for one target: exchanges (requests and responses), transcript and verdict."""

    __tablename__ = "eval_case_results"
    __table_args__ = (
        UniqueConstraint("run_id", "target", "case_id"),
        Index("ix_eval_case_results_run_id_target_index", "run_id", "target_index"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(ForeignKey("eval_runs.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200))
    target_index: Mapped[int] = mapped_column(Integer)
    case_index: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100))
    passed: Mapped[bool] = mapped_column(Boolean)
    error_category: Mapped[str | None] = mapped_column(String(32))
    latency_ms: Mapped[float | None] = mapped_column(Float)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[dict[str, Any]] = mapped_column(JSON)
    exchanges: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    transcript: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
