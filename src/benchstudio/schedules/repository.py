"""Schedule queries. Every tenant-facing query names the owner; the dispatcher's queries are
the system's own (it acts for each owner afterwards, through their services)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.schedules.domain.owner_notices import PreviousOccurrence
from benchstudio.schedules.models import Schedule, ScheduleOccurrence

# Occurrences that hold the schedule's place: counted as `active` by `due`.
ACTIVE_STATUSES = ("claimed", "waiting", "dispatched")


async def get_owned(session: AsyncSession, owner_id: str, schedule_id: str) -> Schedule | None:
    query = select(Schedule).where(Schedule.id == schedule_id, Schedule.owner_id == owner_id)
    return (await session.execute(query)).scalar_one_or_none()


async def get(session: AsyncSession, schedule_id: str, *, lock: bool = False) -> Schedule | None:
    query = select(Schedule).where(Schedule.id == schedule_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def list_owned(
    session: AsyncSession, owner_id: str, limit: int, offset: int
) -> tuple[list[Schedule], int]:
    query = (
        select(Schedule)
        .where(Schedule.owner_id == owner_id)
        .order_by(Schedule.created_at.desc(), Schedule.id)
        .limit(limit)
        .offset(offset)
    )
    rows = list((await session.execute(query)).scalars())
    count = select(func.count()).select_from(Schedule).where(Schedule.owner_id == owner_id)
    return rows, int((await session.execute(count)).scalar_one())


async def due_schedules(session: AsyncSession, now: datetime, limit: int) -> list[Schedule]:
    """Enabled schedules whose next occurrence has come (the `enabled, next_due_at` index)."""
    query = (
        select(Schedule)
        .where(Schedule.enabled.is_(True), Schedule.next_due_at <= now)
        .order_by(Schedule.next_due_at)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def active_occurrences(session: AsyncSession, schedule_id: str) -> list[ScheduleOccurrence]:
    query = (
        select(ScheduleOccurrence)
        .where(
            ScheduleOccurrence.schedule_id == schedule_id,
            ScheduleOccurrence.status.in_(ACTIVE_STATUSES),
        )
        .order_by(ScheduleOccurrence.occurrence_at)
    )
    return list((await session.execute(query)).scalars())


async def occurrence_of_job(session: AsyncSession, job_id: str) -> ScheduleOccurrence | None:
    query = select(ScheduleOccurrence).where(ScheduleOccurrence.job_id == job_id)
    return (await session.execute(query)).scalar_one_or_none()


async def job_ids_since(session: AsyncSession, schedule_id: str, since: datetime) -> list[str]:
    """The jobs of the schedule's occurrences decided since `since` (its month's spend)."""
    query = select(ScheduleOccurrence.job_id).where(
        ScheduleOccurrence.schedule_id == schedule_id,
        ScheduleOccurrence.created_at >= since,
        ScheduleOccurrence.job_id.is_not(None),
    )
    return [str(i) for i in (await session.execute(query)).scalars()]


async def list_occurrences(
    session: AsyncSession, owner_id: str, schedule_id: str, limit: int, offset: int
) -> tuple[list[ScheduleOccurrence], int]:
    owned = (
        ScheduleOccurrence.schedule_id == schedule_id,
        ScheduleOccurrence.owner_id == owner_id,
    )
    query = (
        select(ScheduleOccurrence)
        .where(*owned)
        .order_by(ScheduleOccurrence.occurrence_at.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = list((await session.execute(query)).scalars())
    count = select(func.count()).select_from(ScheduleOccurrence).where(*owned)
    return rows, int((await session.execute(count)).scalar_one())


async def set_occurrence(session: AsyncSession, occurrence_id: str, **values: object) -> None:
    query = update(ScheduleOccurrence).where(ScheduleOccurrence.id == occurrence_id)
    await session.execute(query.values(**values))


async def delete_owned(session: AsyncSession, owner_id: str, schedule_ids: Sequence[str]) -> None:
    for schedule_id in schedule_ids:
        row = await get_owned(session, owner_id, schedule_id)
        if row is not None:
            await session.delete(row)


async def previous_occurrence(
    session: AsyncSession, schedule_id: str, before: datetime
) -> PreviousOccurrence | None:
    """The occurrence decided just before `before` (none for a schedule's first)."""
    query = (
        select(ScheduleOccurrence.status, ScheduleOccurrence.reason)
        .where(
            ScheduleOccurrence.schedule_id == schedule_id,
            ScheduleOccurrence.occurrence_at < before,
        )
        .order_by(ScheduleOccurrence.occurrence_at.desc())
        .limit(1)
    )
    found = (await session.execute(query)).first()
    return PreviousOccurrence(found.status, found.reason) if found is not None else None


# Occurrences whose run has ended one way or another: points of the schedule's trend.
FINISHED_STATUSES = ("done", "failed", "cancelled", "interrupted")


@dataclass(frozen=True, slots=True)
class FinishedRun:
    run_id: str
    occurrence_at: datetime
    run_number: int | None
    status: str


async def finished_runs(session: AsyncSession, schedule_id: str, limit: int) -> list[FinishedRun]:
    """The last `limit` finished runs, oldest first."""
    o = ScheduleOccurrence
    query = (
        select(o.run_id, o.occurrence_at, o.run_number, o.status)
        .where(
            ScheduleOccurrence.schedule_id == schedule_id,
            ScheduleOccurrence.run_id.is_not(None),
            ScheduleOccurrence.status.in_(FINISHED_STATUSES),
        )
        .order_by(ScheduleOccurrence.occurrence_at.desc())
        .limit(limit)
    )
    rows = reversed((await session.execute(query)).all())
    return [FinishedRun(str(r.run_id), r.occurrence_at, r.run_number, r.status) for r in rows]
