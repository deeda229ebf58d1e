"""A small driver for account/session tests (imported by module name: no conftest clash)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.config import Settings


class Api:
    """Calls the API as one browser would (cookie jar of its own)."""

    def __init__(self, client: TestClient, mailer: CapturingMailer) -> None:
        self.client = client
        self.mailer = mailer
        self.token: str | None = None

    def headers(self, token: str | None = None) -> dict[str, str]:
        value = token or self.token
        return {"Authorization": f"Bearer {value}"} if value else {}

    def register(self, email: str, password: str = "correct horse battery") -> dict[str, Any]:
        response = self.client.post(
            "/api/auth/register", json={"email": email, "password": password}
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        self.token = body["access_token"]
        return body

    def login(self, email: str, password: str = "correct horse battery") -> dict[str, Any]:
        response = self.client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        self.token = body["access_token"]
        return body

    def use_cookie(self, value: str) -> None:
        """Replace the jar's refresh cookie (as a browser holding an old copy would send it)."""
        self.client.cookies.clear()
        self.client.cookies.set("bs_refresh", value)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.headers(), **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.client.post(path, headers=self.headers(), **kwargs)


def open_api(settings: Settings) -> Iterator[Api]:
    """A driver on a fresh app (lifespan running) with a capturing mailer."""
    app = create_app(settings)
    mailer = CapturingMailer()
    app.state.mailer = mailer
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, mailer)
