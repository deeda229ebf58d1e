"""`/healthz`: status, version, database reachability."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from benchstudio.http.dependencies import DatabaseDep
from benchstudio.storage.service_context import ServiceContext
from benchstudio.system import service
from benchstudio.system.schemas import Health

router = APIRouter(tags=["system"])


@router.get("/healthz", response_model=Health)
async def healthz(db: DatabaseDep) -> JSONResponse:
    report = await service.health(ServiceContext.system(db))
    return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)
