"""`/api/meta`: what this server is and which product areas it offers."""

from __future__ import annotations

from fastapi import APIRouter

from benchstudio import __version__
from benchstudio.http.dependencies import SettingsDep
from benchstudio.system.schemas import Meta

# Areas whose API is live; the web app shows navigation only for these.
AVAILABLE_FEATURES: list[str] = [
    "overview",
    "api-docs",
    "accounts",
    "providers",
    "settings",
    "jobs",
    "admin",
    "tool-eval",
    "benchmarks",
    "history",
    "prompts",
    "judge",
    "experiments",
    "tuning",
]

router = APIRouter(tags=["system"])


@router.get("/meta", response_model=Meta)
async def meta(settings: SettingsDep) -> Meta:
    return Meta(
        name="BenchStudio",
        version=__version__,
        environment=settings.env.value,
        features=AVAILABLE_FEATURES,
        signup_policy=settings.effective_signup_policy,
    )
