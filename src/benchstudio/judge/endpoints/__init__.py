"""The judge's routers under `/api/judge`: per-case judging, reports, reviews, agreement and
policy (`cases`), comparative and cross-case judging (`comparisons`)."""

from __future__ import annotations

import importlib
import importlib.util

from fastapi import APIRouter

from benchstudio.judge.endpoints import cases

__all__ = ["router"]

router = APIRouter()
router.include_router(cases.router)

# Comparative and cross-case routes live in their own module, built on a parallel branch; it is
# included once it exists (after the merge this becomes a plain import).
if importlib.util.find_spec("benchstudio.judge.endpoints.comparisons") is not None:
    router.include_router(importlib.import_module("benchstudio.judge.endpoints.comparisons").router)
