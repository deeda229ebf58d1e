"""Online backup of the embedded SQLite database (safe while the server writes)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def backup_sqlite(database_url: str, output: Path) -> int:
    """Copy the live database to `output` with SQLite's backup API; returns pages copied."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        raise BackupError("online backup is for SQLite; for PostgreSQL use pg_dump")
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise BackupError(f"no SQLite database at {source_path!r}")
    if output.exists():
        raise BackupError(f"{output} exists; refusing to overwrite it")
    output.parent.mkdir(parents=True, exist_ok=True)
    pages = 0

    def _progress(_status: int, _remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=15)
    target = sqlite3.connect(output)
    try:
        source.backup(target, pages=256, progress=_progress)
    finally:
        target.close()
        source.close()
    return pages
