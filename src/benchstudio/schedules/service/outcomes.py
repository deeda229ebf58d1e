"""A scheduled run's end feeds back into its schedule: the occurrence takes the job's final
state, consecutive failures are counted (and pause the schedule at its limit), and a queued
occurrence gets its turn at the next dispatcher pass.

It runs in the unit of work that ends the job (the job types' `on_ended` hook, wired by the
composition root with `also_follows`), and again at each dispatch for occurrences whose job
ended without it (a process stopped in between): the occurrence's status guards both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.core.clock import utcnow
from benchstudio.jobs import repository as jobs_repository
from benchstudio.jobs.domain import TERMINAL_STATUSES, JobEnding
from benchstudio.jobs.registry import EndedHook
from benchstudio.schedules import repository
from benchstudio.schedules.models import Schedule, ScheduleOccurrence
from benchstudio.schedules.service.owner_notices import tell_paused
from benchstudio.schedules.service.timing_state import STALE_CLAIM
from benchstudio.storage.service_context import ServiceContext

_FAILED = frozenset({"failed", "interrupted"})
_ENDED = frozenset(status.value for status in TERMINAL_STATUSES)


async def _ended(
    ctx: ServiceContext, row: Schedule, occurrence: ScheduleOccurrence, status: str, now: datetime
) -> None:
    """`ctx` joins the unit that loaded `row`."""
    occurrence.status, occurrence.finished_at = status, now
    if status in _FAILED:
        row.consecutive_failures += 1
    elif status == "done":
        row.consecutive_failures = 0
    if row.enabled and row.consecutive_failures >= row.pause_after_failures:
        reason = f"its last {row.consecutive_failures} runs failed"
        row.enabled, row.paused_reason, row.next_due_at = False, reason, None
        await tell_paused(ctx, row, reason, now)
        detail = {"reason": reason, "owner_id": row.owner_id}
        async with ctx.unit() as session:
            audit.record(session, "schedule.paused", actor_id=None, target=row.id, detail=detail)


async def settle_ended(
    ctx: ServiceContext, row: Schedule, active: Sequence[ScheduleOccurrence], now: datetime
) -> list[ScheduleOccurrence]:
    """Occurrences among `active` whose job has ended take its state; a claim whose dispatcher
    stopped before submitting its run is closed. Returns the ones still active. `ctx` joins
    the unit that loaded `row`."""
    async with ctx.unit() as session:
        return await _settle(ctx.with_session(session), session, row, active, now)


async def _settle(
    ctx: ServiceContext,
    session: AsyncSession,
    row: Schedule,
    active: Sequence[ScheduleOccurrence],
    now: datetime,
) -> list[ScheduleOccurrence]:
    job_ids = [o.job_id for o in active if o.status == "dispatched" and o.job_id]
    statuses = await jobs_repository.statuses_of(session, job_ids) if job_ids else {}
    still: list[ScheduleOccurrence] = []
    for occurrence in active:
        status = statuses.get(occurrence.job_id or "")
        if occurrence.status == "dispatched" and status in _ENDED:
            await _ended(ctx, row, occurrence, str(status), now)
        elif occurrence.status == "claimed" and now - occurrence.created_at > STALE_CLAIM:
            occurrence.status, occurrence.finished_at = "failed", now
            occurrence.reason = "the dispatcher stopped before starting this run"
        else:
            still.append(occurrence)
    await session.flush()
    return still


async def schedule_follows_job(ctx: ServiceContext, ending: JobEnding) -> None:
    """The `on_ended` hook's schedules part: nothing for a run no schedule started."""
    async with ctx.unit() as session:
        occurrence = await repository.occurrence_of_job(session, ending.job_id)
        if occurrence is None or occurrence.status != "dispatched":
            return
        row = await repository.get(session, occurrence.schedule_id)
        if row is None:
            return
        now = utcnow()
        await _ended(ctx.with_session(session), row, occurrence, ending.status.value, now)
        active = await repository.active_occurrences(session, row.id)
        waiting = [o.occurrence_at for o in active if o.status == "waiting"]
        if waiting and row.enabled:  # the queued occurrence starts at the next pass
            turn = min(waiting)
            row.next_due_at = turn if row.next_due_at is None else min(row.next_due_at, turn)


def also_follows(hook: EndedHook) -> EndedHook:
    """`hook`, then the schedule of the ended job's run follows (one unit, one savepoint)."""

    async def both(ctx: ServiceContext, ending: JobEnding) -> None:
        await hook(ctx, ending)
        await schedule_follows_job(ctx, ending)

    return both
