"""The eval platform's routers (`/api/suites`, `/api/evals`) and the `tool_eval` job type.

Importing this module registers the job type (`tasks`); the router's lifespan hands the app's
settings to eval job handlers running in this process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from benchstudio.config import Settings
from benchstudio.evals import run_endpoints, suite_endpoints
from benchstudio.evals import tasks as _tasks  # registers the `tool_eval` job type
from benchstudio.evals.job_environment import bind_settings

__all__ = ["router"]
assert _tasks.TOOL_EVAL_JOB


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = getattr(app.state, "settings", None)
    bind_settings(settings if isinstance(settings, Settings) else None)
    try:
        yield
    finally:
        bind_settings(None)


router = APIRouter(lifespan=lifespan)
router.include_router(suite_endpoints.router)
router.include_router(run_endpoints.router)
