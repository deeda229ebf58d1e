"""The vault's sealing rules: binding to the provider, hints, rotation, bad keys."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from benchstudio.credentials.domain import last4_hint
from benchstudio.credentials.service import Vault, VaultError

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_seal_and_unseal_round_trip_without_plaintext_in_the_ciphertext() -> None:
    vault = Vault([OLD])
    sealed = vault.seal("p1", "sk-secret-value-123", {"X-Org": "org-secret"})
    assert "sk-secret" not in sealed and "org-secret" not in sealed
    assert vault.unseal("p1", sealed) == {
        "provider_id": "p1",
        "api_key": "sk-secret-value-123",
        "headers": {"X-Org": "org-secret"},
    }


def test_a_ciphertext_only_opens_for_its_own_provider() -> None:
    vault = Vault([OLD])
    with pytest.raises(VaultError, match="another provider"):
        vault.unseal("p2", vault.seal("p1", "k" * 20, {}))


def test_rotation_moves_rows_to_the_newest_key() -> None:
    sealed = Vault([OLD]).seal("p", "k" * 20, {})
    rotated = Vault([NEW, OLD]).rotate(sealed)
    assert Vault([NEW]).unseal("p", rotated)["api_key"] == "k" * 20
    with pytest.raises(VaultError):
        Vault([OLD]).unseal("p", rotated)


def test_tampered_or_foreign_ciphertext_is_refused() -> None:
    vault = Vault([OLD])
    sealed = vault.seal("p", "k" * 20, {})
    with pytest.raises(VaultError):
        vault.unseal("p", sealed[:-4] + "AAAA")
    with pytest.raises(VaultError):
        Vault([NEW]).rotate(sealed)


def test_missing_or_malformed_master_keys_are_refused() -> None:
    with pytest.raises(VaultError):
        Vault([])
    with pytest.raises(VaultError):
        Vault(["not-a-fernet-key"])


@pytest.mark.parametrize(
    ("key", "hint"), [("sk-abcdefgh1234", "1234"), ("short-key", None), ("", None)]
)
def test_last4_hint_only_for_long_keys(key: str, hint: str | None) -> None:
    assert last4_hint(key) == hint
