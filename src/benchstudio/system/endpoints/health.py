"""`/healthz` (liveness, with each dependency's state) and `/readyz` (readiness)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from benchstudio.http.dependencies import DatabaseDep
from benchstudio.storage.service_context import ServiceContext
from benchstudio.system import service
from benchstudio.system.schemas import Health

router = APIRouter(tags=["system"])


async def _report(request: Request, db: DatabaseDep) -> Health:
    jobs = getattr(request.app.state, "jobs", None)
    redis_check = getattr(jobs, "redis_reachable", None)
    return await service.health(ServiceContext.system(db), redis_check)


@router.get("/healthz", response_model=Health)
async def healthz(request: Request, db: DatabaseDep) -> Health:
    """Liveness: 200 while this process answers, with the state of each dependency. An outage
    of the database or Redis is not cured by restarting the server, so it stays 200."""
    return await _report(request, db)


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(request: Request, db: DatabaseDep) -> JSONResponse:
    """Readiness: 503 (with the same report) while the database or Redis is unreachable."""
    report = await _report(request, db)
    return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)
