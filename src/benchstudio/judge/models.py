"""Judge tables: reports (one per judging pass), per-case verdicts and comparative pairs.

A report is one versioned pass of a judge over one eval result (run, target): a re-judge adds a
new version and keeps the earlier ones. Verdict rows keep what the judge said, or why it said
nothing usable (`parse_error`, `skipped_reason`), never a silent score. Comparative reports
point at a second result (`other_eval_run_id`, `other_target`) and store both orders per case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.storage.base import Base, UTCDateTime


class JudgeReport(Base):
    __tablename__ = "judge_reports"
    __table_args__ = (
        Index("ix_judge_reports_owner_id_created_at", "owner_id", "created_at"),
        Index("ix_judge_reports_eval_run_id", "eval_run_id"),
        Index("ix_judge_reports_owner_id_experiment_id", "owner_id", "experiment_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # cases | comparative | cross_case
    eval_run_id: Mapped[str] = mapped_column(ForeignKey("eval_runs.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(200))
    other_eval_run_id: Mapped[str | None] = mapped_column(
        ForeignKey("eval_runs.id", ondelete="CASCADE")
    )
    other_target: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    mode: Mapped[str] = mapped_column(String(20))  # live | post | auto | compare | report
    scope: Mapped[str] = mapped_column(String(20), default="all")  # all | failed | category
    category: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    job_id: Mapped[str | None] = mapped_column(String(32))
    judge_model_ref_id: Mapped[str | None] = mapped_column(String(32))
    judge_model_name: Mapped[str] = mapped_column(String(300))
    prompt_entry_id: Mapped[str] = mapped_column(String(64))
    prompt_version: Mapped[int] = mapped_column(Integer)
    show_automated: Mapped[bool] = mapped_column(Boolean, default=False)
    verdict_policy: Mapped[str] = mapped_column(String(20), default="automated_final")
    budget_usd: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    # The experiment this report is filed under (opaque; defaults to its eval run's).
    experiment_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JudgeCaseVerdict(Base):
    __tablename__ = "judge_case_verdicts"
    __table_args__ = (Index("ix_judge_case_verdicts_report_id_case_id", "report_id", "case_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("judge_reports.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[str | None] = mapped_column(String(20))  # pass | marginal | fail
    tool_selection: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    arguments: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    reasoning: Mapped[str | None] = mapped_column(Text)
    parse_error: Mapped[str | None] = mapped_column(Text)
    skipped_reason: Mapped[str | None] = mapped_column(Text)
    automated_pass: Mapped[bool | None] = mapped_column(Boolean)
    review: Mapped[str | None] = mapped_column(String(20))  # judge_right | automated_right
    mode: Mapped[str | None] = mapped_column(String(20))  # the structured-output mode used
    repaired: Mapped[bool] = mapped_column(Boolean, default=False)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JudgePairVerdict(Base):
    """One case of a comparative report: the pick in each order and what they add up to."""

    __tablename__ = "judge_pair_verdicts"
    __table_args__ = (Index("ix_judge_pair_verdicts_report_id_case_id", "report_id", "case_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("judge_reports.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    case_id: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    first_order: Mapped[str | None] = mapped_column(String(10))  # A | B | tie | None (unparsed)
    second_order: Mapped[str | None] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(20))  # win | tie | loss | undecided
    inconsistent: Mapped[bool] = mapped_column(Boolean, default=False)
    reasoning_first: Mapped[str | None] = mapped_column(Text)
    reasoning_second: Mapped[str | None] = mapped_column(Text)
    parse_error: Mapped[str | None] = mapped_column(Text)
    skipped_reason: Mapped[str | None] = mapped_column(Text)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
