"""Migration 0007 creates the spend ledger and carries the benchmarks run before it: the
month's spend does not drop to zero on upgrade (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import insert

from benchstudio.accounts.models import User
from benchstudio.benchruns.models import BenchmarkRun
from benchstudio.jobs import ledger
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.migrate import alembic_config, upgrade_to_head
from benchstudio.storage.unit_of_work import read_unit, write_unit

CREATED = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


async def _add_runs(config: DatabaseConfig) -> str:
    db = open_database(config)
    try:
        async with write_unit(db) as session:
            user = User(email="before@example.com", password_hash="not-a-real-hash", role="user")
            session.add(user)
            await session.flush()
            for index, cost in enumerate((0.25, 0.5, None)):
                # A Core insert of the columns revision 0006 has: the ORM would also send the
                # columns later migrations add.
                await session.execute(
                    insert(BenchmarkRun.__table__).values(
                        owner_id=user.id,
                        job_id=f"job{index}",
                        run_key=f"run{index}",
                        source="platform",
                        title="old run",
                        mode="profile",
                        status="completed",
                        config={},
                        steps=[],
                        slo_search=[],
                        search_text="old run",
                        cost_usd=cost,
                        created_at=CREATED,
                    )
                )
            return str(user.id)
    finally:
        await db.dispose()


async def _spend(config: DatabaseConfig, owner_id: str, at: datetime) -> float:
    db = open_database(config)
    try:
        async with read_unit(db) as session:
            return await ledger.month_spend(session, owner_id, at)
    finally:
        await db.dispose()


def test_the_upgrade_carries_earlier_benchmark_costs_into_the_ledger(
    empty_database: DatabaseConfig,
) -> None:
    command.upgrade(alembic_config(empty_database), "0006")
    owner_id = asyncio.run(_add_runs(empty_database))
    upgrade_to_head(empty_database)
    assert asyncio.run(_spend(empty_database, owner_id, CREATED)) == pytest.approx(0.75)
    december = datetime(2026, 12, 1, tzinfo=UTC)
    assert asyncio.run(_spend(empty_database, owner_id, december)) == 0.0
