"""Serve the built web app with SPA fallback, or a page explaining how to build it."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

PACKAGED_WEB_DIST = Path(__file__).resolve().parent.parent / "web_dist"

NOT_BUILT_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BenchStudio: web app not built</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;
line-height:1.5;color:#1f2937}
code{background:#f3f4f6;padding:.1rem .3rem;border-radius:.2rem}
</style>
</head><body>
<h1>BenchStudio is running (API only)</h1>
<p>The web app has not been built, so only the API is served.</p>
<p>To build it, run <code>make run</code> from the repository root (it installs Node packages and
builds <code>web/</code> into <code>src/benchstudio/web_dist</code>), or by hand:
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>.</p>
<p>The API works now: see <a href="/api/docs">the API docs</a> and
<a href="/healthz">/healthz</a>.</p>
</body></html>
"""

# Paths the SPA must never swallow: unknown API routes stay JSON 404s.
RESERVED_PREFIXES = ("api/", "healthz", "readyz", "ws")


def resolve_web_dist(configured: Path | None) -> Path | None:
    candidate = configured or PACKAGED_WEB_DIST
    return candidate if (candidate / "index.html").is_file() else None


def install_spa(app: FastAPI, web_dist: Path | None) -> None:
    router = APIRouter(include_in_schema=False)

    # A sync handler: it runs in the threadpool, so its file-system checks never block the loop.
    @router.get("/{path:path}")
    def spa(path: str, request: Request) -> Response:
        if path == "api" or path.startswith(RESERVED_PREFIXES):
            raise HTTPException(status_code=404, detail=f"No route for /{path}")
        if "\x00" in path:  # `%00`: no file has it, and the file system would raise
            raise HTTPException(status_code=400, detail="The path contains a NUL character")
        if web_dist is None:
            return HTMLResponse(NOT_BUILT_HTML)
        if path:
            candidate = (web_dist / path).resolve()
            if candidate.is_relative_to(web_dist.resolve()) and candidate.is_file():
                cache = "public, max-age=31536000, immutable" if "/assets/" in f"/{path}" else None
                headers = {"Cache-Control": cache} if cache else None
                return FileResponse(candidate, headers=headers)
            if "." in path.rsplit("/", 1)[-1]:
                raise HTTPException(status_code=404, detail=f"No file /{path}")
        return FileResponse(web_dist / "index.html", headers={"Cache-Control": "no-cache"})

    app.include_router(router)
