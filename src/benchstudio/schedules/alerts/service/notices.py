"""Where a check's verdict goes: episodes open and close, the notification center gets one
notice per opened or closed episode (none while the metric is muted), each matching webhook
gets a delivery queued, and the owner gets an email."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.accounts.service import users as accounts
from benchstudio.accounts.service.mailer import OutgoingMail
from benchstudio.core.errors import NotFoundError
from benchstudio.schedules.alerts import repository
from benchstudio.schedules.alerts.models import (
    Notification,
    ScheduleAlertCheck,
    ScheduleAlertEpisode,
    WebhookDelivery,
    WebhookEndpoint,
)
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.schedules.domain.alerts_episodes import Evaluation, Event, EventKind, describe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    kind: str  # schedule.regressed | schedule.recovered
    title: str
    body: str
    link: str


def _payload(notice: Notice, event: Event, check: ScheduleAlertCheck, name: str) -> str:
    finding = event.finding
    body: dict[str, Any] = {
        "event": notice.kind,
        "schedule": {"id": check.schedule_id, "name": name},
        "run_id": check.run_id,
        "metric": finding.metric.value,
        "baseline": finding.baseline,
        "value": finding.value,
        "p_value": finding.p_value,
        "title": notice.title,
        "body": notice.body,
        "link": notice.link,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


async def _episodes(
    session: AsyncSession, check: ScheduleAlertCheck
) -> dict[str, ScheduleAlertEpisode]:
    query = select(ScheduleAlertEpisode).where(
        ScheduleAlertEpisode.schedule_id == check.schedule_id,
        ScheduleAlertEpisode.closed_at.is_(None),
    )
    return {e.metric: e for e in (await session.execute(query)).scalars()}


async def write_notices(
    ctx: AlertContext,
    session: AsyncSession,
    check: ScheduleAlertCheck,
    evaluation: Evaluation,
    name: str,
) -> list[Notice]:
    """Apply the evaluation in `session` (the check's unit); returns the notices to email."""
    now = ctx.clock()
    open_episodes = await _episodes(session, check)
    for metric in evaluation.regressed:
        if metric.value in open_episodes:  # the same episode: counted, nothing said
            open_episodes[metric.value].runs += 1
    hooks = await repository.endpoints_for(session, check.owner_id, check.schedule_id)
    notices: list[Notice] = []
    for event in evaluation.events:
        finding = event.finding
        if event.kind is EventKind.REGRESSED:
            session.add(
                ScheduleAlertEpisode(
                    schedule_id=check.schedule_id,
                    owner_id=check.owner_id,
                    metric=finding.metric.value,
                    baseline=finding.baseline,
                    value=finding.value,
                    p_value=finding.p_value,
                    opened_run_id=check.run_id,
                    opened_at=now,
                    muted=event.muted,
                )
            )
        elif (episode := open_episodes.get(finding.metric.value)) is not None:
            episode.closed_run_id, episode.closed_value = check.run_id, finding.value
            episode.closed_at = now
        if event.muted:
            continue
        title, body = describe(event, name)
        notice = Notice(
            f"schedule.{event.kind.value}", title, body, f"/schedules/{check.schedule_id}"
        )
        notices.append(notice)
        session.add(
            Notification(
                owner_id=check.owner_id,
                kind=notice.kind,
                title=title,
                body=body,
                link=notice.link,
                created_at=now,
            )
        )
        payload = _payload(notice, event, check, name)
        queue_deliveries(session, hooks, check.owner_id, notice.kind, payload, now)
    return notices


def queue_deliveries(
    session: AsyncSession,
    hooks: list[WebhookEndpoint],
    owner_id: str,
    event: str,
    payload: str,
    now: datetime,
) -> None:
    """One delivery per endpoint, sent by the alert loop (never in the caller's request)."""
    for hook in hooks:
        session.add(
            WebhookDelivery(
                endpoint_id=hook.id,
                owner_id=owner_id,
                event=event,
                body=payload,
                next_attempt_at=now,
                created_at=now,
            )
        )


async def send_email(ctx: AlertContext, owner_id: str, notices: list[Notice]) -> None:
    """One mail per notice to the owner (an inactive or deleted owner gets none)."""
    try:
        user = await accounts.get_user(ctx, owner_id)
    except NotFoundError:
        return
    if not user.is_active:
        return
    base = ctx.settings.link_base.rstrip("/")  # as account mails: never a request's header
    for notice in notices:
        body = f"{notice.body}\n\nSee the schedule: {base}{notice.link}\n"
        await ctx.mailer.send(OutgoingMail(to=user.email, subject=notice.title, body=body))
