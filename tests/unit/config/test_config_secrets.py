"""Secrets: generated once in dev mode, refused when missing in production."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from benchstudio.config import Environment, SecretsError, Settings, ensure_secrets


def _settings(tmp_path: Path, **values: object) -> Settings:
    base: dict[str, object] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'b.db'}",
        "secrets_file": tmp_path / "config" / "secrets.env",
    }
    base.update(values)
    return Settings(**base)  # type: ignore[arg-type]


def test_dev_mode_generates_secrets_once_into_a_private_file(tmp_path: Path) -> None:
    first = ensure_secrets(_settings(tmp_path))
    second = ensure_secrets(_settings(tmp_path))
    assert len(first.secret_key.get_secret_value()) >= 32
    assert first.secret_key == second.secret_key
    assert first.vault_keys == second.vault_keys
    secrets_file = tmp_path / "config" / "secrets.env"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert not (tmp_path / "data" / "secrets.env").exists()


@pytest.mark.parametrize("secret", ["", "changeme", "secret", "short-but-real"])
def test_production_refuses_missing_or_placeholder_secrets(tmp_path: Path, secret: str) -> None:
    settings = _settings(
        tmp_path,
        env=Environment.PRODUCTION,
        secret_key=SecretStr(secret),
        vault_keys=SecretStr("v" * 44),
    )
    with pytest.raises(SecretsError, match="BENCHSTUDIO_SECRET_KEY"):
        ensure_secrets(settings)
    assert not (tmp_path / "config" / "secrets.env").exists()


def test_production_accepts_real_secrets(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        env=Environment.PRODUCTION,
        secret_key=SecretStr(secrets.token_urlsafe(48)),
        vault_keys=SecretStr(Fernet.generate_key().decode()),
    )
    assert ensure_secrets(settings) is settings


def test_settings_come_from_benchstudio_env_vars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BENCHSTUDIO_PORT", "9999")
    monkeypatch.setenv("BENCHSTUDIO_DATABASE_URL", "postgresql+asyncpg://u@h/db")
    settings = Settings(secrets_file=tmp_path / "s.env")
    assert settings.port == 9999 and not settings.is_sqlite


def test_schema_names_must_be_identifiers(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="identifier"):
        _settings(tmp_path, database_schema='x"; drop table users; --')
