"""The vault at rest: ciphertext bound to its provider row, key rotation (service and CLI)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from benchstudio.accounts.schemas import NewUser
from benchstudio.accounts.service import create_user
from benchstudio.catalog.schemas import ProviderCreate
from benchstudio.catalog.service import CatalogContext, create_provider
from benchstudio.config import Settings
from benchstudio.core.passwords import Argon2Params, PasswordHasher
from benchstudio.credentials.models import ProviderCredential
from benchstudio.credentials.service import Vault, VaultError, rotate_all
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.service_context import ServiceContext
from benchstudio.storage.unit_of_work import read_unit, write_unit

KEY = "sk-rotation-test-0123456789"


async def _seed(settings: Settings, vault: Vault) -> tuple[str, str]:
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        hasher = PasswordHasher(Argon2Params(1, 1024))
        user = await create_user(
            ServiceContext.system(db),
            NewUser(email="v@example.com", password="plain-sailing-words"),
            hasher=hasher,
        )
        ctx = CatalogContext.from_settings(db, vault, settings, owner_id=user.id)
        data = ProviderCreate(name="p", base_url="http://127.0.0.1:1", api_key=KEY)  # type: ignore[arg-type]
        first = await create_provider(ctx, data)
        second = await create_provider(ctx, data)
        return first.id, second.id
    finally:
        await db.dispose()


async def _ciphertexts(settings: Settings) -> dict[str, str]:
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        async with read_unit(db) as session:
            rows = (await session.execute(select(ProviderCredential))).scalars()
            return {r.provider_id: r.ciphertext for r in rows}
    finally:
        await db.dispose()


def test_rotation_reencrypts_under_the_newest_key(settings: Settings) -> None:
    old_key = settings.vault_key_list()[0]
    first, _ = asyncio.run(_seed(settings, Vault([old_key])))
    before = asyncio.run(_ciphertexts(settings))
    new_key = Fernet.generate_key().decode()
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        assert asyncio.run(rotate_all(ServiceContext.system(db), Vault([new_key, old_key]))) == 2
    finally:
        asyncio.run(db.dispose())
    after = asyncio.run(_ciphertexts(settings))
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in after)
    only_new = Vault([new_key])
    assert only_new.unseal(first, after[first])["api_key"] == KEY
    with pytest.raises(VaultError):
        Vault([old_key]).unseal(first, after[first])


def test_a_ciphertext_moved_to_another_provider_does_not_decrypt(settings: Settings) -> None:
    vault = Vault(settings.vault_key_list())
    first, second = asyncio.run(_seed(settings, vault))
    rows = asyncio.run(_ciphertexts(settings))
    with pytest.raises(VaultError, match="another provider"):
        vault.unseal(second, rows[first])

    async def _swap() -> None:
        db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
        try:
            async with write_unit(db) as session:
                await session.execute(
                    update(ProviderCredential)
                    .where(ProviderCredential.provider_id == second)
                    .values(ciphertext=rows[first])
                )
        finally:
            await db.dispose()

    asyncio.run(_swap())
    with pytest.raises(VaultError):
        vault.unseal(second, asyncio.run(_ciphertexts(settings))[second])


def test_rotation_with_unknown_keys_changes_nothing(settings: Settings) -> None:
    asyncio.run(_seed(settings, Vault(settings.vault_key_list())))
    before = asyncio.run(_ciphertexts(settings))
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        with pytest.raises(VaultError):
            asyncio.run(
                rotate_all(ServiceContext.system(db), Vault([Fernet.generate_key().decode()]))
            )
    finally:
        asyncio.run(db.dispose())
    assert asyncio.run(_ciphertexts(settings)) == before


def test_cli_rotate_keys(sqlite_settings: Settings, tmp_path: Path) -> None:
    old_key = sqlite_settings.vault_key_list()[0]
    asyncio.run(_seed(sqlite_settings, Vault([old_key])))
    new_key = Fernet.generate_key().decode()
    env = {
        **os.environ,
        "BENCHSTUDIO_DATABASE_URL": sqlite_settings.database_url,
        "BENCHSTUDIO_SECRET_KEY": "s" * 48,
        "BENCHSTUDIO_VAULT_KEYS": f"{new_key},{old_key}",
        "BENCHSTUDIO_SECRETS_FILE": str(tmp_path / "secrets.env"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "benchstudio", "admin", "rotate-keys"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Re-encrypted 2" in result.stderr
    rows = asyncio.run(_ciphertexts(sqlite_settings))
    assert all(Vault([new_key]).unseal(pid, c)["api_key"] == KEY for pid, c in rows.items())
    assert new_key not in result.stderr + result.stdout and old_key not in result.stderr
