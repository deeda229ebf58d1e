"""SQLite write units in one process queue first come, first served (storage/engine.py).

SQLite's busy handler sleeps and retries, so under many writers one can lose every race until
its busy timeout ("database is locked"). Write units therefore wait on a FIFO lock per event
loop before `BEGIN IMMEDIATE`: they begin in the order they asked, and none waits on SQLite.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import text

from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.unit_of_work import write_unit


async def test_write_units_begin_in_the_order_they_asked(tmp_path: Path) -> None:
    db = open_database(DatabaseConfig(f"sqlite+aiosqlite:///{tmp_path / 'queue.db'}"))
    try:
        async with write_unit(db) as session:
            await session.execute(text("CREATE TABLE log (n INTEGER)"))
        began: list[int] = []

        async def writer(n: int) -> None:
            async with write_unit(db) as session:
                began.append(n)
                await session.execute(text("INSERT INTO log VALUES (:n)"), {"n": n})
                await asyncio.sleep(0.002)  # hold the write lock across a loop turn

        tasks = []
        for n in range(40):
            tasks.append(asyncio.create_task(writer(n)))
            await asyncio.sleep(0)  # each asks in turn
        await asyncio.gather(*tasks)
        assert began == list(range(40))
        async with write_unit(db) as session:
            rows = (await session.execute(text("SELECT n FROM log ORDER BY rowid"))).scalars()
            assert list(rows) == list(range(40))
    finally:
        await db.dispose()


def test_postgres_write_units_are_not_queued() -> None:
    """PostgreSQL has row locks and many writers: no process-wide queue there."""
    db = open_database(DatabaseConfig("postgresql+asyncpg://u@127.0.0.1:1/none"))
    assert db.queue_writes is False


async def test_a_cancelled_write_unit_leaves_no_write_lock_behind(tmp_path: Path) -> None:
    """A unit cancelled anywhere (mid-statement, mid-commit, mid-rollback) has ended its SQLite
    transaction before the next unit begins: the next one never meets "database is locked".
    Another connection, with a busy timeout of 0.5 s, checks that the file is free."""
    path = tmp_path / "cancel.db"
    db = open_database(DatabaseConfig(f"sqlite+aiosqlite:///{path}"))
    try:
        async with write_unit(db) as session:
            await session.execute(text("CREATE TABLE log (n INTEGER)"))

        async def writer(n: int) -> None:
            async with write_unit(db) as session:
                for _ in range(20):
                    await session.execute(text("INSERT INTO log VALUES (:n)"), {"n": n})

        for n in range(100):
            task = asyncio.create_task(writer(n))
            for _ in range(n % 50):  # cancel at a different point each time
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            assert not db.write_gate().locked()  # type: ignore[attr-defined]
            with sqlite3.connect(path, timeout=0.5) as other:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
    finally:
        await db.dispose()
