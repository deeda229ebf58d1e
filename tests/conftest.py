"""Shared fixtures: settings, databases on SQLite and PostgreSQL (one schema per test), apps."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from benchstudio.config import Settings
from benchstudio.storage.engine import DatabaseConfig
from benchstudio.storage.migrate import upgrade_to_head
from platform_settings import make_settings, sqlite_database
from postgres_template import dump_schema, replay_template

POSTGRES_URL = os.environ.get(
    "BENCHSTUDIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("BENCHSTUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379")
# No deadlines anywhere (timing assertions are banned); a bounded example count for CI.
hypothesis_settings.register_profile(
    "ci", deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile("dev", deadline=None, max_examples=50)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _postgres_reachable() -> str | None:
    import asyncpg

    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")

    async def _probe() -> None:
        conn = await asyncpg.connect(dsn, timeout=5)
        await conn.close()

    try:
        asyncio.run(_probe())
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    # Fail loudly, never skip: the suite runs on PostgreSQL too, and there is no opt-out.
    problem = _postgres_reachable()
    if problem:
        raise pytest.UsageError(
            f"PostgreSQL test server unreachable at {POSTGRES_URL} ({problem}). "
            "Start it or set BENCHSTUDIO_TEST_POSTGRES_URL."
        )
    if shutil.which("pg_dump") is None:
        raise pytest.UsageError("pg_dump not found: tests copy a migrated schema with it.")


def worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


@pytest.fixture
def redis_url() -> str:
    """A Redis database index of this test worker's own."""
    return f"{REDIS_URL}/{1 + worker_index()}"


@contextlib.contextmanager
def postgres_schema() -> Iterator[DatabaseConfig]:
    """An empty schema of its own in the test PostgreSQL database, dropped afterwards."""
    import asyncpg

    schema = f"t_{worker_index()}_{uuid.uuid4().hex[:10]}"
    yield DatabaseConfig(url=POSTGRES_URL, schema=schema)
    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")

    async def _drop() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()

    asyncio.run(_drop())


@pytest.fixture
def postgres_database() -> Iterator[DatabaseConfig]:
    with postgres_schema() as database:
        yield database


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> DatabaseConfig:
    """An empty database on each backend (not migrated)."""
    if request.param == "sqlite":
        return sqlite_database(tmp_path)
    database: DatabaseConfig = request.getfixturevalue("postgres_database")
    return database


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once per test process. Tests get copies of it: a copy
    takes a millisecond, running the migrations a tenth of a second or more, hundreds of times."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    upgrade_to_head(sqlite_database(folder))
    return folder / "bench.db"


def migrated_sqlite(template: Path, tmp_path: Path) -> DatabaseConfig:
    """A copy of the migrated template at `tmp_path` (SQLite's backup API: a consistent copy
    whatever the template's journal holds)."""
    database = sqlite_database(tmp_path)
    path = tmp_path / "bench.db"
    with (
        contextlib.closing(sqlite3.connect(template)) as source,
        contextlib.closing(sqlite3.connect(path)) as target,
    ):
        source.backup(target)
    return database


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, str]]:
    """A PostgreSQL schema migrated to head once per test process, as the SQL that recreates
    it (its name, the SQL). Replaying it takes a fraction of running the migrations again (a
    second or more each time, for hundreds of tests); test_storage_postgres_template.py checks
    that a replayed copy dumps exactly like the migrated schema."""
    with postgres_schema() as database:
        upgrade_to_head(database)
        assert database.schema is not None
        yield database.schema, dump_schema(POSTGRES_URL, database.schema)


@pytest.fixture
def migrated_database(
    empty_database: DatabaseConfig, request: pytest.FixtureRequest, tmp_path: Path
) -> DatabaseConfig:
    """A database on each backend, migrated to head."""
    if empty_database.url.startswith("sqlite"):
        return migrated_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
    replay_template(POSTGRES_URL, request.getfixturevalue("postgres_template"), empty_database)
    return empty_database


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Settings on a migrated database shared by one module's tests (each backend once), for
    read-mostly modules whose set-up costs more than their tests."""
    tmp_path = tmp_path_factory.mktemp("module")
    if request.param == "sqlite":
        database = migrated_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
        yield make_settings(database, tmp_path)
        return
    with postgres_schema() as database:
        replay_template(POSTGRES_URL, request.getfixturevalue("postgres_template"), database)
        yield make_settings(database, tmp_path)


@pytest.fixture
def sqlite_settings(sqlite_template: Path, tmp_path: Path) -> Settings:
    return make_settings(migrated_sqlite(sqlite_template, tmp_path), tmp_path)


@pytest.fixture
def settings(migrated_database: DatabaseConfig, tmp_path: Path) -> Settings:
    """Settings for an app on a migrated database, on SQLite and on PostgreSQL."""
    return make_settings(migrated_database, tmp_path)
