"""A signed-in API driver for the prompt library tests (imported by module name)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.config import Settings


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

    def error(self, method: str, path: str, status: int, **kwargs: Any) -> dict[str, Any]:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        error: dict[str, Any] = response.json()["error"]
        return error


def app_api(settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client)
