"""Behind a proxy (issue 15 item 11): forwarded headers count only from trusted proxies, so the
per-IP sign-in throttle keys on the real client; HSTS in production.

Before the fix the throttle keyed on the TCP peer whatever the settings (one proxy's 30 bad
logins locked everyone out) and production over plain http (TLS ended at the proxy) sent no HSTS.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from security_platform import create_app

from benchstudio.auth.endpoints.dependencies import ClientDep
from benchstudio.config import Environment, Settings
from benchstudio.http.client_address import TrustedProxies

PROXY = "10.9.8.7"
STRANGER = "203.0.113.50"
_emails = count()

probe = APIRouter()


@probe.get("/test-only/client")
async def _client(client: ClientDep) -> dict[str, str | None]:
    return {"ip": client.ip}


@pytest.fixture
def proxied(sqlite_settings: Settings) -> Settings:
    return sqlite_settings.model_copy(
        update={"trusted_proxies": [f"{PROXY}/32", "fd00:1::/64"], "login_max_failures_per_ip": 3}
    )


def _client_from(settings: Settings, peer: str) -> TestClient:
    app = create_app(settings, extra_routers=[probe])
    return TestClient(app, client=(peer, 40000), raise_server_exceptions=False)


@pytest.fixture
def via_proxy(proxied: Settings) -> Iterator[TestClient]:
    with _client_from(proxied, PROXY) as client:
        yield client


@pytest.fixture
def from_stranger(proxied: Settings) -> Iterator[TestClient]:
    with _client_from(proxied, STRANGER) as client:
        yield client


def _seen(client: TestClient, headers: dict[str, str]) -> str | None:
    response = client.get("/test-only/client", headers=headers)
    assert response.status_code == 200, response.text
    ip: str | None = response.json()["ip"]
    return ip


def _bad_login(client: TestClient, forwarded_for: str) -> int:
    body = {"email": f"nobody{next(_emails)}@example.com", "password": "wrong-password-1"}
    response = client.post("/api/auth/login", json=body, headers={"X-Forwarded-For": forwarded_for})
    return response.status_code


def test_spoofed_forwarded_for_from_untrusted_peer_is_ignored(from_stranger: TestClient) -> None:
    assert _seen(from_stranger, {"X-Forwarded-For": "198.51.100.1"}) == STRANGER
    assert _seen(from_stranger, {"Forwarded": "for=198.51.100.1"}) == STRANGER
    # Rotating the spoofed address does not escape the per-IP throttle.
    statuses = [_bad_login(from_stranger, f"198.51.100.{n}") for n in range(1, 6)]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]


def test_forwarded_for_from_trusted_proxy_is_the_client(via_proxy: TestClient) -> None:
    assert _seen(via_proxy, {"X-Forwarded-For": "198.51.100.1"}) == "198.51.100.1"
    # Right to left, skipping trusted hops; the left-most entry is the client's to forge.
    chain = {"X-Forwarded-For": f"1.1.1.1, 198.51.100.2, {PROXY}"}
    assert _seen(via_proxy, chain) == "198.51.100.2"
    assert _seen(via_proxy, {"Forwarded": 'for="[2001:db8::7]:4711";proto=https'}) == "2001:db8::7"
    assert _seen(via_proxy, {"Forwarded": "for=198.51.100.3:5000"}) == "198.51.100.3"
    assert _seen(via_proxy, {}) == PROXY
    # One client's failures lock that client out, not everyone behind the proxy.
    assert [_bad_login(via_proxy, "198.51.100.20") for _ in range(4)] == [401, 401, 401, 429]
    assert _bad_login(via_proxy, "198.51.100.21") == 401


def test_forwarded_proto_only_from_trusted_proxy() -> None:
    proxies = TrustedProxies([PROXY])
    headers = [(b"x-forwarded-proto", b"https"), (b"x-forwarded-for", b"198.51.100.9")]
    trusted = {"type": "http", "scheme": "http", "client": (PROXY, 1), "headers": headers}
    assert proxies.resolve(trusted) == ("198.51.100.9", "https")
    untrusted = {**trusted, "client": (STRANGER, 1)}
    assert proxies.resolve(untrusted) == (STRANGER, "http")
    assert TrustedProxies([]).resolve(trusted) == (PROXY, "http")


def test_bad_trusted_proxy_entry_refuses_settings(sqlite_settings: Settings) -> None:
    with pytest.raises(ValueError, match="not an IP address or CIDR"):
        Settings(**{**sqlite_settings.model_dump(), "trusted_proxies": ["proxy.example"]})


def test_hsts_in_production_not_in_dev(sqlite_settings: Settings) -> None:
    for env, expected in [(Environment.PRODUCTION, True), (Environment.DEV, False)]:
        # Production refuses to start without the public URL its e-mailed links use.
        update = {"env": env, "public_url": "https://bench.example.com"}
        app = create_app(sqlite_settings.model_copy(update=update))
        # Plain http, as behind a proxy that ends TLS; no lifespan: only edge headers matter.
        response = TestClient(app, raise_server_exceptions=False).get("/api/no-such-route")
        assert response.status_code == 404
        header = response.headers.get("strict-transport-security")
        assert (header is not None) == expected, (env, response.headers)
        if expected:
            assert "max-age=" in (header or "")
