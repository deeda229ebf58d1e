"""Refresh rotation, reuse detection, concurrent refresh, revocation, forged access tokens."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from sqlalchemy import select

from benchstudio.app import create_app
from benchstudio.audit.models import AuditEvent
from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.core.tokens import TokenKeys, encode_access_token
from benchstudio.storage.unit_of_work import read_unit

PASSWORD = "token-tests-password"


@pytest.fixture
def strict_settings(settings: Settings) -> Settings:
    """No grace window: any reuse of a rotated refresh token revokes the family."""
    return settings.model_copy(update={"refresh_reuse_grace_s": 0})


def _client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(strict_settings: Settings) -> Iterator[TestClient]:
    yield from _client(strict_settings)


def _register(client: TestClient, email: str = "t@example.com") -> tuple[str, str, str]:
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    cookie = response.cookies["bs_refresh"]
    client.cookies.clear()
    return body["access_token"], cookie, body["user"]["id"]


def _refresh_with(client: TestClient, cookie: str) -> tuple[int, str | None]:
    """Present one refresh cookie explicitly (as a browser holding that copy would)."""
    client.cookies.clear()
    response = client.post("/api/auth/refresh", headers={"Cookie": f"bs_refresh={cookie}"})
    client.cookies.clear()
    return response.status_code, response.cookies.get("bs_refresh")


def _audit_actions(client: TestClient) -> list[str]:
    async def _read() -> list[str]:
        async with read_unit(client.app.state.database) as session:  # type: ignore[attr-defined]
            return list((await session.execute(select(AuditEvent.action))).scalars())

    return client.portal.call(_read)  # type: ignore[union-attr]


def _me(client: TestClient, token: str) -> int:
    return client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_each_refresh_rotates_the_token(client: TestClient) -> None:
    _, first, _ = _register(client)
    status, second = _refresh_with(client, first)
    assert status == 200 and second and second != first
    status, third = _refresh_with(client, second)
    assert status == 200 and third not in (first, second)


def test_reusing_a_rotated_token_revokes_the_whole_family_and_is_audited(
    client: TestClient,
) -> None:
    _, first, _ = _register(client)
    _, second = _refresh_with(client, first)
    assert second
    status, _ = _refresh_with(client, first)  # the thief (or a stale copy) replays it
    assert status == 401
    status, _ = _refresh_with(client, second)  # the family is dead, the newest member too
    assert status == 401
    assert "auth.refresh_reuse" in _audit_actions(client)


def test_other_sessions_survive_a_reuse_in_one_family(client: TestClient) -> None:
    _, first, _ = _register(client)
    client.cookies.clear()
    login = client.post("/api/auth/login", json={"email": "t@example.com", "password": PASSWORD})
    other = login.cookies["bs_refresh"]
    assert login.status_code == 200
    _refresh_with(client, first)
    _refresh_with(client, first)
    assert _refresh_with(client, other)[0] == 200


@pytest.fixture
def grace_client(settings: Settings) -> Iterator[TestClient]:
    """The default grace window: a concurrent loser is "superseded", the family survives."""
    yield from _client(settings)


def test_concurrent_refresh_exactly_one_wins(grace_client: TestClient) -> None:
    _, cookie, _ = _register(grace_client)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        barrier.wait()
        response = grace_client.post(
            "/api/auth/refresh", headers={"Cookie": f"bs_refresh={cookie}"}
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [200, 401, 401, 401]


def test_superseded_refresh_within_grace_keeps_the_family(grace_client: TestClient) -> None:
    _, first, _ = _register(grace_client)
    _, second = _refresh_with(grace_client, first)
    assert second
    assert _refresh_with(grace_client, first)[0] == 401
    assert _refresh_with(grace_client, second)[0] == 200


def test_password_change_revokes_every_refresh_token(client: TestClient) -> None:
    access, cookie, _ = _register(client)
    client.cookies.clear()
    response = client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "another-password-2"},
        headers={"Authorization": f"Bearer {access}"},
    )
    assert response.status_code == 200
    assert _refresh_with(client, cookie)[0] == 401
    assert _me(client, access) == 401


def _keys(settings: Settings) -> TokenKeys:
    return TokenKeys(settings.secret_key.get_secret_value())


def test_expired_access_token_is_refused(client: TestClient, strict_settings: Settings) -> None:
    _, _, user_id = _register(client)
    token, _ = encode_access_token(
        _keys(strict_settings),
        user_id=user_id,
        role="admin",
        token_version=0,
        now=utcnow() - timedelta(hours=1),
        ttl_s=900,
    )
    assert _me(client, token) == 401
    fresh, _ = encode_access_token(
        _keys(strict_settings),
        user_id=user_id,
        role="admin",
        token_version=0,
        now=utcnow(),
        ttl_s=60,
    )
    assert _me(client, fresh) == 200  # sanity: the same recipe, unexpired, works


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_tampered_tokens_are_refused(client: TestClient) -> None:
    access, _, _ = _register(client)
    header, payload, signature = access.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    claims["sub"] = "someone-else"
    forged = f"{header}.{_b64(claims)}.{signature}"
    flipped = access[:-3] + ("AAA" if not access.endswith("AAA") else "BBB")
    for token in (forged, flipped, access + "x", access.replace(".", "", 1)):
        assert _me(client, token) == 401


def test_alg_none_is_refused(client: TestClient) -> None:
    access, _, _ = _register(client)
    claims = jwt.decode(access, options={"verify_signature": False})
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert _me(client, unsigned) == 401
    unsigned_upper = f"{_b64({'alg': 'None', 'typ': 'JWT'})}.{_b64(claims)}."
    assert _me(client, unsigned_upper) == 401


def test_hs_rs_confusion_is_refused(client: TestClient, strict_settings: Settings) -> None:
    access, _, _ = _register(client)
    claims = jwt.decode(access, options={"verify_signature": False})
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rs256 = jwt.encode(claims, private, algorithm="RS256")
    assert _me(client, rs256) == 401
    # The classic confusion: HS256 signed with a public key an RS verifier would trust.
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64({"alg": "HS256", "typ": "JWT"})
    body = _b64(claims)
    import hashlib
    import hmac

    mac = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    assert _me(client, f"{header}.{body}.{signature}") == 401
    # And a token signed with the raw server secret (not the derived key) is refused too.
    raw_secret = strict_settings.secret_key.get_secret_value()
    assert _me(client, jwt.encode(claims, raw_secret, algorithm="HS256")) == 401


def test_refresh_token_is_not_an_access_token(client: TestClient) -> None:
    _, cookie, _ = _register(client)
    assert _me(client, cookie) == 401
