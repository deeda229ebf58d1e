"""The catalog's service context: the base context plus the vault and the settings it reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import urlsplit

from benchstudio.catalog.models import Provider
from benchstudio.config import Settings
from benchstudio.core.net import EgressPolicy
from benchstudio.credentials.service import Vault
from benchstudio.storage.engine import Database
from benchstudio.storage.service_context import ServiceContext

DEMO_BASE_URL_PLACEHOLDER = "http://demo-simulator.invalid"


class EgressSettings(Protocol):
    """What the egress policy reads (`Settings` and `CatalogSettings` both have it)."""

    @property
    def effective_egress_mode(self) -> Literal["dev", "production"]: ...
    @property
    def egress_allow(self) -> Sequence[str]: ...
    @property
    def demo_simulator_url(self) -> str | None: ...


@dataclass(frozen=True)
class CatalogSettings:
    """The slice of `Settings` the catalog reads (never the secrets)."""

    effective_egress_mode: Literal["dev", "production"] = "dev"
    egress_allow: tuple[str, ...] = ()
    demo_simulator_url: str | None = None
    provider_probe_timeout_s: float = 15.0

    @staticmethod
    def of(settings: Settings) -> CatalogSettings:
        return CatalogSettings(
            effective_egress_mode=settings.effective_egress_mode,
            egress_allow=tuple(settings.egress_allow),
            demo_simulator_url=settings.demo_simulator_url,
            provider_probe_timeout_s=settings.provider_probe_timeout_s,
        )


@dataclass(frozen=True, kw_only=True)
class CatalogContext(ServiceContext):
    vault: Vault
    settings: CatalogSettings = field(default_factory=CatalogSettings)

    @staticmethod
    def from_settings(
        db: Database, vault: Vault, settings: Settings, *, owner_id: str | None = None
    ) -> CatalogContext:
        """A context for `owner_id` (also the actor), its settings slice taken from `settings`."""
        return CatalogContext(
            db=db,
            vault=vault,
            settings=CatalogSettings.of(settings),
            owner_id=owner_id,
            actor_id=owner_id,
        )


def egress_policy(settings: EgressSettings, *, demo: bool) -> EgressPolicy:
    allow = list(settings.egress_allow)
    if demo and settings.demo_simulator_url:
        host = urlsplit(settings.demo_simulator_url).hostname
        if host:
            allow.append(host)
    return EgressPolicy.from_allow_list(settings.effective_egress_mode, allow)


def effective_base_url(provider: Provider, settings: CatalogSettings) -> str:
    """Where requests go: the demo provider's address is the server's to set."""
    if provider.is_demo:
        return settings.demo_simulator_url or DEMO_BASE_URL_PLACEHOLDER
    return provider.base_url
