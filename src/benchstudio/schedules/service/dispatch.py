"""One dispatcher pass: every enabled schedule whose next occurrence has come (the indexed
`next_due_at`) gets `due(state, now)` decided and stored, then its run submitted as its owner.

Exactly once: the decision's occurrence rows are inserted in one unit with the schedule's new
state; the uniqueness rule on (schedule, instant) makes a second dispatcher's insert of the
same occurrence fail, and it moves on. The run is submitted after that commit, through the
benchmark or eval service like any run (same limits, spend cap and queue); a refusal is stored
as "skipped: <reason>". Everything comes from stored state, so a restart loses nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.benchruns import service as benchruns
from benchstudio.benchruns.schemas import BenchmarkCreate
from benchstudio.core.errors import AppError, NotFoundError
from benchstudio.evals.runs.schemas import EvalCreate
from benchstudio.evals.runs.service.submit import submit_eval
from benchstudio.jobs import repository as jobs_repository
from benchstudio.jobs.schemas import ScheduledBy
from benchstudio.schedules import repository
from benchstudio.schedules.domain import due, record
from benchstudio.schedules.domain.owner_notices import PreviousOccurrence
from benchstudio.schedules.models import Schedule, ScheduleOccurrence
from benchstudio.schedules.service import ScheduleContext
from benchstudio.schedules.service.outcomes import settle_ended
from benchstudio.schedules.service.owner_notices import tell_skipped
from benchstudio.schedules.service.pausing import PauseChecks, pause
from benchstudio.schedules.service.timing_state import state_of

log = logging.getLogger(__name__)
PASS_LIMIT = 500  # schedules per pass; the rest are due still and come in the next pass


@dataclass
class PassReport:
    due: int = 0
    dispatched: list[str] = field(default_factory=list)  # job ids
    skipped: int = 0
    paused: list[str] = field(default_factory=list)  # schedule ids
    lost: int = 0  # occurrences another dispatcher claimed first


@dataclass(frozen=True)
class _Claim:
    occurrence_id: str
    schedule_id: str
    owner_id: str
    name: str
    kind: str
    config: dict[str, Any]
    scheduled: ScheduledBy


async def dispatch_pass(ctx: ScheduleContext, *, limit: int = PASS_LIMIT) -> PassReport:
    """Decide and start what is due at `ctx.clock()`; a system context (no owner)."""
    now = ctx.clock()
    report = PassReport()
    async with ctx.read() as session:
        rows = await repository.due_schedules(session, now, limit)
        session.expunge_all()
    report.due = len(rows)
    checks = PauseChecks(ctx)  # one pass: each owner, provider and model looked up once
    for row in rows:
        try:
            await _dispatch_one(ctx, row, now, report, checks)
        except IntegrityError:
            report.lost += 1  # the uniqueness rule: another dispatcher decided it first
        except Exception:
            log.exception("could not dispatch a schedule", extra={"schedule_id": row.id})
    return report


async def _dispatch_one(
    ctx: ScheduleContext, row: Schedule, now: datetime, report: PassReport, checks: PauseChecks
) -> None:
    schedule_id = row.id
    reason = await checks.reason(row, now)
    if reason is not None:
        await pause(ctx, schedule_id, reason, now)
        report.paused.append(schedule_id)
        return
    claims = await _claim(ctx, schedule_id, now, report)
    for claim in claims:
        await _submit(ctx, claim, now, report)


def _still_due(row: Schedule, now: datetime) -> bool:
    return row.enabled and row.next_due_at is not None and row.next_due_at <= now


async def _claim(
    ctx: ScheduleContext, schedule_id: str, now: datetime, report: PassReport
) -> list[_Claim]:
    """Store the decision at `now` (occurrence rows and the schedule's state) in one unit."""
    async with ctx.unit() as session:
        row = await repository.get(session, schedule_id)
        if row is None or not _still_due(row, now):
            return []
        active = await repository.active_occurrences(session, schedule_id)
        active = await settle_ended(ctx.with_session(session), row, active, now)
        claimed = await _promote_waiting(session, row, active)
        state = state_of(row, len(active))
        decision = due(state, now)
        joined = ctx.with_session(session)
        previous = (
            await repository.previous_occurrence(session, row.id, now) if decision.skipped else None
        )
        for skip in decision.skipped:
            reason = f"skipped: {skip.reason.value}"
            session.add(
                _row(
                    row,
                    skip.first,
                    status="skipped",
                    reason=reason,
                    skipped_until=skip.last if skip.last != skip.first else None,
                    skipped_count=skip.count,
                    now=now,
                )
            )
            await tell_skipped(joined, row, skip.first, reason, now, previous=previous)
            previous = PreviousOccurrence("skipped", reason)
        for dispatch in decision.dispatch:
            status = "waiting" if dispatch.waits else "claimed"
            occurrence = _row(row, dispatch.occurrence, status=status, now=now)
            occurrence.run_number, occurrence.catch_up = dispatch.run_number, dispatch.catch_up
            session.add(occurrence)
            if not dispatch.waits:
                claimed.append(occurrence)
        recorded = record(state, decision)
        row.decided_through, row.runs_so_far = recorded.decided_through, recorded.runs_so_far
        row.next_due_at = decision.next_due
        row.finished = decision.finished.value if decision.finished else None
        await session.flush()  # a second dispatcher's insert of the same occurrence fails here
        report.skipped += len(decision.skipped)
        return [_claim_of(row, o) for o in claimed]


async def _promote_waiting(
    session: AsyncSession, row: Schedule, active: list[ScheduleOccurrence]
) -> list[ScheduleOccurrence]:
    """A queued occurrence starts once fewer than `max_running` run (guarded: one dispatcher)."""
    running = sum(o.status != "waiting" for o in active)
    waiting = [o for o in active if o.status == "waiting"]
    max_running = int(row.timing.get("max_running", 1))
    if not waiting or running >= max_running:
        return []
    first = waiting[0]
    query = (
        update(ScheduleOccurrence)
        .where(ScheduleOccurrence.id == first.id, ScheduleOccurrence.status == "waiting")
        .values(status="claimed")
        .execution_options(synchronize_session=False)
    )
    if (await session.execute(query)).rowcount != 1:  # type: ignore[attr-defined]
        return []
    first.status = "claimed"
    return [first]


def _row(
    schedule: Schedule, at: datetime, *, status: str, now: datetime, **values: Any
) -> ScheduleOccurrence:
    return ScheduleOccurrence(
        schedule_id=schedule.id,
        owner_id=schedule.owner_id,
        occurrence_at=at,
        status=status,
        catch_up=False,
        created_at=now,
        **values,
    )


def _claim_of(row: Schedule, occurrence: ScheduleOccurrence) -> _Claim:
    assert occurrence.run_number is not None
    return _Claim(
        occurrence_id=occurrence.id,
        schedule_id=row.id,
        owner_id=row.owner_id,
        name=row.name,
        kind=row.kind,
        config=dict(row.config),
        scheduled=ScheduledBy(
            schedule_id=row.id,
            occurrence_at=occurrence.occurrence_at,
            run_number=occurrence.run_number,
        ),
    )


async def _start_run(ctx: ScheduleContext, claim: _Claim) -> tuple[str, str]:
    """Submit the occurrence's run as its owner: (job id, run id)."""
    owner_id = claim.owner_id
    if claim.kind == "benchmark":
        body = BenchmarkCreate.model_validate(claim.config)
        if not body.title:
            title = f"{claim.name} (run {claim.scheduled.run_number})"
            body = body.model_copy(update={"title": title[:200]})
        bench = ctx.bench(owner_id)
        submitted = await benchruns.submit(bench, owner_id, body, scheduled=claim.scheduled)
        return submitted.job_id, submitted.run_id
    data = EvalCreate.model_validate(claim.config)
    started = await submit_eval(ctx.evals(owner_id), data, scheduled=claim.scheduled)
    return started.job_id, started.run.id


async def _submit(ctx: ScheduleContext, claim: _Claim, now: datetime, report: PassReport) -> None:
    try:
        job_id, run_id = await _start_run(ctx, claim)
    except (NotFoundError, ValidationError) as exc:
        # Something the configuration names is gone (a suite, a parameter set, a model), or it
        # no longer reads as a valid request: every later run would fail the same way.
        detail = exc.message if isinstance(exc, AppError) else "its configuration is not valid"
        await _refused(ctx, claim, f"skipped: {detail}", now, tell=False)  # the pause tells
        await pause(ctx, claim.schedule_id, f"it cannot start its run: {detail}", now)
        report.paused.append(claim.schedule_id)
        return
    except AppError as exc:  # a limit, the spend cap, the queue unavailable
        await _refused(ctx, claim, f"skipped: {exc.message}", now)
        report.skipped += 1
        return
    async with ctx.unit() as session:
        await repository.set_occurrence(
            session, claim.occurrence_id, status="dispatched", job_id=job_id, run_id=run_id
        )
        # A run can end before its job id is stored here: its end is settled now.
        if await jobs_repository.statuses_of(session, [job_id]) != {job_id: "queued"}:
            row = await repository.get(session, claim.schedule_id)
            occurrence = await repository.occurrence_of_job(session, job_id)
            if row is not None and occurrence is not None:
                await settle_ended(ctx.with_session(session), row, [occurrence], now)
    report.dispatched.append(job_id)


async def _refused(
    ctx: ScheduleContext, claim: _Claim, reason: str, now: datetime, *, tell: bool = True
) -> None:
    """The run was refused: the occurrence is skipped (it does not count as a run), and the
    owner told when it starts a span of skips."""
    async with ctx.unit() as session:
        await repository.set_occurrence(
            session, claim.occurrence_id, status="skipped", reason=reason, finished_at=now
        )
        row = await repository.get(session, claim.schedule_id)
        if row is not None and tell:
            at = claim.scheduled.occurrence_at
            previous = await repository.previous_occurrence(session, row.id, at)
            await tell_skipped(ctx.with_session(session), row, at, reason, now, previous=previous)
        if row is not None:
            row.runs_so_far = max(0, row.runs_so_far - 1)
            if row.finished == "max_runs":  # the refused run frees its place
                row.finished, row.next_due_at = None, now if row.enabled else None
        audit.record(
            session,
            "schedule.occurrence_skipped",
            actor_id=None,
            target=claim.schedule_id,
            detail={
                "reason": reason,
                "occurrence_at": claim.scheduled.occurrence_at.isoformat(),
                "owner_id": claim.owner_id,
            },
        )
    log.info(
        "scheduled run refused",
        extra={"schedule_id": claim.schedule_id, "reason": reason},
    )
