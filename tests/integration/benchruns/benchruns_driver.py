"""A signed-in API driver, the simulator on its own thread, and benchmark helpers
(imported by module name: a conftest here would shadow the root one)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer

FINAL_JOB_STATUSES = ("done", "failed", "cancelled", "interrupted")


class SimulatorThread:
    """The simulator served from a background thread (the TestClient has its own loop)."""

    def __init__(self, config: SimulatorConfig) -> None:
        self._loop = asyncio.new_event_loop()
        self._server = SimulatorServer(config)
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> SimulatorThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._server.start(), self._loop).result(10)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def base_url(self) -> str:
        return self._server.base_url


def simulator_config(ttft_ms: float = 2, itl_ms: float = 1, tokens: int = 8) -> SimulatorConfig:
    return SimulatorConfig(
        default=ModelProfile(ttft_ms=ttft_ms, itl_ms=itl_ms, output_tokens=tokens),
        models=[
            ModelProfile(name="slow-sim", ttft_ms=5, itl_ms=10, output_tokens=30),
            ModelProfile(name="small-window", context_window=600, output_tokens=4),
        ],
    )


def fast_settings(settings: Settings, simulator_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "demo_simulator_url": simulator_url,
        "jobs_heartbeat_s": 0.2,
        "jobs_dispatch_interval_s": 0.05,
        "jobs_cancel_grace_s": 5.0,
        "default_jobs_per_hour": 10_000,
    }
    values.update(extra)
    return settings.model_copy(update=values)


class Api:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token = ""

    def sign_up(self, email: str) -> Api:
        self.client.cookies.clear()
        response = self.client.post(
            "/api/auth/register", json={"email": email, "password": "password-123"}
        )
        assert response.status_code == 201, response.text
        self.token = response.json()["access_token"]
        return self

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def demo_target(self, model_id: str = "benchstudio-sim") -> dict[str, str]:
        providers = self.ok("GET", "/api/providers")
        demo = next(p for p in providers if p["is_demo"])
        return {"provider_id": demo["id"], "model_id": model_id}

    def wait_job(self, job_id: str, timeout_s: float = 90.0) -> dict[str, Any]:
        """Poll until the job ends (a liveness bound, not a timing assertion)."""
        deadline = time.monotonic() + timeout_s
        while True:
            job: dict[str, Any] = self.ok("GET", f"/api/jobs/{job_id}")
            if job["status"] in FINAL_JOB_STATUSES:
                return job
            assert time.monotonic() < deadline, f"job still {job['status']}"
            time.sleep(0.1)

    def wait_rows(self, run_id: str, at_least: int, timeout_s: float = 60.0) -> int:
        deadline = time.monotonic() + timeout_s
        while True:
            total = int(self.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=1")["total"])
            if total >= at_least:
                return total
            assert time.monotonic() < deadline, f"only {total} rows stored"
            time.sleep(0.05)


def running_api(settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client)
