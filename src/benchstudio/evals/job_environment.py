"""The settings an eval job handler runs with.

Job handlers receive a `JobContext` without the process's settings, and the handler needs them
for the key vault and the egress policy. A `benchstudio worker` and `serve` both use the
process's `get_settings()`; an app built with its own settings (tests, embedded servers)
binds them here when it starts (`endpoints.lifespan`).
"""

from __future__ import annotations

from benchstudio.config import Settings, get_settings
from benchstudio.credentials.service import Vault

_bound: Settings | None = None


def bind_settings(settings: Settings | None) -> None:
    global _bound
    _bound = settings


def current_settings() -> Settings:
    return _bound if _bound is not None else get_settings()


def current_vault() -> Vault:
    return Vault(current_settings().vault_key_list())
