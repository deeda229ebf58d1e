"""Start-up refuses guessable secrets, malformed vault keys and never rewrites a secrets file.

Issue 15 item 15: production started with `'a'*32` (a forged admin JWT then passed), with vault
keys that are not Fernet keys (then every provider create was a 500), and dev regenerated both
secrets when the secrets file lacked either line (making every stored key undecryptable).
"""

from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from benchstudio.config import (
    DOCUMENTED_EXAMPLE_SECRETS,
    Environment,
    SecretsError,
    Settings,
    ensure_secrets,
    get_settings,
)

REPO = Path(__file__).resolve().parents[2]
STRONG_SECRET = secrets.token_urlsafe(48)
VAULT_KEY = Fernet.generate_key().decode()
WEAK_SECRETS = [
    "a" * 32,
    "a" * 64,
    "k" * 48,
    "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
    "0123456789" * 6,
    "ab" * 40,
    base64.urlsafe_b64encode(b"a" * 32).decode(),
    "9f3b2c7d1e8a4f60b5c9d2e7a1f83b4c",  # random-looking, but 16 bytes once decoded
    "Zk3nQ8vR2xT7bW1yH5sL9dC4pG6mJ0aE",  # 24 bytes once decoded
]


def _settings(tmp_path: Path, env: Environment, secret: str, vault: str) -> Settings:
    return Settings(
        env=env,
        secret_key=SecretStr(secret),
        vault_keys=SecretStr(vault),
        secrets_file=tmp_path / "config" / "secrets.env",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'b.db'}",
    )


def _documented_values() -> set[str]:
    """Every `BENCHSTUDIO_SECRET_KEY=…`/`BENCHSTUDIO_VAULT_KEYS=…` value our docs print."""
    sources = [REPO / "README.md", *(REPO / "docs").rglob("*.md"), *REPO.glob("**/*.env*")]
    found: set[str] = set()
    pattern = re.compile(r"BENCHSTUDIO_(?:SECRET_KEY|VAULT_KEYS)\s*[=:]\s*[\"']?([^\s\"'`]+)")
    for path in sources:
        if ".venv" in path.parts or "node_modules" in path.parts or not path.is_file():
            continue
        for value in pattern.findall(path.read_text(encoding="utf-8", errors="replace")):
            found.update(v for v in value.split(",") if v and "…" not in v and "$" not in v)
    return found


@pytest.mark.parametrize("weak", WEAK_SECRETS)
def test_production_refuses_weak_secret_keys(tmp_path: Path, weak: str) -> None:
    with pytest.raises(SecretsError, match="BENCHSTUDIO_SECRET_KEY is too weak"):
        ensure_secrets(_settings(tmp_path, Environment.PRODUCTION, weak, VAULT_KEY))


def test_production_refuses_weak_vault_keys_that_parse(tmp_path: Path) -> None:
    weak_key = base64.urlsafe_b64encode(b"a" * 32).decode()
    Fernet(weak_key)  # it parses: only its strength gives it away
    with pytest.raises(SecretsError, match="BENCHSTUDIO_VAULT_KEYS is too weak"):
        ensure_secrets(
            _settings(tmp_path, Environment.PRODUCTION, STRONG_SECRET, f"{VAULT_KEY},{weak_key}")
        )


@pytest.mark.parametrize("example", sorted(DOCUMENTED_EXAMPLE_SECRETS))
def test_production_refuses_documented_example_values(tmp_path: Path, example: str) -> None:
    with pytest.raises(SecretsError, match="example value"):
        ensure_secrets(_settings(tmp_path, Environment.PRODUCTION, STRONG_SECRET, example))


def test_every_secret_the_docs_print_is_refused(tmp_path: Path) -> None:
    for value in _documented_values():
        with pytest.raises(SecretsError):
            ensure_secrets(_settings(tmp_path, Environment.PRODUCTION, value, value))


@pytest.mark.parametrize("env", list(Environment))
@pytest.mark.parametrize("bad", ["v" * 44, "not-a-fernet-key-but-long-enough-000000000", "x"])
def test_vault_keys_that_are_not_fernet_keys_refuse_start_up_in_every_mode(
    tmp_path: Path, env: Environment, bad: str
) -> None:
    with pytest.raises(SecretsError, match="BENCHSTUDIO_VAULT_KEYS: key 2 of 2 is not a Fernet"):
        ensure_secrets(_settings(tmp_path, env, STRONG_SECRET, f"{VAULT_KEY},{bad}"))


def test_strong_secrets_start(tmp_path: Path) -> None:
    settings = _settings(tmp_path, Environment.PRODUCTION, STRONG_SECRET, VAULT_KEY)
    assert ensure_secrets(settings) is settings


def test_start_up_through_the_environment_refuses_a_forgeable_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("BENCHSTUDIO_ENV", "production")
    monkeypatch.setenv("BENCHSTUDIO_SECRET_KEY", "a" * 32)
    monkeypatch.setenv("BENCHSTUDIO_VAULT_KEYS", VAULT_KEY)
    get_settings.cache_clear()
    try:
        with pytest.raises(SecretsError, match="BENCHSTUDIO_SECRET_KEY"):
            get_settings()
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    "present", ["BENCHSTUDIO_SECRET_KEY", "BENCHSTUDIO_VAULT_KEYS"], ids=["secret", "vault"]
)
def test_dev_adds_only_the_missing_line_to_an_existing_secrets_file(
    tmp_path: Path, present: str
) -> None:
    path = tmp_path / "config" / "secrets.env"
    path.parent.mkdir()
    value = STRONG_SECRET if present == "BENCHSTUDIO_SECRET_KEY" else VAULT_KEY
    original = f"# mine\n{present}={value}"  # no trailing newline either
    path.write_text(original, encoding="utf-8")
    settings = ensure_secrets(_settings(tmp_path, Environment.DEV, "", ""))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(original + "\n")
    assert text.count("BENCHSTUDIO_SECRET_KEY=") == text.count("BENCHSTUDIO_VAULT_KEYS=") == 1
    kept = settings.secret_key if present == "BENCHSTUDIO_SECRET_KEY" else settings.vault_keys
    assert kept.get_secret_value() == value
    Fernet(settings.vault_keys.get_secret_value())
    again = ensure_secrets(_settings(tmp_path, Environment.DEV, "", ""))
    assert (again.secret_key, again.vault_keys) == (settings.secret_key, settings.vault_keys)
    assert path.read_text(encoding="utf-8") == text


def test_dev_refuses_a_secrets_file_with_a_broken_vault_key_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "config" / "secrets.env"
    path.parent.mkdir()
    original = f"BENCHSTUDIO_SECRET_KEY={STRONG_SECRET}\nBENCHSTUDIO_VAULT_KEYS=broken\n"
    path.write_text(original, encoding="utf-8")
    with pytest.raises(SecretsError, match=r"BENCHSTUDIO_VAULT_KEYS.*read from .*secrets\.env"):
        ensure_secrets(_settings(tmp_path, Environment.DEV, "", ""))
    assert path.read_text(encoding="utf-8") == original
