"""Settings for tests (imported by the root conftest and by tests that build their own apps).

A module with a unique name rather than `conftest`: per-directory conftest files would shadow it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from benchstudio.config import Environment, Settings
from benchstudio.storage.engine import DatabaseConfig

TEST_VAULT_KEY = "q2H9c3JkTGVfdGVzdF9rZXlfZm9yX2JlbmNoc3R1ZGk="


def make_settings(database: DatabaseConfig, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": Environment.TEST,
        "database_url": database.url,
        "database_schema": database.schema,
        "secret_key": SecretStr("t" * 48),
        "vault_keys": SecretStr(TEST_VAULT_KEY),
        "secrets_file": tmp_path / "secrets.env",
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "log_json": True,
        "web_dist": tmp_path / "no-web-dist",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def sqlite_database(tmp_path: Path) -> DatabaseConfig:
    return DatabaseConfig(url=f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}")
