"""Saving schedules (checked like a run's own submit would check it, plus the timing rules and
the administrator's minimum interval), listing them, previewing their next occurrences, and
their occurrence log. Every query is the owner's: another user's schedule answers 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from benchstudio.audit import service as audit
from benchstudio.catalog import service as catalog_service
from benchstudio.core.errors import AppError, NotFoundError
from benchstudio.schedules import repository
from benchstudio.schedules.domain import next_occurrences
from benchstudio.schedules.models import Schedule
from benchstudio.schedules.schemas import (
    CronIn,
    DraftNextIn,
    NextOccurrencesOut,
    NextQuery,
    OccurrenceOut,
    OccurrencePage,
    OccurrenceRecordOut,
    ScheduleIn,
    ScheduleOut,
    SchedulePage,
    ScheduleUpdate,
    TimingIn,
)
from benchstudio.schedules.service import ScheduleContext
from benchstudio.schedules.service.estimate import check_config
from benchstudio.schedules.service.timing_state import restarted, timing_in

# Where a schedule's timing sits in the request bodies (the 422's `loc`).
AT_TIMING = ("body", "timing")


def _min_interval(ctx: ScheduleContext) -> timedelta:
    return timedelta(seconds=ctx.settings.schedules_min_interval_s)


def _stored_timing(timing: TimingIn) -> dict[str, Any]:
    """The timing as stored: the schedule's `enabled` column is the switch, not this."""
    return timing.model_dump(mode="json", exclude={"enabled"})


async def _keyed_providers(
    ctx: ScheduleContext, owner_id: str, config: dict[str, Any]
) -> list[str]:
    """The configuration's providers that hold a key now (404 for one not the owner's)."""
    catalog = ctx.catalog(owner_id)
    keyed: list[str] = []
    for provider_id in dict.fromkeys(str(t["provider_id"]) for t in config.get("targets", [])):
        provider = await catalog_service.get_provider(catalog, provider_id)
        if provider.has_key:
            keyed.append(provider_id)
    return keyed


def _out(row: Schedule) -> ScheduleOut:
    out = ScheduleOut.model_validate(row)
    return out.model_copy(update={"timing": {**row.timing, "enabled": row.enabled}})


async def create(ctx: ScheduleContext, data: ScheduleIn) -> ScheduleOut:
    owner_id = ctx.require_owner()
    data.timing.check(_min_interval(ctx), AT_TIMING)
    config = data.run_config()
    await check_config(ctx, owner_id, data.kind, config)
    keyed = await _keyed_providers(ctx, owner_id, config)
    now = ctx.clock()
    row = Schedule(
        owner_id=owner_id,
        name=data.name,
        kind=data.kind,
        config=config,
        timing=_stored_timing(data.timing),
        enabled=data.timing.enabled,
        monthly_budget_usd=data.monthly_budget_usd,
        pause_after_failures=data.pause_after_failures,
        keyed_provider_ids=keyed,
        runs_so_far=0,
        consecutive_failures=0,
        created_at=now,
        updated_at=now,
    )
    restarted(row, now)
    async with ctx.unit() as session:
        session.add(row)
        await session.flush()
        audit.record(session, "schedule.created", actor_id=ctx.actor_id, target=row.id)
        return _out(row)


async def _owned(ctx: ScheduleContext, schedule_id: str) -> Schedule:
    async with ctx.read() as session:
        row = await repository.get_owned(session, ctx.require_owner(), schedule_id)
        if row is None:
            raise NotFoundError("No such schedule.")
        session.expunge(row)
    return row


async def get(ctx: ScheduleContext, schedule_id: str) -> ScheduleOut:
    return _out(await _owned(ctx, schedule_id))


async def list_schedules(ctx: ScheduleContext, limit: int, offset: int) -> SchedulePage:
    async with ctx.read() as session:
        rows, total = await repository.list_owned(session, ctx.require_owner(), limit, offset)
        items = [_out(r) for r in rows]
    return SchedulePage(items=items, total=total, limit=limit, offset=offset)


async def update(ctx: ScheduleContext, schedule_id: str, data: ScheduleUpdate) -> ScheduleOut:
    owner_id = ctx.require_owner()
    current = await _owned(ctx, schedule_id)
    changes = data.model_dump(exclude_unset=True)
    timing = data.timing if data.timing is not None else timing_in(current)
    if data.timing is not None:
        timing.check(_min_interval(ctx), AT_TIMING)
    body = data.benchmark if current.kind == "benchmark" else data.eval
    wrong = data.eval if current.kind == "benchmark" else data.benchmark
    if wrong is not None:
        other = "eval" if current.kind == "benchmark" else "benchmark"
        message = f"a {current.kind} schedule takes no `{other}`"
        raise AppError(message, code="validation_error", status_code=422)
    config = body.model_dump(mode="json", exclude_unset=True) if body is not None else None
    keyed = None
    if config is not None:
        await check_config(ctx, owner_id, current.kind, config)
        keyed = await _keyed_providers(ctx, owner_id, config)
    now = ctx.clock()
    async with ctx.unit() as session:
        row = await repository.get_owned(session, owner_id, schedule_id)
        if row is None:
            raise NotFoundError("No such schedule.")
        if data.name is not None:
            row.name = data.name
        if config is not None and keyed is not None:
            row.config, row.keyed_provider_ids = config, keyed
        if "monthly_budget_usd" in changes:
            row.monthly_budget_usd = data.monthly_budget_usd
        if data.pause_after_failures is not None:
            row.pause_after_failures = data.pause_after_failures
        switched_on = data.enabled is True and not row.enabled
        if data.enabled is not None:
            row.enabled = data.enabled
        if data.timing is not None:
            row.timing = _stored_timing(timing)
        if switched_on or data.timing is not None or config is not None:
            restarted(row, now)
        elif data.enabled is False:
            row.next_due_at = None
        row.updated_at = now
        await session.flush()
        audit.record(session, "schedule.updated", actor_id=ctx.actor_id, target=row.id)
        return _out(row)


async def delete(ctx: ScheduleContext, schedule_id: str) -> None:
    """The schedule and its occurrence log go; its runs stay in history (with its id)."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        row = await repository.get_owned(session, owner_id, schedule_id)
        if row is None:
            raise NotFoundError("No such schedule.")
        await session.delete(row)
        audit.record(session, "schedule.deleted", actor_id=ctx.actor_id, target=schedule_id)


def _preview(
    timing: TimingIn, count: int, zone: str | None, ctx: ScheduleContext
) -> NextOccurrencesOut:
    spec = timing.to_spec()
    shown = zone or (timing.rule.timezone if isinstance(timing.rule, CronIn) else "UTC")
    now = ctx.clock()
    instants = next_occurrences(spec, max(now, spec.starts_at) - timedelta(microseconds=1), count)
    return NextOccurrencesOut(
        items=[OccurrenceOut.of(at, shown) for at in instants], timezone=shown
    )


async def next_for(ctx: ScheduleContext, schedule_id: str, query: NextQuery) -> NextOccurrencesOut:
    """The schedule's next occurrences from now (its bounds, not its enabled switch or its
    run count), in UTC and in `query.timezone`."""
    row = await _owned(ctx, schedule_id)
    timing = timing_in(row)
    return _preview(timing, query.count, query.timezone, ctx)


async def next_for_draft(ctx: ScheduleContext, data: DraftNextIn) -> NextOccurrencesOut:
    """The editor's preview of a schedule not saved yet, checked as a save would check it."""
    data.timing.check(_min_interval(ctx), AT_TIMING)
    return _preview(data.timing, data.count, data.timezone, ctx)


async def occurrences(
    ctx: ScheduleContext, schedule_id: str, limit: int, offset: int
) -> OccurrencePage:
    """The occurrence log, newest first: runs (their job and run) and skips with the reason."""
    await _owned(ctx, schedule_id)
    async with ctx.read() as session:
        rows, total = await repository.list_occurrences(
            session, ctx.require_owner(), schedule_id, limit, offset
        )
        items = [OccurrenceRecordOut.model_validate(r) for r in rows]
    return OccurrencePage(items=items, total=total, limit=limit, offset=offset)
