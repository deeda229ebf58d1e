"""A start-up repair: credentials in provider URLs saved before such URLs were refused.

`check_base_url` refuses a base URL whose query carries a credential (`?key=`, `api_key`,
`token`…), but rows stored before that check may still hold one, in plaintext, outside the
vault (issue 15, item 19). The composition root calls `system_move_url_credentials` once at
start-up (it needs the vault's master keys, which a migration does not have): the first
credential value becomes the provider's API key when none is stored, and every credential
parameter is stripped from the stored URL. Idempotent: a repaired URL has nothing left to move.
"""

from __future__ import annotations

from benchstudio.audit import service as audit
from benchstudio.catalog import repository
from benchstudio.catalog.domain import split_query_credentials
from benchstudio.catalog.service.context import CatalogContext
from benchstudio.credentials import service as vault_service
from benchstudio.credentials.domain import KeyStatus


async def system_move_url_credentials(ctx: CatalogContext) -> int:
    """Move query credentials out of every owner's stored provider URLs; returns how many
    providers were repaired. A key already in the vault wins over the one in the URL (the
    URL's value is dropped); an archived provider keeps no secrets, so its value is dropped."""
    repaired = 0
    async with ctx.unit() as session:
        for provider in await repository.providers_with_a_query(session):
            clean_url, found = split_query_credentials(provider.base_url)
            if not found:
                continue
            owner = ctx.for_tenant(provider.owner_id).with_session(session)
            statuses = await vault_service.statuses(owner, [provider.id])
            status = statuses.get(provider.id, KeyStatus())
            value = next((v for _, v in found if v), None)
            key_moved = value is not None and not status.has_key and provider.archived_at is None
            if key_moved:
                await vault_service.store_secrets(
                    owner, ctx.vault, provider_id=provider.id, api_key=value
                )
            provider.base_url = clean_url
            audit.record(
                session,
                "provider.url_credentials_moved",
                actor_id=None,
                target=provider.id,
                detail={"params": [name for name, _ in found], "key_moved": key_moved},
            )
            repaired += 1
    return repaired
