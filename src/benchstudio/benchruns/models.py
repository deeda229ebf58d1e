"""Benchmark runs, the targets they measured (as run) and one row per request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.storage.base import Base, UTCDateTime

# SQLite only auto-increments an INTEGER primary key.
ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class BenchmarkRun(Base):
    """One benchmark: its configuration as run, status and the cached summary."""

    __tablename__ = "benchmark_runs"
    __table_args__ = (
        Index("ix_benchmark_runs_owner_created", "owner_id", "created_at"),
        Index("ix_benchmark_runs_owner_status", "owner_id", "status"),
        Index("ix_benchmark_runs_owner_import_hash", "owner_id", "import_hash"),
        Index("ix_benchmark_runs_owner_schedule", "owner_id", "schedule_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Null for imported runs; the job row is not a foreign key (jobs may be pruned).
    job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # Seeds the bootstrap intervals and is the results file's `run_id` (kept on import).
    run_key: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16), default="platform")  # platform | import
    title: Mapped[str] = mapped_column(String(300), default="")
    # An imported file's content hash: importing the same results twice is noticed.
    import_hash: Mapped[str | None] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16), default="profile")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    stop_reason: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    # The submitted request (re-run starts from it) and the BenchConfig as run.
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    environment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    diagnostics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Step metadata (name, target, mode, tier, wall_s, diagnostics, skipped_reason, …).
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    slo_search: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The last diagnostics report of each step window an attempt left open: the steps in
    # progress, and those an interruption cut short (a resume lists them with the step's
    # attempts). [{step, attempt, diagnostics}]
    open_windows: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    wall_s: Mapped[float | None] = mapped_column(Float)
    request_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    # Summaries cached from core.stats once the run ended, tagged with the summary version.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    summary_version: Mapped[int | None] = mapped_column(Integer)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Set on a run a schedule started: an opaque id the schedules domain owns, the
    # occurrence's instant and the schedule's run number.
    schedule_id: Mapped[str | None] = mapped_column(String(32))
    schedule_occurrence_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    schedule_run_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BenchmarkRunTarget(Base):
    """A target's identity as it ran (names survive renames and archiving)."""

    __tablename__ = "benchmark_run_targets"
    __table_args__ = (Index("ix_benchmark_run_targets_provider", "provider_id", "model_id"),)

    run_id: Mapped[str] = mapped_column(
        ForeignKey("benchmark_runs.id", ondelete="CASCADE"), primary_key=True
    )
    target_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    provider_id: Mapped[str | None] = mapped_column(String(32))
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    model_ref_id: Mapped[str | None] = mapped_column(String(32))
    model_id: Mapped[str] = mapped_column(String(256))
    model_display: Mapped[str] = mapped_column(String(200), default="")
    protocol: Mapped[str] = mapped_column(String(32), default="openai")
    base_url: Mapped[str] = mapped_column(String(2048), default="")
    # The parameter set the target ran with (not a foreign key: history outlives the set) and
    # the set's values that took effect.
    parameter_set_id: Mapped[str | None] = mapped_column(String(32))
    parameter_set_name: Mapped[str | None] = mapped_column(String(200))
    parameter_set_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class BenchmarkRequest(Base):
    """One measured request; times in ms rounded to the microsecond as in the results file."""

    __tablename__ = "benchmark_requests"
    __table_args__ = (Index("ix_benchmark_requests_run_step", "run_id", "step", "id"),)

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("benchmark_runs.id", ondelete="CASCADE"))
    target_key: Mapped[str] = mapped_column(String(300))
    step: Mapped[str] = mapped_column(String(400))
    request_id: Mapped[str] = mapped_column(String(128))
    model: Mapped[str] = mapped_column(String(256), default="")
    context_tokens: Mapped[int | None] = mapped_column(Integer)
    run_index: Mapped[int | None] = mapped_column(Integer)
    warmup: Mapped[bool] = mapped_column(Boolean, default=False)
    ttft_ms: Mapped[float | None] = mapped_column(Float)
    ttfct_ms: Mapped[float | None] = mapped_column(Float)
    tpot_ms: Mapped[float | None] = mapped_column(Float)
    e2e_ms: Mapped[float | None] = mapped_column(Float)
    first_byte_ms: Mapped[float | None] = mapped_column(Float)
    # Time spent opening the connection (0: reused a pooled one; None: not measured).
    connect_ms: Mapped[float | None] = mapped_column(Float)
    # Inter-token gaps as little-endian uint32 microseconds (4 bytes per gap).
    itl_us: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    reasoning_tokens: Mapped[int | None] = mapped_column(Integer)
    cached_input_tokens: Mapped[int | None] = mapped_column(Integer)
    tokens_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    tokenizer: Mapped[str | None] = mapped_column(String(64))
    output_tokens_per_s: Mapped[float | None] = mapped_column(Float)
    e2e_tokens_per_s: Mapped[float | None] = mapped_column(Float)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    cost_usd: Mapped[float | None] = mapped_column(Float)
    error_category: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(String(500))
    error_status: Mapped[int | None] = mapped_column(Integer)
    # A resumed run never deletes a stored (and published) row: a remeasured step's earlier
    # rows stay, marked superseded, and every statistic leaves them out.
    superseded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The job attempt that measured the row (None: imported, or stored before attempts counted).
    attempt: Mapped[int | None] = mapped_column(Integer)
