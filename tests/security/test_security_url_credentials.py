"""Base URLs with a credential in the query string are refused, on create and on update.

Issue 15 item 19: `?key=…` in a provider's base URL was stored and returned in plaintext,
outside the vault. Now such a URL gets a 422 in the error envelope with a hint to use the API
key field; the value is neither echoed nor stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from security_platform import create_app, sign_up
from sqlalchemy import text

from benchstudio.config import Settings
from benchstudio.storage.engine import DatabaseConfig, create_engine

SECRET = "Qm9vbV9zZWNyZXRfdmFsdWVfOTk"
CREDENTIAL_URLS = [
    f"https://generativelanguage.googleapis.com/v1beta?key={SECRET}",
    f"https://llm.example.com/v1?api_key={SECRET}",
    f"https://llm.example.com/v1?API-KEY={SECRET}",
    f"https://llm.example.com/v1?region=eu&token={SECRET}",
    f"https://llm.example.com/v1?access_token={SECRET}",
    f"https://llm.example.com/v1?sig={SECRET}&se=2030-01-01",
    f"https://llm.example.com/v1?subscription-key={SECRET}",
    f"https://llm.example.com/v1?X-Amz-Signature={SECRET}",
    f"https://llm.example.com/v1?%6Bey={SECRET}",
]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _assert_refused(response: httpx.Response, what: str) -> None:
    status, text = response.status_code, response.text
    assert status == 422, f"{what}: {text}"
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "API key field" in error["message"]
    assert SECRET not in text


def test_credentials_in_the_query_are_refused_on_create_and_update(client: TestClient) -> None:
    user = sign_up(client, "url-secrets@example.com")
    for url in CREDENTIAL_URLS:
        created = client.post(
            "/api/providers", json={"name": "g", "base_url": url}, headers=user.headers
        )
        _assert_refused(created, url)
    good = client.post(
        "/api/providers",
        json={"name": "azure", "base_url": "https://x.example.com/openai?api-version=2024-06-01"},
        headers=user.headers,
    )
    assert good.status_code == 201, good.text
    provider_id = good.json()["id"]
    for url in CREDENTIAL_URLS:
        updated = client.patch(
            f"/api/providers/{provider_id}", json={"base_url": url}, headers=user.headers
        )
        _assert_refused(updated, url)
    stored = client.get("/api/providers", headers=user.headers).text
    assert SECRET not in stored
    assert "api-version=2024-06-01" in stored


def test_credentials_stored_before_the_check_are_masked_in_responses(
    client: TestClient, settings: Settings
) -> None:
    """A provider saved with `?key=` before this check existed: its URL is shown masked."""
    user = sign_up(client, "legacy-url@example.com")
    created = client.post(
        "/api/providers",
        json={"name": "legacy", "base_url": "https://llm.example.com/v1?api-version=1"},
        headers=user.headers,
    )
    provider_id = created.json()["id"]
    legacy = f"https://llm.example.com/v1?api-version=1&key={SECRET}"

    async def store_legacy_url() -> None:
        engine = create_engine(
            DatabaseConfig(url=settings.database_url, schema=settings.database_schema)
        )
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("UPDATE providers SET base_url = :url WHERE id = :id"),
                    {"url": legacy, "id": provider_id},
                )
        finally:
            await engine.dispose()

    asyncio.run(store_legacy_url())
    for response in (
        client.get("/api/providers", headers=user.headers),
        client.get(f"/api/providers/{provider_id}", headers=user.headers),
    ):
        assert response.status_code == 200, response.text
        assert SECRET not in response.text
        assert "api-version=1" in response.text
