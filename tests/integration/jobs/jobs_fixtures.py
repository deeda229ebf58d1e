"""Fixtures for job tests (imported by the test modules; a conftest here would shadow
the root one): an open database on both backends and a few users."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from benchstudio.accounts.models import User
from benchstudio.config import Settings
from benchstudio.storage.engine import Database, DatabaseConfig, open_database
from benchstudio.storage.unit_of_work import write_unit


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    yield db
    await db.dispose()


async def add_user(db: Database, email: str, role: str = "user") -> str:
    async with write_unit(db) as session:
        user = User(email=email, password_hash="not-a-real-hash", role=role)
        session.add(user)
        await session.flush()
        return user.id


@pytest.fixture
async def alice(database: Database) -> str:
    return await add_user(database, "alice@example.com")


@pytest.fixture
async def bob(database: Database) -> str:
    return await add_user(database, "bob@example.com")


Eventually = Callable[[Callable[[], Awaitable[bool]]], Awaitable[None]]


async def _eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    """Poll until `check` holds (a liveness bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout_s
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@pytest.fixture
def eventually() -> Eventually:
    return _eventually
