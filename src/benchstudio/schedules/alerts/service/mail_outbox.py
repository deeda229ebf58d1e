"""Emails for the schedules' own notices (a skipped run, a pause). Those notices are written in
the dispatcher's or a job's unit of work, where nothing may wait on a mail server, flagged
`mail_due`; the alert loop sends them here. Each is claimed before it is sent, so two loops
never send it twice (a mail lost to an SMTP error is not retried: the notice stays in the
notification center)."""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from benchstudio.schedules.alerts.models import Notification
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.schedules.alerts.service.notices import Notice, send_email

log = logging.getLogger(__name__)


async def send_due_mail(ctx: AlertContext, limit: int = 20) -> int:
    """Email up to `limit` notices flagged `mail_due`; returns how many were claimed."""
    query = select(Notification.id).where(Notification.mail_due.is_(True)).limit(limit)
    async with ctx.read() as session:
        ids = list((await session.execute(query)).scalars())
    sent = 0
    for notice_id in ids:
        notice = await _claim(ctx, notice_id)
        if notice is None:
            continue
        owner_id, due = notice
        sent += 1
        try:
            await send_email(ctx, owner_id, [due])
        except Exception:
            log.warning("could not email a schedule notice", exc_info=True)
    return sent


async def _claim(ctx: AlertContext, notice_id: str) -> tuple[str, Notice] | None:
    claim = (
        update(Notification)
        .where(Notification.id == notice_id, Notification.mail_due.is_(True))
        .values(mail_due=False)
    )
    async with ctx.unit() as session:
        if not (await session.execute(claim)).rowcount:  # type: ignore[attr-defined]
            return None  # another loop claimed it
        row = await session.get(Notification, notice_id)
        if row is None:
            return None
        return row.owner_id, Notice(row.kind, row.title, row.body, row.link or "")
