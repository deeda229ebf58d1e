"""Engine and session factories for SQLite (embedded) and PostgreSQL (scale-out).

SQLite runs in WAL mode with a busy timeout and foreign keys on. Its driver-level transaction
handling is switched off so we emit BEGIN ourselves: `BEGIN IMMEDIATE` for write units of work
(no lock upgrade deadlocks, no "database is locked" mid-transaction) and plain `BEGIN` for reads.

SQLite has one writer at a time, and its busy handler is not fair: under many writers on a
loaded machine, one writer can sleep-and-retry past the busy timeout while others keep winning
("database is locked" after 15 s, seen in a cancel storm). Write units in one process therefore
queue on a first-come-first-served `asyncio.Lock` per event loop before `BEGIN IMMEDIATE`, and
the busy timeout is left for other processes (the CLI, a backup).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from benchstudio.storage.faults import install_fault_translation

SQLITE_BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "benchstudio_write"


@dataclass(frozen=True)
class DatabaseConfig:
    url: str
    schema: str | None = None
    echo: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_pragmas(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_engine(config: DatabaseConfig) -> AsyncEngine:
    """Create the async engine with the per-backend settings described above."""
    # Database errors end up in exception logs: their parameters are user data (prompts,
    # titles), so SQLAlchemy leaves them out of the messages.
    kwargs: dict[str, Any] = {
        "echo": config.echo,
        "pool_pre_ping": not config.is_sqlite,
        "hide_parameters": True,
    }
    if config.is_sqlite:
        _ensure_sqlite_dir(config.url)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    elif config.schema:
        kwargs["connect_args"] = {"server_settings": {"search_path": config.schema}}
    engine = create_async_engine(config.url, **kwargs)
    if config.is_sqlite:
        _install_sqlite_pragmas(engine)
    install_fault_translation(engine)  # a full disk is a 507, not a 500
    return engine


@dataclass(frozen=True)
class Database:
    """An engine with two session factories: read-only units and write units."""

    engine: AsyncEngine
    reader: async_sessionmaker[AsyncSession]
    writer: async_sessionmaker[AsyncSession]
    queue_writes: bool = False  # SQLite: one writer at a time, served in arrival order
    _gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = field(
        default_factory=weakref.WeakKeyDictionary, repr=False, compare=False
    )

    def write_gate(self) -> contextlib.AbstractAsyncContextManager[object]:
        """What a write unit holds before it begins (a FIFO lock on SQLite, else nothing)."""
        if not self.queue_writes:
            return contextlib.nullcontext()
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Lock()
        return gate

    async def dispose(self) -> None:
        await self.engine.dispose()


def open_database(config: DatabaseConfig) -> Database:
    engine = create_engine(config)
    write_engine = engine.execution_options(**{WRITE_OPTION: True})
    return Database(
        engine=engine,
        reader=async_sessionmaker(engine, expire_on_commit=False),
        writer=async_sessionmaker(write_engine, expire_on_commit=False),
        queue_writes=config.is_sqlite,
    )
