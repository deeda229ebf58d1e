"""The judge's routers under `/api/judge`: per-case judging, reports, reviews, agreement and
policy (`cases`), comparative and cross-case judging (`comparisons`)."""

from __future__ import annotations

from fastapi import APIRouter

from benchstudio.judge.endpoints import cases, comparisons

__all__ = ["router"]

router = APIRouter()
router.include_router(cases.router)
router.include_router(comparisons.router)
