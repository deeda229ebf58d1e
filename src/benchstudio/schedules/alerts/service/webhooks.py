"""Webhook endpoints (the owner's; 404 for anyone else's) and their delivery log.

The URL and the HMAC secret are sealed in the vault; the row shows the URL's scheme and host.
The secret is generated here and returned by `create` and `rotate_secret` only.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.errors import NotFoundError
from benchstudio.credentials.service import Vault
from benchstudio.schedules.alerts.models import WebhookAttempt, WebhookEndpoint
from benchstudio.schedules.alerts.repository import require_schedule
from benchstudio.schedules.alerts.schemas import (
    DeliveryAttemptOut,
    DeliveryAttemptPage,
    WebhookIn,
    WebhookOut,
    WebhookSecretOut,
    WebhookUpdate,
)
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.storage.service_context import ServiceContext

NO_WEBHOOK = "No such webhook."
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that names the kind, not a secret


def binding(webhook_id: str) -> str:
    return f"webhook:{webhook_id}"


def url_hint(url: str) -> str:
    """What may be shown of a URL: its scheme and host (a path or query may hold a token)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


async def _owned(session: AsyncSession, owner: str, webhook_id: str) -> WebhookEndpoint:
    row = await session.get(WebhookEndpoint, webhook_id)
    if row is None or row.owner_id != owner:
        raise NotFoundError(NO_WEBHOOK)
    return row


async def list_webhooks(ctx: ServiceContext) -> list[WebhookOut]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.owner_id == ctx.require_owner())
    query = query.order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id)
    async with ctx.read() as session:
        return [WebhookOut.model_validate(r) for r in (await session.execute(query)).scalars()]


async def get_webhook(ctx: ServiceContext, webhook_id: str) -> WebhookOut:
    async with ctx.read() as session:
        return WebhookOut.model_validate(await _owned(session, ctx.require_owner(), webhook_id))


async def create(ctx: AlertContext, data: WebhookIn) -> WebhookSecretOut:
    owner = ctx.require_owner()
    secret = _new_secret()
    now = ctx.clock()
    async with ctx.unit() as session:
        if data.schedule_id is not None:
            await require_schedule(session, owner, data.schedule_id)
        row = WebhookEndpoint(
            owner_id=owner,
            schedule_id=data.schedule_id,
            name=data.name,
            url_hint=url_hint(data.url),
            ciphertext="",
            enabled=data.enabled,
            created_at=now,
            secret_rotated_at=now,
        )
        session.add(row)
        await session.flush()
        row.ciphertext = ctx.vault.seal_record(binding(row.id), {"url": data.url, "secret": secret})
        out = WebhookOut.model_validate(row)
    return WebhookSecretOut(**out.model_dump(), secret=secret)


async def update(ctx: AlertContext, webhook_id: str, data: WebhookUpdate) -> WebhookOut:
    async with ctx.unit() as session:
        row = await _owned(session, ctx.require_owner(), webhook_id)
        if data.name is not None:
            row.name = data.name
        if data.enabled is not None:
            row.enabled = data.enabled
        if data.url is not None:
            sealed = ctx.vault.unseal_record(binding(row.id), row.ciphertext)
            sealed["url"] = data.url
            row.ciphertext = ctx.vault.seal_record(binding(row.id), sealed)
            row.url_hint = url_hint(data.url)
        return WebhookOut.model_validate(row)


async def rotate_secret(ctx: AlertContext, webhook_id: str) -> WebhookSecretOut:
    """A new secret, shown this once; deliveries from now on are signed with it."""
    secret = _new_secret()
    async with ctx.unit() as session:
        row = await _owned(session, ctx.require_owner(), webhook_id)
        sealed = ctx.vault.unseal_record(binding(row.id), row.ciphertext)
        sealed["secret"] = secret
        row.ciphertext = ctx.vault.seal_record(binding(row.id), sealed)
        row.secret_rotated_at = ctx.clock()
        out = WebhookOut.model_validate(row)
    return WebhookSecretOut(**out.model_dump(), secret=secret)


async def delete_webhook(ctx: ServiceContext, webhook_id: str) -> None:
    """The endpoint, its queued deliveries and its log."""
    owner = ctx.require_owner()
    async with ctx.unit() as session:
        row = await _owned(session, owner, webhook_id)
        await session.execute(
            delete(WebhookAttempt).where(
                WebhookAttempt.endpoint_id == row.id, WebhookAttempt.owner_id == owner
            )
        )
        await session.delete(row)


async def attempts(
    ctx: ServiceContext, webhook_id: str, limit: int, offset: int
) -> DeliveryAttemptPage:
    """The delivery log, newest first: each try's status, error, duration and next retry."""
    owner = ctx.require_owner()
    where = (WebhookAttempt.endpoint_id == webhook_id, WebhookAttempt.owner_id == owner)
    async with ctx.read() as session:
        await _owned(session, owner, webhook_id)
        query = select(WebhookAttempt).where(*where)
        query = query.order_by(WebhookAttempt.created_at.desc(), WebhookAttempt.attempt.desc())
        rows = (await session.execute(query.limit(limit).offset(offset))).scalars()
        items = [DeliveryAttemptOut.model_validate(r) for r in rows]
        count = select(func.count()).select_from(WebhookAttempt).where(*where)
        total = int((await session.execute(count)).scalar_one())
    return DeliveryAttemptPage(
        items=items,
        total=total,
        limit=limit,
        offset=offset,
    )


async def rotate_vault_keys(ctx: ServiceContext, vault: Vault) -> int:
    """Re-encrypt every webhook's sealed URL and secret under the newest vault key (the
    `admin rotate-vault-key` command, beside the provider keys). A system call."""
    count = 0
    async with ctx.unit() as session:
        for row in (await session.execute(select(WebhookEndpoint))).scalars():
            row.ciphertext = vault.rotate(row.ciphertext)
            count += 1
    return count
