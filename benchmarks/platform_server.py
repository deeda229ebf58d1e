"""`benchstudio serve` for benchmark scripts: started on free ports in embedded mode (SQLite,
jobs in the server process, each benchmark measured in its own child process), and a signed-in
API client.

`start_server(workdir, port)` runs it with the built-in demo simulator; with `simulator_url`
the "Simulator (demo)" provider every user gets points at that simulator instead (one the
script started itself, e.g. pinned to its own core).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp

BENCHSTUDIO = str(Path(sys.executable).parent / "benchstudio")
FINAL_JOB_STATUSES = ("done", "failed", "cancelled", "interrupted")


# uvicorn closes a keep-alive connection after 5 idle seconds. A client that keeps it longer
# may write its next request into a socket the server is closing ("Can not write request
# body"), so the scripts' sessions drop idle connections first.
API_KEEPALIVE_S = 2.0


def api_session(total_timeout_s: float = 600) -> aiohttp.ClientSession:
    """A session for talking to the server under test (call inside a running loop)."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=total_timeout_s),
        connector=aiohttp.TCPConnector(keepalive_timeout=API_KEEPALIVE_S),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    workdir: Path,
    port: int,
    simulator_url: str | None = None,
    settings: Mapping[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """The server, logging to `workdir/server.log`; its database and secrets live there too.
    `settings` overrides the defaults below (e.g. a script's own job limits)."""
    env = dict(os.environ)
    env.update(
        {
            "BENCHSTUDIO_ENV": "dev",
            "BENCHSTUDIO_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'load.db'}",
            "BENCHSTUDIO_SECRETS_FILE": str(workdir / "secrets.env"),
            "BENCHSTUDIO_SIGNUP_POLICY": "open",
            "BENCHSTUDIO_DEMO_SIMULATOR": "true",
            "BENCHSTUDIO_DEMO_SIMULATOR_PORT": str(free_port()),
            "BENCHSTUDIO_ARGON2_TIME_COST": "1",
            "BENCHSTUDIO_ARGON2_MEMORY_KIB": "8192",
            "BENCHSTUDIO_DEFAULT_JOBS_PER_HOUR": "10000",
            "BENCHSTUDIO_DEFAULT_CONCURRENT_JOBS": "2",
            "BENCHSTUDIO_JOBS_MAX_RUNNING": "20",
            "BENCHSTUDIO_LOG_LEVEL": "WARNING",
            "BENCHSTUDIO_WEB_DIST": str(workdir / "no-web"),
        }
    )
    if simulator_url is not None:
        env.update(
            {"BENCHSTUDIO_DEMO_SIMULATOR": "false", "BENCHSTUDIO_DEMO_SIMULATOR_URL": simulator_url}
        )
    env.update(settings or {})
    log = (workdir / "server.log").open("wb")
    return subprocess.Popen(
        [BENCHSTUDIO, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


class Client:
    """One signed-in user (signed in again when the access token has expired: 15 minutes)."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        base: str,
        headers: dict[str, str],
        credentials: dict[str, str] | None = None,
    ) -> None:
        self.http, self.base, self.headers = http, base, headers
        self.credentials = credentials

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        extra = kwargs.pop("headers", {})
        status, body = await self._request(method, path, extra, kwargs)
        if status == 401 and self.credentials is not None:
            self.headers = _bearer(await _token(self.http, self.base, "login", self.credentials))
            status, body = await self._request(method, path, extra, kwargs)
        return status, body

    async def _request(
        self, method: str, path: str, extra: dict[str, str], kwargs: dict[str, Any]
    ) -> tuple[int, Any]:
        async with self.http.request(
            method, self.base + path, headers=self.headers | extra, **kwargs
        ) as response:
            return response.status, await response.json(content_type=None)

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        status, body = await self.call(method, path, **kwargs)
        if status >= 300:
            raise RuntimeError(f"{method} {path} → {status}: {body}")
        return body

    async def demo_target(self, model_id: str = "benchstudio-sim") -> dict[str, str]:
        providers = await self.ok("GET", "/api/providers")
        items = providers["items"] if isinstance(providers, dict) else providers
        demo = next(p for p in items if p["is_demo"])
        return {"provider_id": demo["id"], "model_id": model_id}

    async def wait_job(self, job_id: str, timeout_s: float, poll_s: float = 0.2) -> dict[str, Any]:
        """The job once it has ended; RuntimeError when it has not within `timeout_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            job: dict[str, Any] = await self.ok("GET", f"/api/jobs/{job_id}")
            if job["status"] in FINAL_JOB_STATUSES:
                return job
            if loop.time() > deadline:
                raise RuntimeError(f"job {job_id} still {job['status']} after {timeout_s:.0f} s")
            await asyncio.sleep(poll_s)


async def wait_healthy(http: aiohttp.ClientSession, base: str, timeout_s: float = 120) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s  # a busy machine starts it slowly
    while loop.time() < deadline:
        try:
            async with http.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _token(
    http: aiohttp.ClientSession, base: str, action: str, credentials: dict[str, str]
) -> str:
    async with http.post(f"{base}/api/auth/{action}", json=credentials) as response:
        data = await response.json()
        if response.status >= 300:
            raise RuntimeError(f"{action} failed: {response.status} {data}")
    return str(data["access_token"])


async def sign_up(http: aiohttp.ClientSession, base: str, index: int) -> Client:
    credentials = {"email": f"load{index}@example.com", "password": f"load-test-password-{index}!"}
    token = await _token(http, base, "register", credentials)
    return Client(http, base, _bearer(token), credentials)
