"""A migrated PostgreSQL schema as SQL, to give each test a copy without running the migrations.

Replaying pg_dump's SQL of a schema migrated once per test process takes a fraction of the
migrations' time (a second or more each, for hundreds of tests). A module with a unique name
rather than `conftest`, so the check (test_storage_postgres_template.py) can import it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess

from sqlalchemy import make_url

from benchstudio.storage.engine import DatabaseConfig


def dump_schema(server_url: str, schema: str) -> str:
    """pg_dump's SQL for one schema, its rows included (alembic_version, seeded rows), without
    psql's meta-commands (such as `\\restrict`), which are not SQL."""
    url = make_url(server_url)
    command = ["pg_dump", "--no-owner", "--no-privileges", "--inserts", "--schema", schema]
    command += ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432)]
    command += ["--username", url.username or "postgres", url.database or "postgres"]
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    dump = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    return "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))


def replay_template(server_url: str, template: tuple[str, str], database: DatabaseConfig) -> None:
    """Creates `database`'s schema as a copy of the template (its schema name, its SQL). The
    template's name is a random one of its own, so renaming it in the SQL touches nothing else."""
    import asyncpg

    name, script = template
    assert database.schema is not None
    dsn = server_url.replace("postgresql+asyncpg://", "postgresql://")

    async def _run() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(script.replace(name, database.schema))  # several statements
        finally:
            await conn.close()

    asyncio.run(_run())
