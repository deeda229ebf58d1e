"""Migration 0011 moves every prompt template into the library with its id (a benchmark entry,
version 1), keeps a user's default pointing at it, and the downgrade carries them back
(SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import JSON, Column, MetaData, String, Table, Text, insert, text

from benchstudio.accounts.models import User
from benchstudio.storage.base import UTCDateTime
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.migrate import alembic_config, upgrade_to_head
from benchstudio.storage.unit_of_work import read_unit, write_unit

CREATED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
# The table as revision 0010 has it (the ORM no longer maps it).
_OLD = MetaData()
TEMPLATES = Table(
    "prompt_templates",
    _OLD,
    Column("id", String(32)),
    Column("owner_id", String(32)),
    Column("name", String(200)),
    Column("description", Text),
    Column("system_prompt", Text),
    Column("user_prompt", Text),
    Column("created_at", UTCDateTime()),
    Column("updated_at", UTCDateTime()),
)

DEFAULTS = Table(
    "user_defaults",
    _OLD,
    Column("owner_id", String(32)),
    Column("prompt_template_id", String(32)),
    Column("preferences", JSON),
    Column("updated_at", UTCDateTime()),
)


async def _seed(config: DatabaseConfig) -> str:
    db = open_database(config)
    try:
        async with write_unit(db) as session:
            user = User(email="before@example.com", password_hash="not-a-real-hash", role="user")
            session.add(user)
            await session.flush()
            for key, user_prompt in (("tmpl-a", "Tell me a story"), ("tmpl-b", "")):
                await session.execute(
                    insert(TEMPLATES).values(
                        id=key,
                        owner_id=user.id,
                        name=f"Template {key}",
                        description="old",
                        system_prompt="Be brief",
                        user_prompt=user_prompt,
                        created_at=CREATED,
                        updated_at=CREATED,
                    )
                )
            await session.execute(
                insert(DEFAULTS).values(
                    owner_id=user.id,
                    prompt_template_id="tmpl-a",
                    preferences={},
                    updated_at=CREATED,
                )
            )
            return str(user.id)
    finally:
        await db.dispose()


async def _query(config: DatabaseConfig, sql: str) -> list[tuple[object, ...]]:
    db = open_database(config)
    try:
        async with read_unit(db) as session:
            return [tuple(row) for row in (await session.execute(text(sql))).all()]
    finally:
        await db.dispose()


def test_templates_become_benchmark_entries_with_their_ids(empty_database: DatabaseConfig) -> None:
    command.upgrade(alembic_config(empty_database), "0010")
    owner_id = asyncio.run(_seed(empty_database))
    upgrade_to_head(empty_database)

    entries = asyncio.run(
        _query(
            empty_database,
            "SELECT id, owner_id, kind, name, description, latest_version, archived "
            "FROM prompt_entries ORDER BY id",
        )
    )
    assert [(e[0], e[1], e[2], e[3], e[4], e[5], bool(e[6])) for e in entries] == [
        ("tmpl-a", owner_id, "benchmark", "Template tmpl-a", "old", 1, False),
        ("tmpl-b", owner_id, "benchmark", "Template tmpl-b", "old", 1, False),
    ]
    versions = asyncio.run(
        _query(
            empty_database,
            "SELECT entry_id, version, system_prompt, user_prompt, body FROM prompt_versions "
            "ORDER BY entry_id",
        )
    )
    assert versions == [
        ("tmpl-a", 1, "Be brief", "Tell me a story", ""),
        ("tmpl-b", 1, "Be brief", "", ""),
    ]
    defaults = asyncio.run(_query(empty_database, "SELECT prompt_template_id FROM user_defaults"))
    assert defaults == [("tmpl-a",)]
    tables = asyncio.run(
        _query(empty_database, "SELECT COUNT(*) FROM prompt_usages")
    )  # the table exists and is empty
    assert tables == [(0,)]

    # The default now points at the entries: removing the entry clears it (ON DELETE SET NULL).
    asyncio.run(_delete_entry(empty_database, "tmpl-a"))
    defaults = asyncio.run(_query(empty_database, "SELECT prompt_template_id FROM user_defaults"))
    assert defaults == [(None,)]


async def _delete_entry(config: DatabaseConfig, entry_id: str) -> None:
    db = open_database(config)
    try:
        async with write_unit(db) as session:
            await session.execute(
                text("DELETE FROM prompt_entries WHERE id = :id"), {"id": entry_id}
            )
    finally:
        await db.dispose()


def test_the_downgrade_carries_benchmark_entries_back(empty_database: DatabaseConfig) -> None:
    command.upgrade(alembic_config(empty_database), "0010")
    asyncio.run(_seed(empty_database))
    upgrade_to_head(empty_database)
    command.downgrade(alembic_config(empty_database), "0010")
    rows = asyncio.run(
        _query(empty_database, "SELECT id, user_prompt FROM prompt_templates ORDER BY id")
    )
    assert rows == [("tmpl-a", "Tell me a story"), ("tmpl-b", "")]
    defaults = asyncio.run(_query(empty_database, "SELECT prompt_template_id FROM user_defaults"))
    assert defaults == [("tmpl-a",)]
    tables = asyncio.run(_query(empty_database, "SELECT COUNT(*) FROM user_defaults"))
    assert tables == [(1,)]
