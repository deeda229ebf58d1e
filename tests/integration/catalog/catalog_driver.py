"""A signed-in driver and the simulator on its own thread (imported by module name)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer


class SimulatorThread:
    """The simulator served from a background thread (the app's TestClient has its own loop)."""

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


def running_simulator() -> Iterator[SimulatorThread]:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=1, itl_ms=1))
    with SimulatorThread(config) as sim:
        yield sim


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
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.client.request(method, path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None


def app_api(settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client)
