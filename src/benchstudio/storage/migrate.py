"""Apply Alembic migrations programmatically (used by `db upgrade`, `serve` and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from benchstudio.storage.engine import DatabaseConfig

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(db: DatabaseConfig) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    config.attributes["database_config"] = db
    return config


def upgrade_to_head(db: DatabaseConfig) -> None:
    """Bring the database to the newest schema. Must not be called inside a running loop."""
    command.upgrade(alembic_config(db), "head")


def downgrade_to_base(db: DatabaseConfig) -> None:
    command.downgrade(alembic_config(db), "base")
