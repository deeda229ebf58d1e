"""The tuner's routers (`/api/tuning`); the composition root registers the `tune` job type
(`tasks.TUNE_JOB`)."""

from __future__ import annotations

from fastapi import APIRouter

from benchstudio.tuning.endpoints import runs

__all__ = ["router"]

router = APIRouter()
router.include_router(runs.router)
