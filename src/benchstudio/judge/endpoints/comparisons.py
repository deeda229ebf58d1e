"""Comparative and cross-case judging routes (`/api/judge`): start a comparison of two results,
start a cross-case report, and read a comparison's pairs.

Everything is the caller's: another user's run, model or report answers 404 like a missing one.
Progress and cancel go through the report's job (`/api/jobs/{job_id}`, `/ws`).
"""

from __future__ import annotations

from fastapi import APIRouter

from benchstudio.core.input_types import ObjectId
from benchstudio.judge.endpoints.dependencies import JudgeCtx
from benchstudio.judge.schemas import (
    JudgeCompareIn,
    JudgeCrossCaseIn,
    JudgeSubmitted,
    PairJudgementOut,
)
from benchstudio.judge.service import comparative, cross_case

router = APIRouter(prefix="/judge", tags=["judge"])


@router.post(
    "/comparisons",
    response_model=JudgeSubmitted,
    status_code=202,
    responses={422: {"description": "Different suite versions (`suite_version_mismatch`)."}},
)
async def submit_comparison(data: JudgeCompareIn, ctx: JudgeCtx) -> JudgeSubmitted:
    """Compare result A with result B (same suite version), each case in both orders, blind.
    Wins are A's; a case whose two orders disagree is a tie and is flagged."""
    return await comparative.submit_comparison(ctx, data)


@router.post(
    "/reports",
    response_model=JudgeSubmitted,
    status_code=202,
    responses={
        422: {"description": "The result's cases are not judged yet (`judge_cases_first`)."}
    },
)
async def submit_cross_case(data: JudgeCrossCaseIn, ctx: JudgeCtx) -> JudgeSubmitted:
    """A cross-case report: the grade from measured figures, the judge's findings by map-reduce."""
    return await cross_case.submit_report(ctx, data)


@router.get("/reports/{report_id}/pairs", response_model=list[PairJudgementOut])
async def list_pairs(report_id: ObjectId, ctx: JudgeCtx) -> list[PairJudgementOut]:
    """A comparative report's cases: the pick in each order, the outcome, the reasoning."""
    return await comparative.list_pairs(ctx, report_id)
