"""The eval platform's routers (`/api/suites`, `/api/evals`); the composition root registers
the `tool_eval` job type (`runs.tasks.TOOL_EVAL_JOB`)."""

from __future__ import annotations

from fastapi import APIRouter

from benchstudio.evals.runs import endpoints as run_endpoints
from benchstudio.evals.suites import endpoints as suite_endpoints

__all__ = ["router"]


router = APIRouter()
router.include_router(suite_endpoints.router)
router.include_router(run_endpoints.router)
