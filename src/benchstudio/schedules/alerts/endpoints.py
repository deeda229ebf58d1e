"""Regression-alert routes, all the caller's own (another user's schedule or webhook: 404):
a schedule's alert rules, alerts and mutes (`/api/schedules/{id}/...`), the notification
center (`/api/notifications`) and webhook endpoints with their delivery log (`/api/webhooks`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from benchstudio.accounts.service.mailer import Mailer, mailer_from_settings
from benchstudio.catalog.service import VaultDep
from benchstudio.core.input_types import ObjectId
from benchstudio.http.dependencies import SettingsDep
from benchstudio.http.paging import Page, paging
from benchstudio.http.service_context import OwnerContext
from benchstudio.schedules.alerts.schemas import (
    AlertRulesIn,
    AlertRulesOut,
    AlertsOut,
    DeliveryAttemptPage,
    MarkedOut,
    MarkReadIn,
    MetricName,
    MuteIn,
    MuteOut,
    NotificationPage,
    TrendOut,
    UnreadOut,
    WebhookIn,
    WebhookOut,
    WebhookSecretOut,
    WebhookUpdate,
)
from benchstudio.schedules.alerts.service import (
    AlertContext,
    notifications,
    rules,
    trend,
    webhooks,
)

router = APIRouter(tags=["alerts"])


async def alert_context(
    request: Request, owner: OwnerContext, vault: VaultDep, settings: SettingsDep
) -> AlertContext:
    mailer: Mailer = getattr(request.app.state, "mailer", None) or mailer_from_settings(settings)
    return AlertContext(
        db=owner.db,
        owner_id=owner.owner_id,
        actor_id=owner.actor_id,
        settings=settings,
        vault=vault,
        mailer=mailer,
    )


Ctx = Annotated[AlertContext, Depends(alert_context)]


@router.get("/schedules/{schedule_id}/alert-rules", response_model=AlertRulesOut)
async def get_alert_rules(schedule_id: ObjectId, ctx: Ctx) -> AlertRulesOut:
    """The schedule's alert rules (none saved: no rule, nothing alerts)."""
    return await rules.get_rules(ctx, schedule_id)


@router.put("/schedules/{schedule_id}/alert-rules", response_model=AlertRulesOut)
async def put_alert_rules(schedule_id: ObjectId, data: AlertRulesIn, ctx: Ctx) -> AlertRulesOut:
    """Replace the rules: thresholds per metric against a fixed run or a rolling baseline."""
    return await rules.put_rules(ctx, schedule_id, data)


@router.get("/schedules/{schedule_id}/alerts", response_model=AlertsOut)
async def list_alerts(
    schedule_id: ObjectId, ctx: Ctx, page: Annotated[Page, paging(50, 200)]
) -> AlertsOut:
    """The schedule's regression episodes (newest first), the open ones and the mutes."""
    return await rules.alerts(ctx, schedule_id, page.limit, page.offset)


@router.get("/schedules/{schedule_id}/trend", response_model=TrendOut)
async def schedule_trend(
    schedule_id: ObjectId, ctx: Ctx, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> TrendOut:
    """The last `limit` finished runs (oldest first) with their alert metrics, the current
    baseline and the open episodes: the figures the regression check uses."""
    return await trend.trend(ctx, schedule_id, limit)


@router.post("/schedules/{schedule_id}/alerts/mutes", response_model=MuteOut)
async def mute_metric(schedule_id: ObjectId, data: MuteIn, ctx: Ctx) -> MuteOut:
    """Hold back a metric's alerts (until a time, or until unmuted)."""
    return await rules.mute(ctx, schedule_id, data)


@router.delete(
    "/schedules/{schedule_id}/alerts/mutes/{metric}", status_code=204, response_class=Response
)
async def unmute_metric(schedule_id: ObjectId, metric: MetricName, ctx: Ctx) -> Response:
    await rules.unmute(ctx, schedule_id, metric)
    return Response(status_code=204)


@router.get("/notifications", response_model=NotificationPage)
async def list_notifications(
    ctx: Ctx, page: Annotated[Page, paging(50, 200)], unread_only: bool = False
) -> NotificationPage:
    """Your notices, newest first, with the unread count."""
    return await notifications.list_notifications(
        ctx, page.limit, page.offset, unread_only=unread_only
    )


@router.get("/notifications/unread-count", response_model=UnreadOut)
async def unread_count(ctx: Ctx) -> UnreadOut:
    return UnreadOut(unread=await notifications.unread_count(ctx))


@router.post("/notifications/read", response_model=MarkedOut)
async def mark_read(data: MarkReadIn, ctx: Ctx) -> MarkedOut:
    """Mark these notices read (ids not yours are ignored)."""
    return MarkedOut(marked=await notifications.mark_read(ctx, list(data.ids)))


@router.post("/notifications/read-all", response_model=MarkedOut)
async def mark_all_read(ctx: Ctx) -> MarkedOut:
    return MarkedOut(marked=await notifications.mark_read(ctx, None))


@router.get("/webhooks", response_model=list[WebhookOut])
async def list_webhooks(ctx: Ctx) -> list[WebhookOut]:
    return await webhooks.list_webhooks(ctx)


@router.post("/webhooks", response_model=WebhookSecretOut, status_code=201)
async def create_webhook(data: WebhookIn, ctx: Ctx) -> WebhookSecretOut:
    """Save an endpoint; the answer holds its signing secret, shown this once."""
    return await webhooks.create(ctx, data)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut)
async def get_webhook(webhook_id: ObjectId, ctx: Ctx) -> WebhookOut:
    return await webhooks.get_webhook(ctx, webhook_id)


@router.patch("/webhooks/{webhook_id}", response_model=WebhookOut)
async def update_webhook(webhook_id: ObjectId, data: WebhookUpdate, ctx: Ctx) -> WebhookOut:
    return await webhooks.update(ctx, webhook_id, data)


@router.delete("/webhooks/{webhook_id}", status_code=204, response_class=Response)
async def delete_webhook(webhook_id: ObjectId, ctx: Ctx) -> Response:
    await webhooks.delete_webhook(ctx, webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=WebhookSecretOut)
async def rotate_webhook_secret(webhook_id: ObjectId, ctx: Ctx) -> WebhookSecretOut:
    """A new signing secret, shown this once; the old one stops signing at once."""
    return await webhooks.rotate_secret(ctx, webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=DeliveryAttemptPage)
async def webhook_deliveries(
    webhook_id: ObjectId, ctx: Ctx, page: Annotated[Page, paging(50, 200)]
) -> DeliveryAttemptPage:
    """The delivery log, newest first (no URL, no secret, no response body)."""
    return await webhooks.attempts(ctx, webhook_id, page.limit, page.offset)
