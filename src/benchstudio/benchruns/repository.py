"""Every benchmark-history query. Each one on tenant data takes the owner."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from benchstudio.benchruns.models import BenchmarkRequest, BenchmarkRun, BenchmarkRunTarget
from benchstudio.speed.metrics import CANCELLED
from benchstudio.storage.paging import total_from_page


@dataclass(frozen=True)
class RunFilters:
    query: str | None = None
    statuses: Sequence[str] = ()
    provider_id: str | None = None
    model: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    schedule_id: str | None = None


async def get_run(session: AsyncSession, owner_id: str, run_id: str) -> BenchmarkRun | None:
    query = select(BenchmarkRun).where(BenchmarkRun.id == run_id, BenchmarkRun.owner_id == owner_id)
    return (await session.execute(query)).scalar_one_or_none()


async def owns_run(session: AsyncSession, owner_id: str, run_id: str) -> bool:
    owned = BenchmarkRun.id == run_id, BenchmarkRun.owner_id == owner_id
    query = select(BenchmarkRun.id).where(*owned)
    return (await session.execute(query)).first() is not None


async def targets_of(
    session: AsyncSession, run_ids: Sequence[str]
) -> dict[str, list[BenchmarkRunTarget]]:
    """Targets of runs already checked to be the caller's."""
    if not run_ids:
        return {}
    query = select(BenchmarkRunTarget).where(BenchmarkRunTarget.run_id.in_(run_ids))
    found: dict[str, list[BenchmarkRunTarget]] = {run_id: [] for run_id in run_ids}
    for target in (await session.execute(query)).scalars():
        found[target.run_id].append(target)
    return found


def _filtered(owner_id: str, filters: RunFilters) -> Select[Any]:
    query = select(BenchmarkRun).where(BenchmarkRun.owner_id == owner_id)
    if filters.query:
        for word in filters.query.lower().split()[:8]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
            query = query.where(
                or_(
                    BenchmarkRun.search_text.like(pattern, escape="\\"),
                    func.lower(BenchmarkRun.title).like(pattern, escape="\\"),
                )
            )
    if filters.statuses:
        query = query.where(BenchmarkRun.status.in_(list(filters.statuses)))
    if filters.provider_id or filters.model:
        target = select(BenchmarkRunTarget.run_id).where(
            BenchmarkRunTarget.run_id == BenchmarkRun.id
        )
        if filters.provider_id:
            target = target.where(BenchmarkRunTarget.provider_id == filters.provider_id)
        if filters.model:
            target = target.where(
                or_(
                    BenchmarkRunTarget.model_id == filters.model,
                    BenchmarkRunTarget.model_ref_id == filters.model,
                )
            )
        query = query.where(exists(target))
    if filters.since is not None:
        query = query.where(BenchmarkRun.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(BenchmarkRun.created_at < filters.until)
    if filters.schedule_id is not None:
        query = query.where(BenchmarkRun.schedule_id == filters.schedule_id)
    return query


async def titles_starting_with(session: AsyncSession, owner_id: str, prefix: str) -> list[str]:
    """The owner's run titles that begin with `prefix` (case as stored)."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(BenchmarkRun.title).where(
        BenchmarkRun.owner_id == owner_id, BenchmarkRun.title.like(f"{escaped}%", escape="\\")
    )
    return [str(title) for title in (await session.execute(query)).scalars()]


async def list_runs(
    session: AsyncSession, owner_id: str, filters: RunFilters, limit: int, offset: int
) -> tuple[list[BenchmarkRun], int]:
    base = _filtered(owner_id, filters)
    # A history row shows none of the run's large JSON but its summary (for the headline).
    unlisted = (
        BenchmarkRun.request,
        BenchmarkRun.config,
        BenchmarkRun.environment,
        BenchmarkRun.diagnostics,
        BenchmarkRun.steps,
        BenchmarkRun.slo_search,
        BenchmarkRun.search_text,
    )
    page = base.options(*(defer(column, raiseload=True) for column in unlisted)).order_by(
        BenchmarkRun.created_at.desc(), BenchmarkRun.id.desc()
    )
    rows = list((await session.execute(page.limit(limit).offset(offset))).scalars().all())
    total = total_from_page(len(rows), limit, offset)
    if total is None:
        count = select(func.count()).select_from(base.subquery())
        total = int((await session.execute(count)).scalar_one())
    return rows, total


async def insert_requests(
    session: AsyncSession, run_id: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Core bulk insert (one executemany): ~25x faster than ORM objects."""
    if rows:
        await session.execute(insert(BenchmarkRequest), [{**r, "run_id": run_id} for r in rows])


def _rows_query(run_id: str, step: str | None, target: str | None) -> Any:
    # Plain rows, not ORM objects: read-only, and building thousands of mapped instances
    # (identity map, attribute state) cost more than the query itself.
    query = select(*BenchmarkRequest.__table__.columns).where(BenchmarkRequest.run_id == run_id)
    if step is not None:
        query = query.where(BenchmarkRequest.step == step)
    if target is not None:
        query = query.where(BenchmarkRequest.target_key == target)
    return query


async def request_rows(
    session: AsyncSession,
    run_id: str,
    *,
    step: str | None = None,
    target: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Row[Any]]:
    """Rows of a run the caller owns (checked by the service), in arrival order."""
    query = _rows_query(run_id, step, target).order_by(BenchmarkRequest.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list((await session.execute(query)).all())


async def stream_request_rows(
    session: AsyncSession, run_id: str, *, step: str | None = None, chunk: int = 1000
) -> AsyncIterator[Row[Any]]:
    """Rows in arrival order, fetched `chunk` at a time by key (no OFFSET scans)."""
    last_id = 0
    while True:
        query = (
            _rows_query(run_id, step, None)
            .where(BenchmarkRequest.id > last_id)
            .order_by(BenchmarkRequest.id)
            .limit(chunk)
        )
        rows = list((await session.execute(query)).all())
        for row in rows:
            yield row
        if len(rows) < chunk:
            return
        last_id = rows[-1].id


async def count_rows(
    session: AsyncSession,
    run_id: str,
    *,
    step: str | None = None,
    target: str | None = None,
    counted_only: bool = False,
) -> int:
    """Stored rows (`counted_only`: leaving superseded ones out)."""
    rows = _rows_query(run_id, step, target)
    if counted_only:
        rows = rows.where(BenchmarkRequest.superseded.is_(False))
    query = select(func.count()).select_from(rows.subquery())
    return int((await session.execute(query)).scalar_one())


def _unfinished(run_id: str, finished_steps: Sequence[str]) -> Any:
    """Rows of a run's steps that did not finish, not already superseded."""
    where = [BenchmarkRequest.run_id == run_id, BenchmarkRequest.superseded.is_(False)]
    if finished_steps:
        where.append(BenchmarkRequest.step.not_in(list(finished_steps)))
    return where


async def supersede_unfinished(
    session: AsyncSession, run_id: str, finished_steps: Sequence[str], *, name_last: int
) -> list[str]:
    """On resume, mark (never delete) what an unfinished step must measure again: a load
    step's rows (a timed window cannot be continued without biasing its rates) and requests
    the interruption cut short. A profile step's finished requests stay and count.
    Returns the request ids of the last `name_last` rows marked (for the live view)."""
    cut_short = or_(
        BenchmarkRequest.run_index.is_(None), BenchmarkRequest.error_category == "cancelled"
    )
    where = (*_unfinished(run_id, finished_steps), cut_short)
    names = (
        select(BenchmarkRequest.request_id)
        .where(*where)
        .order_by(BenchmarkRequest.id.desc())
        .limit(name_last)
    )
    marked = [str(name) for name in (await session.execute(names)).scalars()]
    if marked:
        await session.execute(update(BenchmarkRequest).where(*where).values(superseded=True))
    return marked[::-1]


@dataclass(frozen=True)
class StepRows:
    """Stored rows of one unfinished step, per attempt (kept or superseded)."""

    step: str
    attempt: int | None
    superseded: bool
    rows: int
    e2e_ms: float  # kept measured rows only: the window they took, one after another


async def unfinished_step_rows(
    session: AsyncSession, run_id: str, finished_steps: Sequence[str]
) -> list[StepRows]:
    where = [BenchmarkRequest.run_id == run_id]
    if finished_steps:
        where.append(BenchmarkRequest.step.not_in(list(finished_steps)))
    counted_e2e = func.sum(BenchmarkRequest.e2e_ms).filter(BenchmarkRequest.warmup.is_(False))
    query = (
        select(
            BenchmarkRequest.step,
            BenchmarkRequest.attempt,
            BenchmarkRequest.superseded,
            func.count(),
            counted_e2e,
        )
        .where(*where)
        .group_by(BenchmarkRequest.step, BenchmarkRequest.attempt, BenchmarkRequest.superseded)
        .order_by(BenchmarkRequest.step, func.min(BenchmarkRequest.id))
    )
    return [
        StepRows(str(step), attempt, bool(superseded), int(count), float(e2e or 0.0))
        for step, attempt, superseded, count, e2e in (await session.execute(query)).all()
    ]


async def stored_run_indices(
    session: AsyncSession, run_id: str, finished_steps: Sequence[str]
) -> dict[str, list[int]]:
    """Run indices (warm-ups negative) an unfinished profile step has kept, per step."""
    query = select(BenchmarkRequest.step, BenchmarkRequest.run_index).where(
        *_unfinished(run_id, finished_steps), BenchmarkRequest.run_index.is_not(None)
    )
    found: dict[str, list[int]] = {}
    for step, run_index in (await session.execute(query)).all():
        if run_index is not None:
            found.setdefault(str(step), []).append(int(run_index))
    return found


async def run_totals(session: AsyncSession, run_id: str) -> tuple[int, int, float | None]:
    """(measured requests, errors) over the rows that count (not warm-ups, not superseded),
    and the cost of every row sent (superseded ones were paid for too)."""
    counted = and_(
        BenchmarkRequest.warmup.is_(False),
        BenchmarkRequest.superseded.is_(False),
        # Requests the run cut short are their own outcome, neither measured nor errors.
        or_(
            BenchmarkRequest.error_category.is_(None),
            BenchmarkRequest.error_category != CANCELLED,
        ),
    )
    query = select(
        func.count().filter(counted),
        func.count(BenchmarkRequest.error_category).filter(counted),
        func.sum(BenchmarkRequest.cost_usd),
    ).where(BenchmarkRequest.run_id == run_id)
    count, errors, cost = (await session.execute(query)).one()
    return int(count), int(errors), None if cost is None else float(cost)


async def set_run_fields(session: AsyncSession, run_id: str, **values: Any) -> None:
    await session.execute(update(BenchmarkRun).where(BenchmarkRun.id == run_id).values(**values))


async def delete_run(session: AsyncSession, owner_id: str, run_id: str) -> bool:
    # Rows first: SQLite only cascades with foreign keys on, PostgreSQL always; be explicit.
    run = await get_run(session, owner_id, run_id)
    if run is None:
        return False
    await session.execute(delete(BenchmarkRequest).where(BenchmarkRequest.run_id == run_id))
    await session.execute(delete(BenchmarkRunTarget).where(BenchmarkRunTarget.run_id == run_id))
    await session.execute(delete(BenchmarkRun).where(BenchmarkRun.id == run_id))
    return True


async def active_runs(session: AsyncSession, limit: int = 10_000) -> list[BenchmarkRun]:
    """Runs of every owner still marked queued or running (the start-up repair checks each
    against its job; a system query, not a tenant's)."""
    query = (
        select(BenchmarkRun)
        .options(defer(BenchmarkRun.summary))
        .where(BenchmarkRun.status.in_(("queued", "running")))
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def run_labels(
    session: AsyncSession, run_ids: set[str]
) -> dict[str, tuple[str | None, dict[str, Any] | None]]:
    """Title and configuration per run, for naming the jobs that run them (ids come from the
    caller's own jobs, so no owner filter: an admin's job list names everyone's)."""
    query = select(BenchmarkRun.id, BenchmarkRun.title, BenchmarkRun.config).where(
        BenchmarkRun.id.in_(run_ids)
    )
    return {row.id: (row.title, row.config) for row in (await session.execute(query))}


async def find_import(
    session: AsyncSession, owner_id: str, import_hash: str
) -> BenchmarkRun | None:
    """The owner's earliest run imported from results with this content hash."""
    query = (
        select(BenchmarkRun)
        .where(BenchmarkRun.owner_id == owner_id, BenchmarkRun.import_hash == import_hash)
        .order_by(BenchmarkRun.created_at, BenchmarkRun.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
