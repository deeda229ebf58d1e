"""Catalog use cases that call a provider: health checks, model discovery, and adapters (with
the key attached server-side) for job handlers.

Outbound calls go through the egress guard with the operator's allow-list (plus, for the demo
provider only, the simulator the server started).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from benchstudio.catalog import repository
from benchstudio.catalog.models import Provider
from benchstudio.catalog.schemas import DiscoveredModel, HealthOut, ProviderErrorOut
from benchstudio.catalog.service.context import CatalogContext, effective_base_url, egress_policy
from benchstudio.core.errors import AppError, ConflictError, NotFoundError
from benchstudio.core.redaction import redact
from benchstudio.credentials import service as vault_service
from benchstudio.credentials.service import ProviderEndpoint
from benchstudio.providers.base import ProviderAdapter
from benchstudio.providers.errors import ProviderError, ProviderTimeoutError


async def _endpoint(ctx: CatalogContext, provider_id: str) -> tuple[ProviderEndpoint, bool]:
    """Connection data and whether it is the demo provider (whose URL the server sets)."""
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        provider = await repository.get_owned(session, Provider, owner_id, provider_id)
        if provider is None:
            raise NotFoundError("No such provider.")
        if provider.archived_at is not None:
            raise ConflictError("This provider is archived.", code="archived")
        endpoint = ProviderEndpoint(
            provider_id=provider.id,
            owner_id=owner_id,
            protocol=provider.protocol,
            base_url=effective_base_url(provider, ctx.settings),
        )
        return endpoint, provider.is_demo


@asynccontextmanager
async def open_provider_adapter(
    ctx: CatalogContext, provider_id: str
) -> AsyncIterator[ProviderAdapter]:
    """An adapter for one of the owner's providers, key attached server-side (for job handlers).

    Raises NotFoundError for another user's provider and ConflictError for an archived one.
    """
    access = await provider_access(ctx, provider_id)
    async with vault_service.adapter_for(access) as adapter:
        yield adapter


async def provider_access(ctx: CatalogContext, provider_id: str) -> vault_service.ProviderAccess:
    """What an adapter for one of the owner's providers needs, key decrypted (for the measuring
    child, which then holds neither the vault's master keys nor a database handle).

    Raises NotFoundError for another user's provider and ConflictError for an archived one.
    """
    # Only the server-owned demo row gets the simulator's allow-list entry: a user's own
    # provider pointing at the same address is checked like any other.
    endpoint, demo = await _endpoint(ctx, provider_id)
    policy = egress_policy(ctx.settings, demo=demo)
    return await vault_service.unseal_access(ctx, ctx.vault, endpoint, policy=policy)


def _error_out(error: ProviderError) -> ProviderErrorOut:
    return ProviderErrorOut(
        category=error.category, message=redact(error.message), status=error.status
    )


def _probe_timeout(ctx: CatalogContext) -> ProviderTimeoutError:
    seconds = ctx.settings.provider_probe_timeout_s
    return ProviderTimeoutError(f"no answer within {seconds:g} s")


async def check_health(ctx: CatalogContext, provider_id: str) -> HealthOut:
    # Our own deadline: a per-request `timeout=None` in a client would switch the session's off.
    started = time.perf_counter()
    try:
        async with (
            open_provider_adapter(ctx, provider_id) as adapter,
            asyncio.timeout(ctx.settings.provider_probe_timeout_s),
        ):
            status = await adapter.health_check()
    except TimeoutError:
        latency = (time.perf_counter() - started) * 1000
        return HealthOut(
            ok=False, latency_ms=round(latency, 2), error=_error_out(_probe_timeout(ctx))
        )
    return HealthOut(
        ok=status.ok,
        latency_ms=round(status.latency_ms, 2),
        model_count=status.model_count,
        error=_error_out(status.error) if status.error else None,
    )


def _discovery_failed(exc: ProviderError) -> AppError:
    error = _error_out(exc)
    return AppError(
        f"Model discovery failed ({error.category}): {error.message}",
        code="provider_error",
        status_code=502,
    )


async def discover_models(ctx: CatalogContext, provider_id: str) -> list[DiscoveredModel]:
    """The provider's model list, marking the ones already in the catalog."""
    try:
        async with (
            open_provider_adapter(ctx, provider_id) as adapter,
            asyncio.timeout(ctx.settings.provider_probe_timeout_s),
        ):
            found = await adapter.list_models()
    except TimeoutError:
        raise _discovery_failed(_probe_timeout(ctx)) from None
    except ProviderError as exc:
        raise _discovery_failed(exc) from None
    async with ctx.read() as session:
        existing = {
            m.model_id
            for m in await repository.list_models(
                session, ctx.require_owner(), provider_id=provider_id, include_archived=False
            )
        }
    return [
        DiscoveredModel(
            model_id=m.id,
            display_name=m.display_name,
            context_window=m.context_window,
            already_added=m.id in existing,
        )
        for m in found
    ]
