"""An app client with two signed-in users (tokens minted directly, no login round trip)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from benchstudio.accounts.models import User
from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.core.tokens import TokenKeys, encode_access_token
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.unit_of_work import write_unit


@dataclass
class Caller:
    user_id: str
    headers: dict[str, str]


@dataclass
class LiveApp:
    client: TestClient
    alice: Caller
    bob: Caller
    settings: Settings


async def _create_users(settings: Settings, emails: list[str]) -> list[str]:
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        async with write_unit(db) as session:
            users = [User(email=e, password_hash="not-a-real-hash", role="user") for e in emails]
            session.add_all(users)
            await session.flush()
            return [u.id for u in users]
    finally:
        await db.dispose()


def _caller(settings: Settings, user_id: str) -> Caller:
    keys = TokenKeys(settings.secret_key.get_secret_value())
    token, _ = encode_access_token(
        keys, user_id=user_id, role="user", token_version=0, now=utcnow(), ttl_s=900
    )
    return Caller(user_id, {"Authorization": f"Bearer {token}"})


@pytest.fixture
def live_app(settings: Settings) -> Iterator[LiveApp]:
    fast = settings.model_copy(
        update={
            "jobs_dispatch_interval_s": 0.05,
            "jobs_heartbeat_s": 0.2,
            "default_jobs_per_hour": 100_000,
            "ws_max_connections_per_user": 3,
            "ws_heartbeat_s": 5.0,
        }
    )
    alice_id, bob_id = asyncio.run(_create_users(fast, ["alice@example.com", "bob@example.com"]))
    with TestClient(create_app(fast), base_url="http://testserver") as client:
        yield LiveApp(client, _caller(fast, alice_id), _caller(fast, bob_id), fast)
