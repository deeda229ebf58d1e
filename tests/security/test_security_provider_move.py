"""Moving a provider cannot read out its stored key (issue 15, item 5).

The next health check sends the stored key and extra headers to the provider's base URL, so
whoever may change the URL may read the key. Now a `run`-scoped API token cannot change it
(403 `session_required`), a session must send the key and every extra header again when the
new URL is on another origin (422 `secrets_required_for_new_host`), and every change is
audited with both hosts. A recording server stands in for the attacker's host: it must never
see the stored secrets.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from fastapi.testclient import TestClient
from security_platform import Tenant, sign_up
from security_servers import LocalServer, models_ok
from sqlalchemy import select

from benchstudio.app import create_app
from benchstudio.audit.models import AuditEvent
from benchstudio.config import Settings
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit

KEY = "sk-stored-key-0123456789abcdef"
HEADER_SECRET = "org-secret-value-42"
NEW_KEY = "sk-re-entered-key-9876543210"


class Recorder:
    """A provider that answers a models list and remembers every request's headers."""

    def __init__(self) -> None:
        self.seen: list[dict[str, str]] = []

    def __call__(self, request: BaseHTTPRequestHandler) -> None:
        self.seen.append({k.lower(): v for k, v in request.headers.items()})
        models_ok(request)

    def carried(self, secret: str) -> bool:
        return any(secret in value for headers in self.seen for value in headers.values())


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def hosts() -> Iterator[tuple[LocalServer, LocalServer, Recorder]]:
    recorder = Recorder()
    with LocalServer(models_ok) as home, LocalServer(recorder) as elsewhere:
        yield home, elsewhere, recorder


def _provider(client: TestClient, user: Tenant, base_url: str) -> str:
    body = {
        "name": "moved",
        "base_url": base_url,
        "api_key": KEY,
        "extra_headers": {"X-Org": HEADER_SECRET},
    }
    created = client.post("/api/providers", json=body, headers=user.headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _run_token(client: TestClient, user: Tenant) -> dict[str, str]:
    body = {"name": "ci", "scopes": ["read", "run"]}
    created = client.post("/api/auth/tokens", json=body, headers=user.headers)
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['token']}"}


def _audited_moves(client: TestClient) -> list[dict[str, Any]]:
    database: Database = client.app.state.database  # type: ignore[attr-defined]

    async def read() -> list[dict[str, Any]]:
        async with read_unit(database) as session:
            query = select(AuditEvent.detail).where(
                AuditEvent.action == "provider.base_url_changed"
            )
            return [dict(detail) for detail in (await session.execute(query)).scalars()]

    return client.portal.call(read)  # type: ignore[union-attr]


def test_a_run_token_cannot_move_a_provider(
    client: TestClient, hosts: tuple[LocalServer, LocalServer, Recorder]
) -> None:
    home, elsewhere, recorder = hosts
    user = sign_up(client, "mover-token@example.com")
    provider_id = _provider(client, user, f"{home.url}/v1")
    token = _run_token(client, user)
    body = {"base_url": f"{elsewhere.url}/v1", "api_key": NEW_KEY, "extra_headers": {}}
    moved = client.patch(f"/api/providers/{provider_id}", json=body, headers=token)
    assert moved.status_code == 403, moved.text
    assert moved.json()["error"]["code"] == "session_required"
    renamed = client.patch(f"/api/providers/{provider_id}", json={"name": "ok"}, headers=token)
    assert renamed.status_code == 200, renamed.text  # the token may still edit the rest
    health = client.post(f"/api/providers/{provider_id}/health", headers=token)
    assert health.status_code == 200 and health.json()["ok"], health.text
    assert recorder.seen == []
    assert _audited_moves(client) == []


def test_a_session_must_send_the_secrets_again_for_a_new_host(
    client: TestClient, hosts: tuple[LocalServer, LocalServer, Recorder]
) -> None:
    home, elsewhere, recorder = hosts
    user = sign_up(client, "mover-session@example.com")
    provider_id = _provider(client, user, f"{home.url}/v1")
    path = f"/api/providers/{provider_id}"
    for body, missing in (
        ({"base_url": f"{elsewhere.url}/v1"}, ["api_key", "extra_headers"]),
        ({"base_url": f"{elsewhere.url}/v1", "api_key": KEY}, ["extra_headers"]),
        ({"base_url": f"{elsewhere.url}/v1", "extra_headers": {}}, ["api_key"]),
    ):
        refused = client.patch(path, json=body, headers=user.headers)
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert error["code"] == "secrets_required_for_new_host"
        assert all(name in error["message"] for name in missing), error
        assert KEY not in refused.text and HEADER_SECRET not in refused.text
    assert client.get(path, headers=user.headers).json()["base_url"] == f"{home.url}/v1"
    health = client.post(f"{path}/health", headers=user.headers)
    assert health.status_code == 200 and health.json()["ok"], health.text
    assert recorder.seen == []  # nothing, let alone the key, went to the other host
    assert _audited_moves(client) == []


def test_with_the_secrets_sent_again_the_move_is_made_and_audited(
    client: TestClient, hosts: tuple[LocalServer, LocalServer, Recorder]
) -> None:
    home, elsewhere, recorder = hosts
    user = sign_up(client, "mover-ok@example.com")
    provider_id = _provider(client, user, f"{home.url}/v1")
    path = f"/api/providers/{provider_id}"
    same_host = client.patch(path, json={"base_url": f"{home.url}/v2"}, headers=user.headers)
    assert same_host.status_code == 200, same_host.text  # same origin: nothing to re-enter
    body = {"base_url": f"{elsewhere.url}/v1", "api_key": NEW_KEY, "extra_headers": {}}
    moved = client.patch(path, json=body, headers=user.headers)
    assert moved.status_code == 200, moved.text
    out = moved.json()
    assert out["base_url"] == f"{elsewhere.url}/v1" and out["extra_header_names"] == []
    health = client.post(f"{path}/health", headers=user.headers)
    assert health.status_code == 200 and health.json()["ok"], health.text
    assert recorder.carried(NEW_KEY)
    assert not recorder.carried(KEY) and not recorder.carried(HEADER_SECRET)
    moves = _audited_moves(client)
    assert {"old_host": f"127.0.0.1:{home.port}", "new_host": f"127.0.0.1:{elsewhere.port}"} in [
        {k: m.get(k) for k in ("old_host", "new_host")} for m in moves
    ]
    assert len(moves) == 2
    assert not any(KEY in str(m) or NEW_KEY in str(m) for m in moves)
