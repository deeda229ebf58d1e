"""Settings from `BENCHSTUDIO_*` environment variables and `.env`.

Secrets: in dev mode missing secrets are generated once into a file outside the data directory
(with a warning; an existing file only ever gets its missing lines added); in production mode
missing, weak or documented example secrets refuse startup. Vault keys that are not Fernet keys
refuse startup in every mode (every provider create would fail later).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from benchstudio.core.secret_strength import weakness

log = logging.getLogger(__name__)

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "placeholder", "dev", "test", "password", "xxx"}
)
MIN_SECRET_LENGTH = 32
# Values printed in our docs, examples and test fixtures: public, so never secrets.
# `tests/security/test_security_startup_secrets.py` fails when docs print one not listed here.
DOCUMENTED_EXAMPLE_SECRETS = frozenset({"q2H9c3JkTGVfdGVzdF9rZXlfZm9yX2JlbmNoc3R1ZGk="})
_SECRET_KEY_VAR = "BENCHSTUDIO_SECRET_KEY"  # noqa: S105 - a variable name
_VAULT_KEYS_VAR = "BENCHSTUDIO_VAULT_KEYS"
# Bind addresses that mean "every interface": links name the loopback address instead.
_UNSPECIFIED_HOSTS = frozenset({"", "0.0.0.0", "::"})


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


class ConfigError(RuntimeError):
    """Raised when the settings cannot run a server (the message says which and why)."""


class SecretsError(ConfigError):
    """Raised when production mode lacks real secrets."""


def default_secrets_file() -> Path:
    """Where dev-mode secrets are kept: the user's config dir, never beside the database."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "benchstudio" / "secrets.env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BENCHSTUDIO_", env_file=".env", extra="ignore", frozen=False
    )

    env: Environment = Environment.DEV
    database_url: str = "sqlite+aiosqlite:///./data/benchstudio.db"
    # PostgreSQL only: run inside this schema (tests give each worker its own).
    database_schema: str | None = None
    broker_url: str = "memory://"
    host: str = "127.0.0.1"
    port: int = 8501
    log_level: str = "INFO"
    log_json: bool = True
    secret_key: SecretStr = SecretStr("")
    vault_keys: SecretStr = SecretStr("")
    secrets_file: Path = Field(default_factory=default_secrets_file)
    web_dist: Path | None = None
    egress_allow: list[str] = Field(default_factory=list)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65_536, ge=8)
    # Jobs (per-user limit defaults are the `default_*` fields below; see docs/jobs.md).
    jobs_lease_s: float = Field(default=30.0, gt=0)
    jobs_heartbeat_s: float = Field(default=5.0, gt=0)
    jobs_dispatch_interval_s: float = Field(default=0.5, gt=0)
    jobs_unclaimed_requeue_s: float = Field(default=15.0, gt=0)
    jobs_cancel_grace_s: float = Field(default=5.0, ge=0)
    jobs_dispatcher: bool = True
    # All users together; in scale-out set it to the total worker slots.
    jobs_max_running: int | None = Field(default=8, ge=1)
    worker_concurrency: int = Field(default=8, ge=1)
    # Schedules (docs/scheduling.md): the administrator's minimum interval between two runs of
    # a schedule, how often the schedule dispatcher looks for due occurrences, and whether
    # this process runs it (with a Redis leader lock in scale-out mode).
    schedules_min_interval_s: int = Field(default=60, ge=60, le=366 * 86_400)
    schedules_dispatch_interval_s: float = Field(default=10.0, gt=0)
    schedules_dispatcher: bool = True
    # The `demo.units` job type (tests). Unset: on in test mode only, so a
    # public server offers no job that only occupies a slot (docs/security.md).
    demo_jobs: bool | None = None
    # Live updates.
    ws_max_connections_per_user: int = Field(default=10, ge=1)
    ws_heartbeat_s: float = Field(default=20.0, gt=0)
    ws_queue_size: int = Field(default=1000, ge=1)
    ws_ticket_ttl_s: int = Field(default=30, ge=1)
    allowed_origins: list[str] = Field(default_factory=list)
    # Reverse proxies (IPs or CIDRs, JSON list) whose Forwarded / X-Forwarded-For headers are
    # believed; from any other peer they are ignored (docs/security.md, "Behind a proxy").
    trusted_proxies: list[str] = Field(default_factory=list)
    # --- accounts, sessions, key vault ---
    # open | invite | closed; unset: invite-only in production, open otherwise.
    signup_policy: Literal["open", "invite", "closed"] | None = None
    access_token_ttl_s: int = Field(default=900, ge=30, le=900)
    refresh_token_ttl_s: int = Field(default=14 * 24 * 3600, ge=300)
    # A refresh token rotated less than this long ago is "superseded" (a concurrent tab), not
    # reused: the caller gets 401 but the family survives. 0 makes every reuse revoke.
    refresh_reuse_grace_s: int = Field(default=10, ge=0, le=60)
    password_reset_ttl_s: int = Field(default=1800, ge=60, le=1800)
    # Failed logins per window: for one account from one IP (then that IP waits), for one
    # account from everywhere (a ceiling against spread-out guessing; the owner is mailed), and
    # for one IP over every account.
    login_max_failures_per_account_ip: int = Field(default=5, ge=1)
    login_max_failures_per_account: int = Field(default=50, ge=1)
    login_max_failures_per_ip: int = Field(default=30, ge=1)
    login_throttle_window_s: int = Field(default=900, ge=1)
    # Anonymous attempts per client IP and window, for each of register, reset request and
    # reset confirm (each may cost an Argon2 hash or a mail).
    account_actions_max_per_ip: int = Field(default=30, ge=1)
    # Base URL of emailed links (e.g. https://bench.example.com). Required in production; in
    # dev, links use the address `serve` listens on. Never taken from a request header.
    public_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = "benchstudio@localhost"
    smtp_starttls: bool = True
    # dev | production; unset: production in production mode, dev otherwise.
    egress_mode: Literal["dev", "production"] | None = None
    # Base URL of the demo simulator the server runs (e.g. http://127.0.0.1:8599); the
    # "Simulator (demo)" provider every user gets points here and is allow-listed alone.
    demo_simulator_url: str | None = None
    # `serve` starts the built-in simulator on this port when no demo_simulator_url is given.
    demo_simulator: bool = True
    demo_simulator_port: int = Field(default=9101, ge=1, le=65535)
    provider_probe_timeout_s: float = Field(default=15.0, gt=0)
    # Benchmark previews (and their prompt sizing) per user and minute, per API process.
    benchmark_previews_per_minute: int = Field(default=30, ge=1)
    # Per-user limit defaults (admins override per user; the job system enforces them).
    default_jobs_per_hour: int = Field(default=60, ge=0)
    default_concurrent_jobs: int = Field(default=2, ge=1)
    default_max_runs_per_benchmark: int = Field(default=1000, ge=1)
    default_monthly_spend_cap_usd: float | None = Field(default=None, ge=0)

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("public_url must be an http(s) URL, e.g. https://bench.example.com")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("public_url takes no query, fragment or credentials")
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))

    @model_validator(mode="after")
    def _check_schema_name(self) -> Settings:
        if self.database_schema is not None and not self.database_schema.isidentifier():
            raise ValueError("database_schema must be a plain identifier")
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, entries: list[str]) -> list[str]:
        for entry in entries:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(f"trusted_proxies: not an IP address or CIDR: {entry!r}") from None
        return [entry.strip() for entry in entries]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def effective_signup_policy(self) -> Literal["open", "invite", "closed"]:
        if self.signup_policy is not None:
            return self.signup_policy
        return "invite" if self.env is Environment.PRODUCTION else "open"

    @property
    def effective_egress_mode(self) -> Literal["dev", "production"]:
        if self.egress_mode is not None:
            return self.egress_mode
        return "production" if self.env is Environment.PRODUCTION else "dev"

    @property
    def demo_jobs_enabled(self) -> bool:
        return self.demo_jobs if self.demo_jobs is not None else self.env is Environment.TEST

    @property
    def link_base(self) -> str:
        """Where emailed links point: the configured public URL, else the address `serve`
        listens on (`host`/`port`, which `serve` sets from its options). Never a request header.
        """
        if self.public_url:
            return self.public_url
        host = self.host.strip("[]")
        if host in _UNSPECIFIED_HOSTS:
            host = "::1" if ":" in host else "127.0.0.1"
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    def vault_key_list(self) -> list[str]:
        return [k.strip() for k in self.vault_keys.get_secret_value().split(",") if k.strip()]


def _is_placeholder(value: str) -> bool:
    return value.strip().lower() in PLACEHOLDER_SECRETS or len(value.strip()) < MIN_SECRET_LENGTH


def _load_secrets_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition("=")
            if sep and not name.startswith("#"):
                values[name.strip()] = value.strip()
    return values


def _new_dev_secret(name: str) -> str:
    if name == _SECRET_KEY_VAR:
        return secrets.token_urlsafe(48)
    return Fernet.generate_key().decode()


def _complete_dev_secrets(path: Path) -> dict[str, str]:
    """The dev secrets file's values, adding only the lines it lacks (never rewriting one).

    Rewriting would replace the vault key that encrypted the stored provider keys.
    """
    stored = _load_secrets_file(path)
    added = {
        name: _new_dev_secret(name)
        for name in (_SECRET_KEY_VAR, _VAULT_KEYS_VAR)
        if not stored.get(name)
    }
    if not added:
        return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        if fresh:
            handle.write("# Generated by BenchStudio in dev mode. Keep this file private.\n")
        elif path.read_bytes()[-1:] not in (b"", b"\n"):
            handle.write("\n")
        handle.writelines(f"{name}={value}\n" for name, value in added.items())
    log.warning("generated development secrets", extra={"path": str(path), "added": list(added)})
    return stored | added


def _vault_key_problem(settings: Settings) -> str | None:
    keys = settings.vault_key_list()
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            where = f"key {position} of {len(keys)}" if len(keys) > 1 else "the key"
            return (
                f"{_VAULT_KEYS_VAR}: {where} is not a Fernet key (32 url-safe base64 bytes; "
                'make one with `python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`)'
            )
    return None


def _production_secret_problems(settings: Settings) -> list[str]:
    candidates = [(_SECRET_KEY_VAR, settings.secret_key.get_secret_value())]
    candidates += [(_VAULT_KEYS_VAR, key) for key in settings.vault_key_list()]
    problems = []
    for name, value in candidates:
        if value in DOCUMENTED_EXAMPLE_SECRETS:
            problems.append(f"{name} is an example value printed in the docs or tests")
        elif reason := weakness(value):
            problems.append(f"{name} is too weak: {reason}")
    return problems


def ensure_secrets(settings: Settings) -> Settings:
    """Fill in secrets in dev, or refuse to start with missing, weak or malformed ones."""
    missing = [
        name
        for name, value in (
            ("secret_key", settings.secret_key),
            ("vault_keys", settings.vault_keys),
        )
        if _is_placeholder(value.get_secret_value())
    ]
    if missing and settings.env is Environment.PRODUCTION:
        names = ", ".join(f"BENCHSTUDIO_{m.upper()}" for m in missing)
        raise SecretsError(f"production mode needs real secrets: set {names}")
    if missing:
        stored = _complete_dev_secrets(settings.secrets_file)
        updates: dict[str, SecretStr] = {}
        if "secret_key" in missing:
            updates["secret_key"] = SecretStr(stored[_SECRET_KEY_VAR])
        if "vault_keys" in missing:
            updates["vault_keys"] = SecretStr(stored[_VAULT_KEYS_VAR])
        settings = settings.model_copy(update=updates)
    if problem := _vault_key_problem(settings):
        source = f" (read from {settings.secrets_file})" if "vault_keys" in missing else ""
        raise SecretsError(problem + source)
    if settings.env is Environment.PRODUCTION and (
        problems := _production_secret_problems(settings)
    ):
        raise SecretsError("; ".join(problems))
    return settings


def ensure_startable(settings: Settings) -> Settings:
    """Refuse settings a server must not run with (beyond the secrets `ensure_secrets` checks).

    Production needs `BENCHSTUDIO_PUBLIC_URL`: emailed links must not depend on a request's
    `Host` or `X-Forwarded-*` headers, which a caller chooses (password-reset poisoning).
    """
    if settings.env is Environment.PRODUCTION and not settings.public_url:
        raise ConfigError(
            "production mode needs BENCHSTUDIO_PUBLIC_URL (the address users open, e.g. "
            "https://bench.example.com): emailed links are built from it"
        )
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, secrets resolved (cached; tests build their own)."""
    return ensure_startable(ensure_secrets(Settings()))
