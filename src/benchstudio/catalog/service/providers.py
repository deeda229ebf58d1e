"""Catalog use cases for providers: CRUD with archiving, keys and extra headers.

Keys go to the vault (`credentials.service`) in the same unit of work. Health checks and model
discovery, the calls that send them, are in `connections`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.catalog import repository
from benchstudio.catalog.domain import host_of, secrets_to_reenter
from benchstudio.catalog.models import CatalogModel, Provider
from benchstudio.catalog.schemas import (
    ProviderCreate,
    ProviderOut,
    ProviderUpdate,
)
from benchstudio.catalog.service.context import (
    DEMO_BASE_URL_PLACEHOLDER,
    CatalogContext,
    CatalogSettings,
    effective_base_url,
    egress_policy,
)
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError, ConflictError, NotFoundError, PermissionDeniedError
from benchstudio.core.ids import new_id
from benchstudio.core.net import EgressDeniedError
from benchstudio.core.redaction import redact
from benchstudio.credentials import service as vault_service
from benchstudio.credentials.domain import KeyStatus
from benchstudio.storage.service_context import ServiceContext

DEMO_PROVIDER_NAME = "Simulator (demo)"
DEMO_MODELS = (
    ("benchstudio-sim", "Simulator model"),
    ("benchstudio-sim-sloppy", "Simulator model (sloppy tool calls)"),
    ("benchstudio-sim-tunable", "Simulator model (tunable: accuracy follows sampling)"),
)


async def seed_demo_provider(ctx: ServiceContext) -> None:
    """Give a new user (the owner) the built-in simulator as a provider (joins their creation
    unit: `ctx.session`)."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        await _seed_demo_provider(session, owner_id)


async def _seed_demo_provider(session: AsyncSession, owner_id: str) -> None:
    provider_id = new_id()
    session.add(
        Provider(
            id=provider_id,
            owner_id=owner_id,
            name=DEMO_PROVIDER_NAME,
            protocol="openai",
            base_url=DEMO_BASE_URL_PLACEHOLDER,
            is_demo=True,
        )
    )
    await session.flush()  # no ORM relationship orders the inserts: the provider goes first
    for model_id, display in DEMO_MODELS:
        session.add(
            CatalogModel(
                owner_id=owner_id, provider_id=provider_id, model_id=model_id, display_name=display
            )
        )


def _provider_out(provider: Provider, status: KeyStatus, settings: CatalogSettings) -> ProviderOut:
    return ProviderOut(
        id=provider.id,
        name=provider.name,
        protocol=provider.protocol,
        base_url=effective_base_url(provider, settings),
        is_demo=provider.is_demo,
        archived=provider.archived_at is not None,
        has_key=status.has_key,
        key_last4=status.key_last4,
        extra_header_names=status.header_names,
        created_at=provider.created_at,
        updated_at=provider.updated_at,
    )


def _refuse_forbidden_literal(settings: CatalogSettings, base_url: str) -> None:
    """Early, friendly refusal of IP-literal URLs; the connect-time guard is the real check."""
    host = urlsplit(base_url).hostname or ""
    try:
        egress_policy(settings, demo=False).check_literal_host(host)
    except EgressDeniedError as exc:
        raise AppError(redact(str(exc)), code="egress_denied") from None


async def _owned_provider(session: AsyncSession, owner_id: str, provider_id: str) -> Provider:
    provider = await repository.get_owned(session, Provider, owner_id, provider_id)
    if provider is None:
        raise NotFoundError("No such provider.")
    return provider


async def _one_provider_out(
    ctx: CatalogContext, session: AsyncSession, provider: Provider
) -> ProviderOut:
    joined = ctx.with_session(session)
    status = (await vault_service.statuses(joined, [provider.id])).get(provider.id, KeyStatus())
    return _provider_out(provider, status, ctx.settings)


async def list_providers(
    ctx: CatalogContext, *, include_archived: bool = False
) -> list[ProviderOut]:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        rows = await repository.list_providers(session, owner_id, include_archived=include_archived)
        ids = [p.id for p in rows]
        statuses = await vault_service.statuses(ctx.with_session(session), ids)
        return [_provider_out(p, statuses.get(p.id, KeyStatus()), ctx.settings) for p in rows]


async def demo_provider_ids(ctx: ServiceContext) -> set[str]:
    """Ids of the owner's demo providers, archived too (a past run's cost reads "free")."""
    async with ctx.read() as session:
        rows = await repository.list_providers(session, ctx.require_owner(), include_archived=True)
    return {p.id for p in rows if p.is_demo}


async def get_provider(ctx: CatalogContext, provider_id: str) -> ProviderOut:
    async with ctx.read() as session:
        provider = await _owned_provider(session, ctx.require_owner(), provider_id)
        return await _one_provider_out(ctx, session, provider)


async def create_provider(ctx: CatalogContext, data: ProviderCreate) -> ProviderOut:
    owner_id = ctx.require_owner()
    _refuse_forbidden_literal(ctx.settings, data.base_url)
    async with ctx.unit() as session:
        provider = Provider(
            id=new_id(),
            owner_id=owner_id,
            name=data.name,
            protocol=data.protocol,
            base_url=data.base_url,
        )
        session.add(provider)
        await session.flush()
        if data.api_key is not None or data.extra_headers:
            await vault_service.store_secrets(
                ctx.with_session(session),
                ctx.vault,
                provider_id=provider.id,
                api_key=data.api_key.get_secret_value() if data.api_key else None,
                headers=data.extra_headers or {},
            )
        audit.record(
            session,
            "provider.created",
            actor_id=ctx.actor_id,
            target=provider.id,
            detail={"key_set": data.api_key is not None},
        )
        return await _one_provider_out(ctx, session, provider)


async def update_provider(
    ctx: CatalogContext, provider_id: str, data: ProviderUpdate, *, may_move: bool = True
) -> ProviderOut:
    """Rename, move or change the secrets of a provider.

    `may_move` is False for callers that must not change the address (API tokens): the stored
    key follows the address, so moving a provider is reading its key (issue 15, item 5).
    """
    if data.base_url is not None:
        _refuse_forbidden_literal(ctx.settings, data.base_url)
    async with ctx.unit() as session:
        provider = await _owned_provider(session, ctx.require_owner(), provider_id)
        if provider.archived_at is not None:
            raise ConflictError("This provider is archived.", code="archived")
        if data.base_url is not None and provider.is_demo:
            raise ConflictError("The demo provider's address is set by the server.")
        if data.name is not None:
            provider.name = data.name
        joined = ctx.with_session(session)
        if data.base_url is not None and data.base_url != provider.base_url:
            await _move(joined, session, provider, data, may_move=may_move)
        if data.api_key is not None:
            key = data.api_key.get_secret_value()
            await vault_service.store_secrets(
                joined, ctx.vault, provider_id=provider_id, api_key=key
            )
            audit.record(session, "provider.key_set", actor_id=ctx.actor_id, target=provider_id)
        if data.extra_headers is not None:
            await vault_service.store_secrets(
                joined, ctx.vault, provider_id=provider_id, headers=data.extra_headers
            )
            audit.record(
                session, "provider.headers_changed", actor_id=ctx.actor_id, target=provider_id
            )
        provider.updated_at = utcnow()
        return await _one_provider_out(ctx, session, provider)


async def _move(
    ctx: CatalogContext,
    session: AsyncSession,
    provider: Provider,
    data: ProviderUpdate,
    *,
    may_move: bool,
) -> None:
    """Point the provider at `data.base_url`: refused to API tokens, and to a new host unless
    the stored secrets are sent again; audited with both hosts (never path or query)."""
    assert data.base_url is not None
    if not may_move:
        raise PermissionDeniedError(
            "Changing a provider's base URL needs a signed-in session: an API token cannot "
            "send the stored key to a new address.",
            code="session_required",
        )
    status = (await vault_service.statuses(ctx, [provider.id])).get(provider.id, KeyStatus())
    missing = secrets_to_reenter(
        provider.base_url,
        data.base_url,
        has_key=status.has_key,
        header_names=status.header_names,
        key_sent=data.api_key is not None,
        headers_sent=data.extra_headers is not None,
    )
    if missing:
        raise AppError(
            "The new base URL is on another host: send the stored secrets again in the same "
            f"request ({' and '.join(missing)}), so they never reach a host you did not enter "
            "them for.",
            code="secrets_required_for_new_host",
            status_code=422,
        )
    detail = {"old_host": host_of(provider.base_url), "new_host": host_of(data.base_url)}
    audit.record(
        session,
        "provider.base_url_changed",
        actor_id=ctx.actor_id,
        target=provider.id,
        detail=detail,
    )
    provider.base_url = data.base_url


async def set_provider_key(
    ctx: CatalogContext, provider_id: str, api_key: str | None
) -> ProviderOut:
    """Store (or with None remove) the provider's API key; audited without the key."""
    async with ctx.unit() as session:
        provider = await _owned_provider(session, ctx.require_owner(), provider_id)
        if provider.archived_at is not None:
            raise ConflictError("This provider is archived.", code="archived")
        await vault_service.store_secrets(
            ctx.with_session(session), ctx.vault, provider_id=provider_id, api_key=api_key
        )
        action = "provider.key_set" if api_key else "provider.key_removed"
        audit.record(session, action, actor_id=ctx.actor_id, target=provider_id)
        provider.updated_at = utcnow()
        return await _one_provider_out(ctx, session, provider)


async def archive_provider(ctx: CatalogContext, provider_id: str) -> None:
    """Archive the provider and its models and drop its secrets; history keeps the rows."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        provider = await _owned_provider(session, owner_id, provider_id)
        if provider.archived_at is not None:
            return
        now = utcnow()
        provider.archived_at = now
        for model in await repository.list_models(
            session, owner_id, provider_id=provider_id, include_archived=False
        ):
            model.archived_at = now
        await vault_service.store_secrets(
            ctx.with_session(session), ctx.vault, provider_id=provider_id, api_key=None, headers={}
        )
        audit.record(session, "provider.archived", actor_id=ctx.actor_id, target=provider_id)
