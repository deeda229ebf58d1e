"""Alembic environment: runs migrations on the async engine of the configured database.

This is the one module allowed to import every domain's models (see docs/architecture.md).
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from benchstudio.all_models import metadata
from benchstudio.storage.engine import DatabaseConfig, create_engine

config = context.config


def _configure_and_run(connection: Connection, schema: str | None) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        version_table_schema=schema,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run(db: DatabaseConfig) -> None:
    engine = create_engine(db)
    try:
        if db.schema and not db.is_sqlite:
            async with engine.begin() as conn:
                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{db.schema}"'))
        async with engine.connect() as conn:
            await conn.run_sync(_configure_and_run, db.schema)
            await conn.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    db = config.attributes.get("database_config")
    if not isinstance(db, DatabaseConfig):
        raise RuntimeError("run migrations through `benchstudio db upgrade`")
    asyncio.run(_run(db))


if context.is_offline_mode():
    raise RuntimeError("offline SQL generation is not supported; use `benchstudio db upgrade`")
run_migrations_online()
