"""Webhook deliveries: signed POSTs through the egress guard, retried with exponential backoff
(at most `MAX_ATTEMPTS` tries), each try recorded in the delivery log.

The alert loop calls `deliver_due`; a delivery is leased before it is sent (its next attempt
moved past the request's timeout), so two loops never send the same try. A destination the
egress guard refuses is not retried: asking again cannot change the answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from benchstudio.catalog.service import egress_policy
from benchstudio.core.webhook_post import PostOutcome, post_signed
from benchstudio.credentials.service import VaultError
from benchstudio.schedules.alerts.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.schedules.alerts.service.webhooks import binding

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(seconds=30)  # then 1, 2 and 4 minutes
TIMEOUT_S = 10.0
LEASE = timedelta(seconds=TIMEOUT_S * 3)


def retry_after(attempt: int) -> timedelta | None:
    """The wait before try `attempt + 1`, or None when `attempt` was the last."""
    if attempt >= MAX_ATTEMPTS:
        return None
    return timedelta(seconds=FIRST_RETRY.total_seconds() * 2 ** (attempt - 1))


async def deliver_due(ctx: AlertContext, limit: int = 20) -> int:
    """Send up to `limit` deliveries whose next try has come; returns how many were tried."""
    now = ctx.clock()
    query = (
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    async with ctx.read() as session:
        ids = list((await session.execute(query)).scalars())
    tried = 0
    for delivery_id in ids:
        if await _lease(ctx, delivery_id, now):
            await _deliver(ctx, delivery_id)
            tried += 1
    return tried


async def _lease(ctx: AlertContext, delivery_id: str, now: datetime) -> bool:
    lease = (
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
    )
    async with ctx.unit() as session:
        return bool((await session.execute(lease)).rowcount)  # type: ignore[attr-defined]


async def _deliver(ctx: AlertContext, delivery_id: str) -> None:
    async with ctx.read() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
        event, body = delivery.event, delivery.body
        sealed = endpoint.ciphertext if endpoint is not None else None
        endpoint_id = endpoint.id if endpoint is not None else ""
    outcome, final = await _post(ctx, endpoint_id, sealed, event, body)
    await _record(ctx, delivery_id, outcome, final)


async def _post(
    ctx: AlertContext, endpoint_id: str, sealed: str | None, event: str, body: str
) -> tuple[PostOutcome, bool]:
    """The try's outcome, and whether no retry can help."""
    if sealed is None:
        return PostOutcome(None, "the endpoint is gone", 0.0), True
    try:
        record = ctx.vault.unseal_record(binding(endpoint_id), sealed)
    except VaultError:
        return PostOutcome(None, "the endpoint's secret cannot be decrypted", 0.0), True
    policy = egress_policy(ctx.settings, demo=False)
    outcome = await post_signed(
        policy, record["url"], record["secret"], event, body.encode(), timeout_s=TIMEOUT_S
    )
    refused = (outcome.error or "").startswith("refused by the egress guard")
    return outcome, refused


async def _record(ctx: AlertContext, delivery_id: str, outcome: PostOutcome, final: bool) -> None:
    now = ctx.clock()
    async with ctx.unit() as session:
        delivery = await session.get(WebhookDelivery, delivery_id)
        if delivery is None:  # its endpoint was deleted meanwhile
            return
        delivery.attempts += 1
        wait = None if outcome.delivered or final else retry_after(delivery.attempts)
        next_at = now + wait if wait is not None else None
        if outcome.delivered:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = "delivered", now, None
        elif next_at is None:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = "failed", now, None
        else:
            delivery.next_attempt_at = next_at
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                endpoint_id=delivery.endpoint_id,
                owner_id=delivery.owner_id,
                event=delivery.event,
                attempt=delivery.attempts,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
                next_retry_at=next_at,
                created_at=now,
            )
        )
