"""The tuner's routers (`/api/tuning`): runs (`runs`) and the library around them (`library`:
the space check, vendor and saved presets, apply best). The composition root registers the
`tune` job type (`tasks.TUNE_JOB`)."""

from __future__ import annotations

from fastapi import APIRouter

from benchstudio.tuning.endpoints import library, runs

__all__ = ["router"]

router = APIRouter()
router.include_router(runs.router)
router.include_router(library.router)
