"""Migrations reach head on both backends and agree with the ORM models."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from benchstudio.all_models import metadata
from benchstudio.storage.engine import DatabaseConfig, create_engine, open_database
from benchstudio.storage.migrate import downgrade_to_base, upgrade_to_head
from benchstudio.storage.unit_of_work import read_unit, write_unit


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def _autogenerate_diff(db: DatabaseConfig) -> list[Any]:
    engine = create_engine(db)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff)
    finally:
        await engine.dispose()


def test_migrations_create_every_model_table(migrated_database: DatabaseConfig) -> None:
    async def _tables() -> set[str]:
        engine = create_engine(migrated_database)
        try:
            async with engine.connect() as conn:
                return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        finally:
            await engine.dispose()

    tables = asyncio.run(_tables())
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def test_models_and_migrations_agree(migrated_database: DatabaseConfig) -> None:
    assert asyncio.run(_autogenerate_diff(migrated_database)) == []


def test_downgrade_then_upgrade_round_trips(migrated_database: DatabaseConfig) -> None:
    downgrade_to_base(migrated_database)
    upgrade_to_head(migrated_database)
    assert asyncio.run(_autogenerate_diff(migrated_database)) == []


def test_sqlite_runs_wal_with_foreign_keys_and_busy_timeout(tmp_path: Any) -> None:
    db = DatabaseConfig(url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")

    async def _pragmas() -> tuple[str, int, int]:
        database = open_database(db)
        try:
            async with read_unit(database) as session:
                mode = (await session.execute(text("PRAGMA journal_mode"))).scalar_one()
                fk = (await session.execute(text("PRAGMA foreign_keys"))).scalar_one()
                busy = (await session.execute(text("PRAGMA busy_timeout"))).scalar_one()
                return str(mode), int(fk), int(busy)
        finally:
            await database.dispose()

    mode, fk, busy = asyncio.run(_pragmas())
    assert (mode, fk) == ("wal", 1)
    assert busy >= 5000


def test_sqlite_write_units_take_the_write_lock_at_begin(tmp_path: Any) -> None:
    """BEGIN IMMEDIATE: a second writer waits at BEGIN instead of failing mid-transaction."""
    db = DatabaseConfig(url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    upgrade_to_head(db)

    async def _scenario() -> list[str]:
        database = open_database(db)
        order: list[str] = []
        a_holds_the_lock = asyncio.Event()
        try:

            async def writer(name: str, hold: float) -> None:
                async with write_unit(database) as session:
                    await session.execute(
                        text(
                            "INSERT INTO audit_events (id, at, action, detail) "
                            "VALUES (:id, '2026-01-01 00:00:00', 'test', '{}')"
                        ),
                        {"id": name},
                    )
                    order.append(f"{name}-in")
                    a_holds_the_lock.set()
                    await asyncio.sleep(hold)
                    order.append(f"{name}-out")

            first = asyncio.create_task(writer("a", 0.3))
            await a_holds_the_lock.wait()  # not a fixed sleep: "a" may take longer to begin
            await writer("b", 0)
            await first
            async with read_unit(database) as session:
                count = (await session.execute(text("SELECT count(*) FROM audit_events"))).scalar()
            order.append(f"rows={count}")
        finally:
            await database.dispose()
        return order

    assert asyncio.run(_scenario()) == ["a-in", "a-out", "b-in", "b-out", "rows=2"]
