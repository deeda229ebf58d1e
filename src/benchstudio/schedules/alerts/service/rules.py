"""A schedule's alert rules, its episodes and its mutes (the owner's; 404 for anyone else)."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.schedules.alerts.models import (
    ScheduleAlertEpisode,
    ScheduleAlertMute,
    ScheduleAlertRules,
)
from benchstudio.schedules.alerts.repository import require_schedule
from benchstudio.schedules.alerts.schemas import (
    AlertEpisodeOut,
    AlertEpisodePage,
    AlertRulesIn,
    AlertRulesOut,
    AlertsOut,
    MuteIn,
    MuteOut,
)
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.storage.service_context import ServiceContext


async def get_rules(ctx: ServiceContext, schedule_id: str) -> AlertRulesOut:
    """The saved rules, or the defaults (no rule: nothing alerts) when none were saved."""
    owner = ctx.require_owner()
    async with ctx.read() as session:
        await require_schedule(session, owner, schedule_id)
        row = await session.get(ScheduleAlertRules, schedule_id)
        if row is None:
            return AlertRulesOut(schedule_id=schedule_id, updated_at=None)
        saved, updated_at = AlertRulesIn.model_validate(row.config), row.updated_at
    return AlertRulesOut(**saved.model_dump(), schedule_id=schedule_id, updated_at=updated_at)


async def put_rules(ctx: AlertContext, schedule_id: str, data: AlertRulesIn) -> AlertRulesOut:
    owner = ctx.require_owner()
    now = ctx.clock()
    async with ctx.unit() as session:
        await require_schedule(session, owner, schedule_id)
        row = await session.get(ScheduleAlertRules, schedule_id)
        if row is None:
            row = ScheduleAlertRules(schedule_id=schedule_id, owner_id=owner, config={})
            session.add(row)
        row.config, row.updated_at = data.model_dump(mode="json"), now
    return AlertRulesOut(**data.model_dump(), schedule_id=schedule_id, updated_at=now)


async def alerts(ctx: AlertContext, schedule_id: str, limit: int, offset: int) -> AlertsOut:
    """The schedule's episodes (newest first), the open ones, and its mutes still in force."""
    owner = ctx.require_owner()
    where = (
        ScheduleAlertEpisode.schedule_id == schedule_id,
        ScheduleAlertEpisode.owner_id == owner,
    )
    async with ctx.read() as session:
        await require_schedule(session, owner, schedule_id)
        page = select(ScheduleAlertEpisode).where(*where)
        page = page.order_by(ScheduleAlertEpisode.opened_at.desc(), ScheduleAlertEpisode.id)
        rows = (await session.execute(page.limit(limit).offset(offset))).scalars()
        items = [AlertEpisodeOut.model_validate(r) for r in rows]
        count = select(func.count()).select_from(ScheduleAlertEpisode).where(*where)
        total = int((await session.execute(count)).scalar_one())
        opened = select(ScheduleAlertEpisode).where(
            *where, ScheduleAlertEpisode.closed_at.is_(None)
        )
        open_items = [AlertEpisodeOut.model_validate(r) for r in await session.scalars(opened)]
        now = ctx.clock()
        mutes = [
            MuteOut.model_validate({"metric": m.metric, "until": m.until})
            for m in await _mutes(session, owner, schedule_id)
            if m.until is None or m.until > now
        ]
    page_out = AlertEpisodePage(items=items, total=total, limit=limit, offset=offset)
    return AlertsOut(open=open_items, mutes=mutes, episodes=page_out)


async def _mutes(session: AsyncSession, owner: str, schedule_id: str) -> list[ScheduleAlertMute]:
    query = select(ScheduleAlertMute).where(
        ScheduleAlertMute.schedule_id == schedule_id, ScheduleAlertMute.owner_id == owner
    )
    return list((await session.execute(query)).scalars())


async def mute(ctx: AlertContext, schedule_id: str, data: MuteIn) -> MuteOut:
    """Hold the metric's notices back (until `until`, or until unmuted)."""
    owner = ctx.require_owner()
    async with ctx.unit() as session:
        await require_schedule(session, owner, schedule_id)
        row = await session.get(ScheduleAlertMute, (schedule_id, data.metric))
        if row is None:
            row = ScheduleAlertMute(schedule_id=schedule_id, metric=data.metric, owner_id=owner)
            session.add(row)
        row.until, row.created_at = data.until, ctx.clock()
    return MuteOut(metric=data.metric, until=data.until)


async def unmute(ctx: ServiceContext, schedule_id: str, metric: str) -> None:
    owner = ctx.require_owner()
    async with ctx.unit() as session:
        await require_schedule(session, owner, schedule_id)
        await session.execute(
            delete(ScheduleAlertMute).where(
                ScheduleAlertMute.schedule_id == schedule_id,
                ScheduleAlertMute.owner_id == owner,
                ScheduleAlertMute.metric == metric,
            )
        )
