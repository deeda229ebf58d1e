"""The results file of a live run: suite snapshot, targets (no keys), summaries and every case."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from benchstudio.toolcall.aggregate import ModelSummary, summarize_verdicts
from benchstudio.toolcall.live.records import LiveCaseResult, TargetPlan
from benchstudio.toolcall.schemas import Suite

RESULTS_FORMAT_VERSION = 1


class LiveRunReport(BaseModel):
    format_version: int = RESULTS_FORMAT_VERSION
    run_id: str
    profile: str
    started_at: datetime
    finished_at: datetime
    cancelled: bool
    total_cases: int
    finished_cases: int
    targets: list[TargetPlan]
    summaries: dict[str, dict[str, Any]] = Field(default_factory=dict)
    suite: Suite
    results: list[LiveCaseResult] = Field(default_factory=list)


def summaries_by_target(
    plans: Sequence[TargetPlan], results: Sequence[LiveCaseResult], run_id: str
) -> dict[str, ModelSummary]:
    """One summary per target over its finished cases, in target order."""
    return {
        plan.target.label: summarize_verdicts(
            [r.verdict for r in results if r.target == plan.target.label],
            model=plan.target.label,
            run_id=f"{run_id}:{plan.target.label}",
        )
        for plan in plans
    }


def order_results(
    suite: Suite, plans: Sequence[TargetPlan], results: Sequence[LiveCaseResult]
) -> list[LiveCaseResult]:
    """Results in target order, then suite case order (they arrive in finishing order)."""
    target_rank = {plan.target.label: i for i, plan in enumerate(plans)}
    case_rank = {case.id: i for i, case in enumerate(suite.cases)}
    return sorted(results, key=lambda r: (target_rank[r.target], case_rank[r.case_id]))


def build_report(
    *,
    run_id: str,
    suite: Suite,
    profile: str,
    plans: Sequence[TargetPlan],
    results: Sequence[LiveCaseResult],
    started_at: datetime,
    finished_at: datetime,
    cancelled: bool,
) -> LiveRunReport:
    summaries = summaries_by_target(plans, results, run_id)
    return LiveRunReport(
        run_id=run_id,
        profile=profile,
        started_at=started_at,
        finished_at=finished_at,
        cancelled=cancelled,
        total_cases=len(plans) * len(suite.cases),
        finished_cases=len(results),
        targets=list(plans),
        summaries={label: dataclasses.asdict(summary) for label, summary in summaries.items()},
        suite=suite,
        results=order_results(suite, plans, results),
    )


def write_report(report: LiveRunReport, path: Path) -> None:
    path.write_text(report.model_dump_json(indent=2, by_alias=True) + "\n", encoding="utf-8")
