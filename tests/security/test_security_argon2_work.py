"""Free Argon2 work (issue 15, item 3): anonymous requests that fail anyway hash nothing, hashing
runs off the event loop in bounded slots, and register/reset are throttled per IP."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from benchstudio.accounts.service import hashing
from benchstudio.accounts.service.mailer import CapturingMailer
from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.core.passwords import Argon2Params, PasswordHasher

PASSWORD = "argon2-work-password-1"
GARBAGE_TOKEN = "x" * 43


class CountingHasher(PasswordHasher):
    """Counts Argon2 hashes and verifications (the expensive calls)."""

    def __init__(self) -> None:
        super().__init__(Argon2Params(time_cost=1, memory_kib=1024, parallelism=1))
        self.hashes = 0
        self.verifies = 0

    def hash(self, password: str) -> str:
        self.hashes += 1
        return super().hash(password)

    def verify(self, password: str, stored_hash: str) -> tuple[bool, str | None]:
        self.verifies += 1
        return super().verify(password, stored_hash)


@dataclass
class Server:
    client: TestClient
    hasher: CountingHasher
    mailer: CapturingMailer

    def register(self, email: str, **extra: object) -> int:
        body = {"email": email, "password": PASSWORD, **extra}
        return self.client.post("/api/auth/register", json=body).status_code


def _server(settings: Settings, **changes: object) -> Iterator[Server]:
    app = create_app(settings.model_copy(update=changes))
    hasher, mailer = CountingHasher(), CapturingMailer()
    app.state.password_hasher, app.state.mailer = hasher, mailer
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Server(client, hasher, mailer)


@pytest.fixture
def server(settings: Settings) -> Iterator[Server]:
    yield from _server(settings)


def test_an_invalid_reset_token_costs_no_hash(server: Server) -> None:
    assert server.register("owner@example.com") == 201
    server.hasher.hashes = 0
    for token in (GARBAGE_TOKEN, "y" * 20, "bst_" + "z" * 40):
        response = server.client.post(
            "/api/auth/password-reset/confirm",
            json={"token": token, "new_password": "a-new-password-2"},
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_token"
    assert server.hasher.hashes == 0


def test_a_used_reset_token_costs_no_hash_and_a_valid_one_costs_one(server: Server) -> None:
    assert server.register("owner@example.com") == 201
    server.client.post("/api/auth/password-reset/request", json={"email": "owner@example.com"})
    match = re.search(r"token=([A-Za-z0-9_-]+)", server.mailer.sent[-1].body)
    assert match
    confirm = {"token": match.group(1), "new_password": "a-new-password-2"}
    server.hasher.hashes = 0
    assert server.client.post("/api/auth/password-reset/confirm", json=confirm).status_code == 204
    assert server.hasher.hashes == 1
    assert server.client.post("/api/auth/password-reset/confirm", json=confirm).status_code == 401
    assert server.hasher.hashes == 1


def test_register_with_a_bogus_invite_costs_no_hash(settings: Settings) -> None:
    for server in _server(settings, signup_policy="invite"):
        for email in ("new@example.com", "other@example.com"):
            response = server.client.post(
                "/api/auth/register",
                json={"email": email, "password": PASSWORD, "invite_code": "inv_bogus-code"},
            )
            assert response.status_code == 403
        assert server.hasher.hashes == 0


def test_register_with_a_taken_email_costs_no_hash(server: Server) -> None:
    assert server.register("taken@example.com") == 201
    server.hasher.hashes = 0
    assert server.register("taken@example.com") == 409
    assert server.hasher.hashes == 0


def test_hashing_runs_off_the_event_loop_in_bounded_slots() -> None:
    state = {"running": 0, "peak": 0}
    lock = threading.Lock()
    loop_threads: set[int] = set()
    worker_threads: set[int] = set()

    class SlowHasher(PasswordHasher):
        def hash(self, password: str) -> str:
            worker_threads.add(threading.get_ident())
            with lock:
                state["running"] += 1
                state["peak"] = max(state["peak"], state["running"])
            time.sleep(0.02)
            with lock:
                state["running"] -= 1
            return "hashed"

    async def burst() -> None:
        loop_threads.add(threading.get_ident())
        hasher = SlowHasher()
        bounded = hashing.BoundedHasher(hasher)
        await asyncio.gather(*(bounded.hash("pw") for _ in range(24)))

    asyncio.run(burst())
    assert 1 <= state["peak"] <= hashing.HASH_CONCURRENCY
    assert not loop_threads & worker_threads


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/password-reset/confirm", {"token": GARBAGE_TOKEN, "new_password": PASSWORD}),
        ("/api/auth/password-reset/request", {"email": "someone@example.com"}),
        ("/api/auth/register", {"email": "flood@example.com", "password": PASSWORD}),
    ],
    ids=["reset-confirm", "reset-request", "register"],
)
def test_anonymous_account_actions_are_throttled_per_ip(
    settings: Settings, path: str, body: dict[str, str]
) -> None:
    for server in _server(settings, account_actions_max_per_ip=3):
        codes = []
        for i in range(4):
            sent = {k: (f"{i}{v}" if k == "email" else v) for k, v in body.items()}
            codes.append(server.client.post(path, json=sent).status_code)
        assert 429 not in codes[:3] and codes[3] == 429
        blocked = server.client.post(path, json=body)
        assert blocked.status_code == 429
        assert blocked.json()["error"]["code"] == "rate_limited"
        assert int(blocked.headers["retry-after"]) > 0
