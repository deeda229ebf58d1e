"""Provider adapters for a run's targets, opened through the catalog (the vault attaches each
key server-side): shared by the eval job and a tuner's trial runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AsyncExitStack
from typing import Any

from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.service import CatalogContext
from benchstudio.providers.base import ProviderAdapter


async def open_adapters(
    ctx: CatalogContext, stack: AsyncExitStack, targets: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, ProviderAdapter], dict[str, str]]:
    """One adapter per provider (closed with `stack`), and each provider's base URL."""
    adapters: dict[str, ProviderAdapter] = {}
    base_urls: dict[str, str] = {}
    for target in targets:
        provider_id = target["provider_id"]
        if provider_id in adapters:
            continue
        provider = await catalog_service.get_provider(ctx, provider_id)
        base_urls[provider_id] = provider.base_url
        adapters[provider_id] = await stack.enter_async_context(
            catalog_service.open_provider_adapter(ctx, provider_id)
        )
    return adapters, base_urls
