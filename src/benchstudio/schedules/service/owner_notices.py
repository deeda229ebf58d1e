"""The owner is told when an occurrence is skipped (one notice per span of skips) or the
schedule pauses itself: in the notification center, by a delivery to each of their webhooks,
and by email (sent by the alert loop). Each notice joins the unit of work that records the skip
or the pause, so it is written exactly when that is stored, once."""

from __future__ import annotations

from datetime import datetime

from benchstudio.schedules.alerts import repository as alerts_repository
from benchstudio.schedules.alerts.service.notices import queue_deliveries
from benchstudio.schedules.alerts.service.notifications import notify
from benchstudio.schedules.domain.owner_notices import (
    OwnerNotice,
    PreviousOccurrence,
    paused_notice,
    skipped_notice,
    starts_span,
    webhook_payload,
)
from benchstudio.schedules.models import Schedule
from benchstudio.storage.service_context import ServiceContext


async def _write(ctx: ServiceContext, row: Schedule, notice: OwnerNotice, now: datetime) -> None:
    """The notice in the notification center, and a delivery to each webhook that hears about
    the schedule (the alert loop sends them, signed, as it sends alerts)."""
    owner = ctx.for_tenant(row.owner_id)
    kind, title, body, link = notice.kind, notice.title, notice.body, notice.link
    async with owner.unit() as session:
        mail = await alerts_repository.emails_owner(session, row.id)
        await notify(owner, kind=kind, title=title, body=body, link=link, at=now, mail=mail)
        hooks = await alerts_repository.endpoints_for(session, row.owner_id, row.id)
        payload = webhook_payload(notice, row.id, row.name)
        queue_deliveries(session, hooks, row.owner_id, kind, payload, now)


async def tell_skipped(
    ctx: ServiceContext,
    row: Schedule,
    occurrence_at: datetime,
    reason: str,
    now: datetime,
    *,
    previous: PreviousOccurrence | None,
) -> None:
    """A notice for a skip that starts a span (`previous`: the occurrence decided before it).
    `ctx` joins the unit that stores the skip."""
    if starts_span(previous, reason):
        notice = skipped_notice(row.id, row.name, occurrence_at, reason)
        await _write(ctx, row, notice, now)


async def tell_paused(ctx: ServiceContext, row: Schedule, reason: str, now: datetime) -> None:
    """A notice for the pause; `ctx` joins the unit that stores it."""
    await _write(ctx, row, paused_notice(row.id, row.name, reason), now)
