"""Credentials stored in provider URLs before they were refused move into the vault at start-up.

Issue 15 item 19: new base URLs with `?key=` and the like are refused, but rows saved earlier
may still hold a key in plaintext. On start-up the catalog moves the first such value into the
vault as the provider's API key (unless one is stored: that one wins), strips every credential
parameter from the stored URL and audits it by parameter name. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from http.server import BaseHTTPRequestHandler
from typing import Any

from fastapi.testclient import TestClient
from security_platform import Tenant, sign_up
from security_servers import LocalServer, models_ok
from sqlalchemy import text

from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.storage.engine import DatabaseConfig, create_engine

SECRET = "Qm9vbV9sZWdhY3lfdXJsX2tleV8xMjM0"
STORED_KEY = "sk-already-in-the-vault-5678"


async def _sql(settings: Settings, statement: str, **params: Any) -> list[Any]:
    engine = create_engine(
        DatabaseConfig(url=settings.database_url, schema=settings.database_schema)
    )
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(statement), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


def _create(client: TestClient, user: Tenant, base_url: str, key: str | None = None) -> str:
    body = {"name": "legacy", "base_url": base_url, "api_key": key}
    created = client.post("/api/providers", json=body, headers=user.headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_query_credentials_move_into_the_vault_at_start_up(settings: Settings) -> None:
    seen: list[tuple[str, dict[str, str]]] = []

    def record(request: BaseHTTPRequestHandler) -> None:
        seen.append((request.path, {k.lower(): v for k, v in request.headers.items()}))
        models_ok(request)

    with LocalServer(record) as server:
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            user = sign_up(client, "legacy-repair@example.com")
            keyless = _create(client, user, f"{server.url}/v1?api-version=1")
            keyed = _create(client, user, f"{server.url}/v2", STORED_KEY)
        for provider_id, url in (
            (keyless, f"{server.url}/v1?api-version=1&key={SECRET}"),
            (keyed, f"{server.url}/v2?access_token={SECRET}"),
        ):  # as saved before the check existed
            asyncio.run(
                _sql(
                    settings,
                    "UPDATE providers SET base_url = :u WHERE id = :i",
                    u=url,
                    i=provider_id,
                )
            )

        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            listed = client.get("/api/providers", headers=user.headers)
            assert listed.status_code == 200 and SECRET not in listed.text, listed.text
            by_id = {p["id"]: p for p in listed.json()}
            assert by_id[keyless]["base_url"] == f"{server.url}/v1?api-version=1"
            assert by_id[keyless]["has_key"] and by_id[keyless]["key_last4"] == SECRET[-4:]
            assert by_id[keyed]["base_url"] == f"{server.url}/v2"
            assert by_id[keyed]["key_last4"] == STORED_KEY[-4:]  # the vault's key wins
            for provider_id in (keyless, keyed):
                health = client.post(f"/api/providers/{provider_id}/health", headers=user.headers)
                assert health.status_code == 200 and health.json()["ok"], health.text

    (path, headers), (other_path, other_headers) = seen
    assert SECRET not in path and headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in other_path and other_headers["authorization"] == f"Bearer {STORED_KEY}"
    stored = asyncio.run(_sql(settings, "SELECT base_url FROM providers"))
    assert not any(SECRET in row[0] for row in stored)
    events = asyncio.run(
        _sql(
            settings,
            "SELECT detail FROM audit_events WHERE action = 'provider.url_credentials_moved'",
        )
    )
    assert len(events) == 2 and not any(SECRET in str(row[0]) for row in events)

    # Idempotent: a second start finds nothing to move.
    with TestClient(create_app(settings), raise_server_exceptions=False):
        pass
    again = asyncio.run(
        _sql(
            settings,
            "SELECT count(*) FROM audit_events WHERE action = 'provider.url_credentials_moved'",
        )
    )
    assert again[0][0] == 2
