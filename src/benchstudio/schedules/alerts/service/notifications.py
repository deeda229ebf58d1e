"""The notification center: the owner's notices, newest first, and which are unread."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from benchstudio.core.clock import utcnow
from benchstudio.schedules.alerts.models import Notification
from benchstudio.schedules.alerts.schemas import NotificationOut, NotificationPage
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.storage.service_context import ServiceContext


async def unread_count(ctx: ServiceContext) -> int:
    query = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.owner_id == ctx.require_owner(), Notification.read_at.is_(None))
    )
    async with ctx.read() as session:
        return int((await session.execute(query)).scalar_one())


async def list_notifications(
    ctx: ServiceContext, limit: int, offset: int, *, unread_only: bool = False
) -> NotificationPage:
    owner = ctx.require_owner()
    where = [Notification.owner_id == owner]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    query = select(Notification).where(*where)
    query = query.order_by(Notification.created_at.desc(), Notification.id).limit(limit)
    count = select(func.count()).select_from(Notification).where(*where)
    async with ctx.read() as session:
        rows = (await session.execute(query.offset(offset))).scalars()
        items = [NotificationOut.model_validate(r) for r in rows]
        total = int((await session.execute(count)).scalar_one())
    return NotificationPage(
        items=items,
        total=total,
        unread=await unread_count(ctx),
        limit=limit,
        offset=offset,
    )


async def mark_read(ctx: AlertContext, ids: list[str] | None) -> int:
    """Mark the given notices (None: all) read; others' ids are ignored. Returns how many."""
    where = [Notification.owner_id == ctx.require_owner(), Notification.read_at.is_(None)]
    if ids is not None:
        where.append(Notification.id.in_(ids))
    statement = update(Notification).where(*where).values(read_at=ctx.clock())
    async with ctx.unit() as session:
        return int((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def notify(
    ctx: ServiceContext,
    *,
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    at: datetime | None = None,
    mail: bool = False,
) -> None:
    """Put a notice in the owner's notification center (joins `ctx.session` when given): for
    schedule events other than alerts too, such as a skipped occurrence or a pause. `at`: the
    caller's clock (the schedules' injected one), else now. `mail`: the alert loop emails it
    to the owner after the caller's unit commits (`mail_outbox`)."""
    notice = Notification(owner_id=ctx.require_owner(), kind=kind, title=title, body=body)
    notice.link, notice.created_at, notice.mail_due = link, at or utcnow(), mail
    async with ctx.unit() as session:
        session.add(notice)
