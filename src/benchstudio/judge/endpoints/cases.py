"""Per-case judging routes (`/api/judge`): estimate and submit a post-eval judge, reports and
their verdicts, reviews, agreement across reports, and a run's verdict policy.

Everything is the caller's: another user's report or run answers 404 exactly like a missing one.
Cancel and live progress go through the report's job (`/api/jobs/{job_id}/cancel`, `/ws`).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response

from benchstudio.core.input_types import ObjectId, QueryText
from benchstudio.http.service_context import OwnerContext
from benchstudio.judge.endpoints.dependencies import JudgeCtx
from benchstudio.judge.schemas import (
    CaseJudgementOut,
    JudgeAgreementRow,
    JudgeCasesIn,
    JudgeEstimateOut,
    JudgeReportDetail,
    JudgeReportOut,
    JudgeSubmitted,
    PolicyIn,
    PolicyOut,
    ReportKind,
    ReviewIn,
)
from benchstudio.judge.service import agreement, reports, submit

router = APIRouter(prefix="/judge", tags=["judge"])


@router.post("/estimate", response_model=JudgeEstimateOut)
async def estimate(data: JudgeCasesIn, ctx: JudgeCtx) -> JudgeEstimateOut:
    """Cases × tokens × the judge's price, and how many cases are too long for its window."""
    return await submit.estimate_cases(ctx, data)


@router.post("/runs", response_model=JudgeSubmitted, status_code=202)
async def submit_judge(data: JudgeCasesIn, ctx: JudgeCtx) -> JudgeSubmitted:
    """Judge a finished eval run's result: a `judge_cases` job writing a new report version."""
    return await submit.submit_cases(ctx, data)


@router.get("/reports", response_model=list[JudgeReportOut])
async def list_reports(
    ctx: OwnerContext,
    eval_run_id: ObjectId | None = None,
    kind: ReportKind | None = None,
    experiment_id: ObjectId | None = None,
) -> list[JudgeReportOut]:
    """The caller's reports, newest first; `experiment_id`: those filed under it."""
    return await reports.list_reports(ctx, eval_run_id, kind, experiment_id)


@router.get("/reports/{report_id}", response_model=JudgeReportDetail)
async def get_report(report_id: ObjectId, ctx: OwnerContext) -> JudgeReportDetail:
    return await reports.report_detail(ctx, report_id)


@router.get("/reports/{report_id}/cases", response_model=list[CaseJudgementOut])
async def report_cases(
    report_id: ObjectId,
    ctx: OwnerContext,
    only: Literal["disagreements", "failed", "parse_failures"] | None = None,
) -> list[CaseJudgementOut]:
    return await reports.report_cases(ctx, report_id, only)


@router.put("/reports/{report_id}/cases/{case_id}/review", response_model=CaseJudgementOut)
async def review_case(
    report_id: ObjectId, case_id: QueryText, data: ReviewIn, ctx: OwnerContext
) -> CaseJudgementOut:
    """Settle a disagreement: the judge was right, or the automated verdict was (null clears)."""
    return await reports.set_review(ctx, report_id, case_id, data.review)


@router.delete("/reports/{report_id}", status_code=204)
async def delete_report(report_id: ObjectId, ctx: OwnerContext) -> Response:
    await reports.delete_report(ctx, report_id)
    return Response(status_code=204)


@router.get("/agreement", response_model=list[JudgeAgreementRow])
async def agreement_by_judge(ctx: OwnerContext) -> list[JudgeAgreementRow]:
    """Agreement per (judge model, prompt version) across the caller's reports."""
    return await agreement.agreement_by_judge(ctx)


@router.get("/runs/{eval_run_id}/policy", response_model=PolicyOut)
async def get_policy(eval_run_id: ObjectId, ctx: OwnerContext) -> PolicyOut:
    return await reports.run_policy(ctx, eval_run_id)


@router.put("/runs/{eval_run_id}/policy", response_model=PolicyOut)
async def set_policy(eval_run_id: ObjectId, data: PolicyIn, ctx: OwnerContext) -> PolicyOut:
    return await reports.set_run_policy(ctx, eval_run_id, data.verdict_policy)
