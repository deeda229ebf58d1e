"""The PostgreSQL test template: a schema replayed from it is the migrated schema, exactly.

Tests get their PostgreSQL schema by replaying pg_dump's SQL of one schema migrated once per
test process (tests/conftest.py), not by running the migrations each time; this checks that
the shortcut hides no difference (tables, constraints, indexes, sequences, rows).
"""

from __future__ import annotations

from benchstudio.storage.engine import DatabaseConfig
from postgres_template import dump_schema, replay_template


def test_a_replayed_schema_dumps_exactly_like_the_migrated_one(
    postgres_template: tuple[str, str], postgres_database: DatabaseConfig
) -> None:
    name, script = postgres_template
    assert postgres_database.schema is not None
    assert "alembic_version" in script and "CREATE TABLE" in script
    replay_template(postgres_database.url, postgres_template, postgres_database)
    copy = dump_schema(postgres_database.url, postgres_database.schema)
    assert copy.replace(postgres_database.schema, name) == script
