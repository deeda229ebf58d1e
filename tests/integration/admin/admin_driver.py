"""A signed-in driver for the admin API (imported by module name: no conftest clash)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


class Api:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.token = ""
        self.user: dict[str, Any] = {}

    def sign_up(self, email: str) -> Api:
        self.client.cookies.clear()
        response = self.client.post(
            "/api/auth/register", json={"email": email, "password": "password-123"}
        )
        assert response.status_code == 201, response.text
        self.token = response.json()["access_token"]
        self.user = response.json()["user"]
        return self

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.client.request(method, path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None
