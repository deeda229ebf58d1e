"""The eval platform's routers (`/api/suites`, `/api/evals`) and the `tool_eval` job type.

Importing this module registers the job type (`tasks`).
"""

from __future__ import annotations

from fastapi import APIRouter

from benchstudio.evals import run_endpoints, suite_endpoints
from benchstudio.evals import tasks as _tasks  # registers the `tool_eval` job type

__all__ = ["router"]
assert _tasks.TOOL_EVAL_JOB


router = APIRouter()
router.include_router(suite_endpoints.router)
router.include_router(run_endpoints.router)
