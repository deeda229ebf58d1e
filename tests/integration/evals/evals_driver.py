"""Helpers for eval API tests (imported by module name; a conftest here would shadow the root
one): a signed-in API driver, the scripted tool-calling simulator on its own thread, and a
provider with models pointing at it."""

from __future__ import annotations

import asyncio
import importlib.util
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.simulator import SimulatorConfig, SimulatorServer


def _toolcall_scripts() -> Any:
    """The scripted models the toolcall tests use (one source of truth for the scripts)."""
    path = Path(__file__).parents[1] / "toolcall" / "conftest.py"
    spec = importlib.util.spec_from_file_location("evals_toolcall_scripts", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SCRIPTS = _toolcall_scripts()
SIM_CONFIG: dict[str, Any] = {
    **_SCRIPTS.SIM_CONFIG,
    "models": {
        **_SCRIPTS.SIM_CONFIG["models"],
        # Good answers; every second request waits two minutes for its headers, so a run of it
        # (one case at a time) stops after its first case until it is cancelled half-way. Not
        # a ttft race: the whole run used to finish in about a second on its own.
        "slow": {
            **_SCRIPTS.FAST,
            "tool_script": _SCRIPTS.GOOD_SCRIPT,
            "faults": [{"kind": "slow_first_byte", "every": 2, "delay_ms": 120_000}],
        },
    },
}


class SimulatorThread:
    """The simulator served from a background thread (the TestClient has its own loop)."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._server = SimulatorServer(SimulatorConfig.model_validate(SIM_CONFIG))
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

    def request_log(self) -> list[dict[str, Any]]:
        """The simulator's request records, oldest first."""
        return self._server.request_log()


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

    def as_user(self, token: str) -> Api:
        other = Api(self.client)
        other.token = token
        return other

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.client.request(method, path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def wait_job(self, job_id: str, statuses: set[str], timeout_s: float = 60.0) -> dict[str, Any]:
        """Poll until the job reaches one of `statuses` (a liveness bound, not a timing check)."""
        deadline = time.monotonic() + timeout_s
        while True:
            job: dict[str, Any] = self.ok("GET", f"/api/jobs/{job_id}")
            if job["status"] in statuses:
                return job
            assert time.monotonic() < deadline, f"job stuck in {job['status']}"
            time.sleep(0.05)

    def events(self, job_id: str, kind: str) -> list[dict[str, Any]]:
        events = self.ok("GET", f"/api/jobs/{job_id}/events")
        return [e["data"] for e in events if e["type"] == kind]


def app_api(settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client)


def add_provider(api: Api, base_url: str, models: list[str]) -> tuple[str, dict[str, str]]:
    """A provider for the simulator and its models: (provider id, model name -> catalog id)."""
    body = {"name": "Scripted sim", "protocol": "openai", "base_url": base_url + "/v1"}
    provider = api.ok("POST", "/api/providers", 201, json=body)
    ids: dict[str, str] = {}
    for name in models:
        model = api.ok(
            "POST",
            "/api/models",
            201,
            json={"provider_id": provider["id"], "model_id": name, "display_name": name.title()},
        )
        ids[name] = model["id"]
    return provider["id"], ids
