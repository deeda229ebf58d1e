"""Personal API tokens end with the password (issue 15, item 10): a password change, a password
reset and "log out everywhere" revoke every API token of the account, and audit it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.audit.models import AuditEvent
from benchstudio.config import Settings
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit

PASSWORD = "token-revocation-password-1"
NEW_PASSWORD = "token-revocation-password-2"


@dataclass
class Account:
    client: TestClient
    mailer: CapturingMailer
    access: str
    tokens: list[str]
    other_tokens: list[str]

    def works(self, token: str) -> bool:
        response = self.client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (200, 401), response.text
        return response.status_code == 200

    def session_post(self, path: str, body: dict[str, str] | None = None) -> int:
        headers = {"Authorization": f"Bearer {self.access}"}
        return self.client.post(path, json=body, headers=headers).status_code


def _register(client: TestClient, email: str) -> str:
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    access: str = response.json()["access_token"]
    return access


def _tokens(client: TestClient, access: str, count: int) -> list[str]:
    headers = {"Authorization": f"Bearer {access}"}
    made = [
        client.post(
            "/api/auth/tokens", json={"name": f"ci-{i}", "scopes": ["read", "run"]}, headers=headers
        )
        for i in range(count)
    ]
    assert all(r.status_code == 201 for r in made)
    return [r.json()["token"] for r in made]


@pytest.fixture
def account(settings: Settings) -> Iterator[Account]:
    app = create_app(settings)
    mailer = CapturingMailer()
    app.state.mailer = mailer
    with TestClient(app, raise_server_exceptions=False) as client:
        other_access = _register(client, "bystander@example.com")
        other_tokens = _tokens(client, other_access, 1)
        client.cookies.clear()
        access = _register(client, "owner@example.com")
        tokens = _tokens(client, access, 2)
        yield Account(client, mailer, access, tokens, other_tokens)


def _audited_revocations(account: Account) -> list[dict[str, object]]:
    database: Database = account.client.app.state.database  # type: ignore[attr-defined]

    async def read() -> list[dict[str, object]]:
        async with read_unit(database) as session:
            query = select(AuditEvent.detail).where(AuditEvent.action == "api_token.revoked_all")
            return [dict(detail) for detail in (await session.execute(query)).scalars()]

    return account.client.portal.call(read)  # type: ignore[union-attr]


def _assert_revoked(account: Account) -> None:
    assert not any(account.works(token) for token in account.tokens)
    assert all(account.works(token) for token in account.other_tokens)
    listed = account.client.get(
        "/api/auth/tokens", headers={"Authorization": f"Bearer {account.access}"}
    )
    if listed.status_code == 200:
        assert listed.json() == []
    events = _audited_revocations(account)
    assert events == [{"count": 2}]


def test_password_change_revokes_api_tokens(account: Account) -> None:
    assert all(account.works(token) for token in account.tokens)
    response = account.client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"Authorization": f"Bearer {account.access}"},
    )
    assert response.status_code == 200
    account.access = response.json()["access_token"]
    _assert_revoked(account)


def test_password_reset_revokes_api_tokens(account: Account) -> None:
    requested = account.client.post(
        "/api/auth/password-reset/request", json={"email": "owner@example.com"}
    )
    assert requested.status_code == 202
    match = re.search(r"token=([A-Za-z0-9_-]+)", account.mailer.sent[-1].body)
    assert match
    confirm = {"token": match.group(1), "new_password": NEW_PASSWORD}
    assert account.client.post("/api/auth/password-reset/confirm", json=confirm).status_code == 204
    _assert_revoked(account)


def test_logout_everywhere_revokes_api_tokens(account: Account) -> None:
    assert account.session_post("/api/auth/logout-all") == 204
    _assert_revoked(account)
