"""Login lockout (issue 15, item 12): wrong passwords from one address stop that address for that
account, not the owner elsewhere; a global per-account ceiling stops spread-out guessing and
mails the owner."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.config import Settings

EMAIL = "kim@example.com"
PASSWORD = "lockout-owner-passphrase"


class ClientAddress:
    """Test wrapper: the `X-Test-Client` header stands for the connection's peer address."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"x-test-client":
                    scope = {**scope, "client": (value.decode(), 50000)}
        await self.app(scope, receive, send)


@dataclass
class Server:
    client: TestClient
    mailer: CapturingMailer

    def login(self, ip: str, password: str) -> int:
        response = self.client.post(
            "/api/auth/login",
            json={"email": EMAIL, "password": password},
            headers={"X-Test-Client": ip},
        )
        self.client.cookies.clear()
        return response.status_code

    def mails_to_owner(self) -> list[str]:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the notice goes out after the answer
            sent = [m.body for m in self.mailer.sent if m.to == EMAIL and "paused" in m.subject]
            if sent:
                return sent
            time.sleep(0.02)
        return []


@pytest.fixture
def server(settings: Settings) -> Iterator[Server]:
    changed = settings.model_copy(
        update={
            "login_max_failures_per_account_ip": 3,
            "login_max_failures_per_account": 7,
            "login_max_failures_per_ip": 100,
        }
    )
    app = create_app(changed)
    mailer = CapturingMailer()
    app.state.mailer = mailer
    with TestClient(ClientAddress(app), raise_server_exceptions=False) as client:
        registered = client.post("/api/auth/register", json={"email": EMAIL, "password": PASSWORD})
        assert registered.status_code == 201
        client.cookies.clear()
        yield Server(client, mailer)


def test_a_guesser_does_not_lock_the_owner_out_from_elsewhere(server: Server) -> None:
    codes = [server.login("198.51.100.1", "wrong-guess-1") for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert server.login("198.51.100.1", PASSWORD) == 429  # that address waits
    assert server.login("203.0.113.5", PASSWORD) == 200  # the owner, elsewhere, does not
    assert server.mails_to_owner() == []  # below the ceiling: no alarm


def test_the_global_ceiling_stops_spread_out_guessing_and_mails_the_owner(
    server: Server,
) -> None:
    codes = [server.login(f"198.51.100.{i}", "wrong-guess-2") for i in range(7)]
    assert codes == [401] * 7
    assert server.login("198.51.100.99", "wrong-guess-2") == 429
    assert server.login("203.0.113.5", PASSWORD) == 429  # every address, owner included
    mails = server.mails_to_owner()
    assert len(mails) == 1
    assert "paused" in mails[0] and "forgot-password" in mails[0]


def test_unknown_accounts_get_the_same_answers_and_no_mail(server: Server) -> None:
    def attempt(ip: str) -> int:
        response = server.client.post(
            "/api/auth/login",
            json={"email": "nobody@example.com", "password": "wrong-guess-3"},
            headers={"X-Test-Client": ip},
        )
        return response.status_code

    codes = [attempt(f"198.51.100.{i}") for i in range(8)]
    assert codes == [401] * 7 + [429]
    assert server.mailer.sent == []
