"""API documentation served from local files, so it works offline and under the strict CSP."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_STATIC = Path(fastapi_offline.__file__).parent / "static"
INIT_SCRIPT = Path(__file__).parent / "docs_assets" / "init-swagger.js"

DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>BenchStudio API</title>
  <link rel="icon" href="/api/docs/static/favicon.png">
  <link rel="stylesheet" href="/api/docs/static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/static/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init-swagger.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
async def api_docs_page() -> HTMLResponse:
    return HTMLResponse(DOCS_HTML)


@router.get("/api/docs/init-swagger.js")
async def api_docs_init_script() -> FileResponse:
    return FileResponse(INIT_SCRIPT, media_type="text/javascript")


def install_api_docs(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/api/docs/static", StaticFiles(directory=SWAGGER_STATIC), name="api-docs-static")
