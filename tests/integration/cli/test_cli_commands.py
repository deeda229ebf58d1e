"""The CLI: honest about what is not built, and real where it is."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "benchstudio"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCHSTUDIO_")}
    env.update(
        {
            "BENCHSTUDIO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'b.db'}",
            "BENCHSTUDIO_SECRETS_FILE": str(tmp_path / "conf" / "secrets.env"),
            "BENCHSTUDIO_ARGON2_TIME_COST": "1",
            "BENCHSTUDIO_ARGON2_MEMORY_KIB": "1024",
        }
    )
    return env


def _run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
        cwd=tmp_path,
    )


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    result = _run(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "data" / "b.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "audit_events", "alembic_version"} <= tables


def test_admin_create_user_then_backup(tmp_path: Path) -> None:
    created = _run(
        tmp_path,
        "admin",
        "create-user",
        "--email",
        "Ops@Example.com",
        "--password-stdin",
        stdin="correct horse battery staple ✓\n",
    )
    assert created.returncode == 0, created.stderr
    assert "admin ops@example.com" in created.stderr
    assert "correct horse" not in created.stderr + created.stdout
    duplicate = _run(
        tmp_path,
        "admin",
        "create-user",
        "--email",
        "ops@example.com",
        "--password-stdin",
        stdin="another password\n",
    )
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    backup = tmp_path / "backups" / "copy.db"
    result = _run(tmp_path, "db", "backup", str(backup))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(backup) as conn:
        rows = conn.execute("SELECT email, role FROM users").fetchall()
    assert rows == [("ops@example.com", "admin")]
    again = _run(tmp_path, "db", "backup", str(backup))
    assert again.returncode == 1 and "refusing to overwrite" in again.stderr


@pytest.mark.parametrize("password", ["short"])
def test_create_user_rejects_bad_input_clearly(tmp_path: Path, password: str) -> None:
    result = _run(
        tmp_path,
        "admin",
        "create-user",
        "--email",
        "not-an-email",
        "--password-stdin",
        stdin=password + "\n",
    )
    assert result.returncode == 2
    assert "email" in result.stderr and "password" in result.stderr


def test_production_mode_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    env = _env(tmp_path) | {"BENCHSTUDIO_ENV": "production"}
    result = subprocess.run(
        [*CLI, "db", "upgrade"], capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "BENCHSTUDIO_SECRET_KEY" in result.stderr
