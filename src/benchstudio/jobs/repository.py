"""Queries on jobs and job events. The caller owns the transaction.

State changes are single guarded UPDATEs (`… WHERE status = 'queued'` and the like) so that
two dispatchers, two workers or a worker and the reaper can never both win the same job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.jobs import ledger
from benchstudio.jobs.domain import JobEnding, JobEventMessage, JobStatus, QueuedJob
from benchstudio.jobs.models import Job, JobEvent


@dataclass(frozen=True)
class NewEvent:
    type: str
    data: Mapping[str, Any]


async def get_job(session: AsyncSession, job_id: str, owner_id: str | None = None) -> Job | None:
    query = select(Job).where(Job.id == job_id)
    if owner_id is not None:
        query = query.where(Job.owner_id == owner_id)
    return (await session.execute(query)).scalar_one_or_none()


async def list_jobs(
    session: AsyncSession,
    owner_id: str | None,
    statuses: Sequence[str] = (),
    job_type: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Job], int]:
    conditions = []
    if owner_id is not None:
        conditions.append(Job.owner_id == owner_id)
    if statuses:
        conditions.append(Job.status.in_(list(statuses)))
    if job_type:
        conditions.append(Job.type == job_type)
    where = and_(*conditions) if conditions else and_(True)
    total = (await session.execute(select(func.count()).select_from(Job).where(where))).scalar()
    rows = await session.execute(
        select(Job)
        .where(where)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows.scalars()), int(total or 0)


async def serialize_submissions(session: AsyncSession, owner_id: str) -> None:
    """Hold the owner's submit lock until the transaction ends, so that counting their recent
    jobs and adding one is atomic. SQLite needs nothing: its write units are BEGIN IMMEDIATE,
    one writer at a time. PostgreSQL (READ COMMITTED) would let two submits both count 9 of 10.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"benchstudio.jobs.submit:{owner_id}"},
        )


async def created_since(
    session: AsyncSession, owner_id: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many jobs the owner created since `since`, and when the oldest of them was."""
    query = select(func.count(), func.min(Job.created_at)).where(
        Job.owner_id == owner_id, Job.created_at >= since
    )
    count, oldest = (await session.execute(query)).one()
    if isinstance(oldest, str):  # SQLite aggregates bypass the column type
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(count), oldest


async def statuses_of(session: AsyncSession, job_ids: Sequence[str]) -> dict[str, str]:
    """Status of each job, for domains showing their job's state beside their own rows."""
    ids = [job_id for job_id in job_ids if job_id]
    if not ids:
        return {}
    rows = await session.execute(select(Job.id, Job.status).where(Job.id.in_(ids)))
    return {job_id: status for job_id, status in rows.all()}


async def endings_of(
    session: AsyncSession, job_ids: Sequence[str], *, lock: bool = False
) -> dict[str, JobEnding]:
    """The jobs among `job_ids` that have ended, with their final state and reason.

    `lock` holds their rows (shared) until the transaction ends, so a repair that reads
    "interrupted" cannot race a resume requeueing the job (PostgreSQL; SQLite's write unit
    already excludes every other writer).
    """
    ids = [job_id for job_id in job_ids if job_id]
    if not ids:
        return {}
    query = select(Job).where(Job.id.in_(ids))
    if lock:
        query = query.with_for_update(read=True)
    found: dict[str, JobEnding] = {}
    for job in (await session.execute(query)).scalars():
        status = JobStatus(job.status)
        if status in (JobStatus.QUEUED, JobStatus.RUNNING):
            continue
        found[job.id] = JobEnding(job.id, job.owner_id, job.type, job.params, status, job.error)
    return found


async def count_active(session: AsyncSession, owner_id: str) -> int:
    query = select(func.count()).where(
        Job.owner_id == owner_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
    )
    return int((await session.execute(query)).scalar_one())


async def append_events(
    session: AsyncSession, job_id: str, owner_id: str, events: Sequence[NewEvent], at: datetime
) -> list[JobEventMessage]:
    """Store events with the next per-job sequence numbers (allocated atomically)."""
    if not events:
        return []
    allocated = await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(event_seq=Job.event_seq + len(events))
        .returning(Job.event_seq)
    )
    last = int(allocated.scalar_one())
    first = last - len(events) + 1
    messages = [
        JobEventMessage(job_id, owner_id, first + i, e.type, at, dict(e.data))
        for i, e in enumerate(events)
    ]
    await session.execute(
        insert(JobEvent),
        [
            {
                "job_id": job_id,
                "owner_id": owner_id,
                "seq": m.seq,
                "type": m.type,
                "at": at,
                "data": dict(m.data),
            }
            for m in messages
        ],
    )
    return messages


async def events_after(
    session: AsyncSession, job_id: str, owner_id: str, after_seq: int, limit: int = 5000
) -> list[JobEventMessage]:
    rows = await session.execute(
        select(JobEvent)
        .where(JobEvent.job_id == job_id, JobEvent.owner_id == owner_id, JobEvent.seq > after_seq)
        .order_by(JobEvent.seq)
        .limit(limit)
    )
    return [
        JobEventMessage(e.job_id, e.owner_id, e.seq, e.type, e.at, e.data) for e in rows.scalars()
    ]


async def events_after_many(
    session: AsyncSession, owner_id: str, after: Mapping[str, int], limit: int = 5000
) -> list[JobEventMessage]:
    """Stored events of several of the owner's jobs, each after its own seq, in one query
    (ordered by job, then seq; at most `limit` in all)."""
    if not after:
        return []
    wanted = or_(*(and_(JobEvent.job_id == j, JobEvent.seq > s) for j, s in after.items()))
    rows = await session.execute(
        select(JobEvent)
        .where(JobEvent.owner_id == owner_id, wanted)
        .order_by(JobEvent.job_id, JobEvent.seq)
        .limit(limit)
    )
    return [
        JobEventMessage(e.job_id, e.owner_id, e.seq, e.type, e.at, e.data) for e in rows.scalars()
    ]


async def dispatchable_jobs(session: AsyncSession, limit: int) -> list[QueuedJob]:
    rows = await session.execute(
        select(Job.id, Job.owner_id, Job.created_at)
        .where(Job.status == JobStatus.QUEUED, Job.dispatched_at.is_(None))
        .order_by(Job.created_at, Job.id)
        .limit(limit)
    )
    return [QueuedJob(r.id, r.owner_id, r.created_at) for r in rows]


async def active_counts(session: AsyncSession, owners: Sequence[str]) -> dict[str, int]:
    """Running jobs plus jobs handed to the queue but not yet claimed, per owner."""
    rows = await session.execute(
        select(Job.owner_id, func.count())
        .where(
            Job.owner_id.in_(list(owners)),
            or_(
                Job.status == JobStatus.RUNNING,
                and_(Job.status == JobStatus.QUEUED, Job.dispatched_at.is_not(None)),
            ),
        )
        .group_by(Job.owner_id)
    )
    return {owner: int(count) for owner, count in rows.all()}


async def count_all_active(session: AsyncSession) -> int:
    query = select(func.count()).where(
        or_(
            Job.status == JobStatus.RUNNING,
            and_(Job.status == JobStatus.QUEUED, Job.dispatched_at.is_not(None)),
        )
    )
    return int((await session.execute(query)).scalar_one())


async def mark_dispatched(session: AsyncSession, job_id: str, now: datetime) -> bool:
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED, Job.dispatched_at.is_(None))
        .values(dispatched_at=now)
        .returning(Job.id)
    )
    return result.scalar_one_or_none() is not None


async def release_stale_dispatches(session: AsyncSession, older_than: datetime) -> int:
    """Jobs handed to the queue that nobody claimed (message lost, worker died) go back."""
    result = await session.execute(
        update(Job)
        .where(Job.status == JobStatus.QUEUED, Job.dispatched_at < older_than)
        .values(dispatched_at=None)
        .returning(Job.id)
    )
    return len(result.all())


async def undispatch(session: AsyncSession, job_id: str) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(dispatched_at=None)
    )


async def claim(
    session: AsyncSession, job_id: str, worker_id: str, now: datetime, lease_until: datetime
) -> Job | None:
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            lease_owner=worker_id,
            lease_expires_at=lease_until,
            started_at=now,
            attempt=Job.attempt + 1,
            updated_at=now,
        )
        .returning(Job.id)
    )
    if result.scalar_one_or_none() is None:
        return None
    return await session.get(Job, job_id, populate_existing=True)


async def renew_lease(
    session: AsyncSession, job_id: str, worker_id: str, lease_until: datetime
) -> bool | None:
    """Extend our lease; returns whether cancel was requested, or None if we lost the job."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.lease_owner == worker_id)
        .values(lease_expires_at=lease_until)
        .returning(Job.cancel_requested)
    )
    row = result.scalar_one_or_none()
    return None if row is None else bool(row)


async def finish(
    session: AsyncSession,
    job_id: str,
    worker_id: str,
    status: JobStatus,
    now: datetime,
    *,
    error: str | None = None,
    result: dict[str, Any] | None = None,
) -> bool:
    values: dict[str, Any] = {
        "status": status,
        "finished_at": now,
        "updated_at": now,
        "lease_owner": None,
        "lease_expires_at": None,
        "error": error,
    }
    if status is JobStatus.DONE:
        values["progress_percent"] = 100.0
        values["eta_s"] = 0.0
    if result is not None:
        values["result"] = result
    updated = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.lease_owner == worker_id)
        .values(**values)
        .returning(Job.id)
    )
    return updated.scalar_one_or_none() is not None


async def set_progress(
    session: AsyncSession, job_id: str, percent: float, detail: str | None, eta_s: float | None
) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(progress_percent=percent, progress_detail=detail, eta_s=eta_s)
    )


async def interrupt_expired(session: AsyncSession, now: datetime) -> list[tuple[str, str]]:
    """Running jobs whose lease ran out (their process died) become interrupted."""
    result = await session.execute(
        update(Job)
        .where(Job.status == JobStatus.RUNNING, Job.lease_expires_at < now)
        .values(
            status=JobStatus.INTERRUPTED,
            finished_at=now,
            updated_at=now,
            lease_owner=None,
            lease_expires_at=None,
            error="The process running this job stopped (lease expired).",
        )
        .returning(Job.id, Job.owner_id)
    )
    interrupted = [(r.id, r.owner_id) for r in result]
    # Their charges so far stand (stored with each unit); a resume reopens the reservation.
    await ledger.settle(session, [job_id for job_id, _ in interrupted], now)
    return interrupted


async def interrupt_all_running(session: AsyncSession, now: datetime) -> list[tuple[str, str]]:
    """Embedded mode only: at start-up nothing else can be running these jobs."""
    result = await session.execute(
        update(Job)
        .where(Job.status == JobStatus.RUNNING)
        .values(
            status=JobStatus.INTERRUPTED,
            finished_at=now,
            updated_at=now,
            lease_owner=None,
            lease_expires_at=None,
            error="The server stopped while this job was running.",
        )
        .returning(Job.id, Job.owner_id)
    )
    interrupted = [(r.id, r.owner_id) for r in result]
    # Their charges so far stand (stored with each unit); a resume reopens the reservation.
    await ledger.settle(session, [job_id for job_id, _ in interrupted], now)
    return interrupted


async def cancel_queued(session: AsyncSession, job_id: str, now: datetime) -> bool:
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.CANCELLED, finished_at=now, updated_at=now, error="Cancelled.")
        .returning(Job.id)
    )
    return result.scalar_one_or_none() is not None


async def request_cancel(session: AsyncSession, job_id: str) -> bool:
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING)
        .values(cancel_requested=True)
        .returning(Job.id)
    )
    return result.scalar_one_or_none() is not None


async def requeue_interrupted(session: AsyncSession, job_id: str, now: datetime) -> bool:
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.INTERRUPTED)
        .values(
            status=JobStatus.QUEUED,
            dispatched_at=None,
            cancel_requested=False,
            error=None,
            finished_at=None,
            updated_at=now,
        )
        .returning(Job.id)
    )
    return result.scalar_one_or_none() is not None


async def status_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(Job.status, func.count())
        .where(Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
        .group_by(Job.status)
    )
    return {status: int(count) for status, count in rows.all()}
