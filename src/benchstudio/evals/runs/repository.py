"""Eval run and case-result queries. Every query takes the owner; the service commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from benchstudio.evals.models import EvalCaseResult, EvalRun, EvalSuite


@dataclass(frozen=True, slots=True)
class RunFilters:
    search: str | None = None
    statuses: Sequence[str] = ()
    profile: str | None = None
    suite_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    experiment_id: str | None = None
    # A tuner's trial runs are hidden unless asked for: all of them, or one tuner run's.
    include_trials: bool = False
    tuner_run_id: str | None = None


@dataclass(frozen=True, slots=True)
class CaseFilters:
    target: str | None = None
    passed: bool | None = None
    category: str | None = None
    error_category: str | None = None


async def get_run(session: AsyncSession, owner_id: str, run_id: str) -> EvalRun | None:
    query = select(EvalRun).where(EvalRun.id == run_id, EvalRun.owner_id == owner_id)
    return (await session.execute(query)).scalar_one_or_none()


def _run_conditions(owner_id: str, filters: RunFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [EvalRun.owner_id == owner_id]
    if filters.search:
        where.append(EvalRun.search_text.contains(filters.search.lower(), autoescape=True))
    if filters.statuses:
        where.append(EvalRun.status.in_(list(filters.statuses)))
    if filters.profile:
        where.append(EvalRun.profile == filters.profile)
    if filters.suite_id:
        where.append(EvalRun.suite_id == filters.suite_id)
    if filters.since:
        where.append(EvalRun.created_at >= filters.since)
    if filters.until:
        where.append(EvalRun.created_at < filters.until)
    if filters.experiment_id:
        where.append(EvalRun.experiment_id == filters.experiment_id)
    if filters.tuner_run_id:
        where.append(EvalRun.tuner_run_id == filters.tuner_run_id)
    elif not filters.include_trials:
        where.append(EvalRun.tuner_run_id.is_(None))
    return where


async def list_runs(
    session: AsyncSession, owner_id: str, filters: RunFilters, limit: int, offset: int
) -> tuple[list[EvalRun], int]:
    where = _run_conditions(owner_id, filters)
    total = (await session.execute(select(func.count()).where(*where))).scalar_one()
    query = (
        select(EvalRun)
        .where(*where)
        .order_by(EvalRun.created_at.desc(), EvalRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(query)).scalars()), int(total)


def _case_conditions(owner_id: str, run_id: str, filters: CaseFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        EvalCaseResult.run_id == run_id,
        EvalCaseResult.owner_id == owner_id,
    ]
    if filters.target is not None:
        where.append(EvalCaseResult.target == filters.target)
    if filters.passed is not None:
        where.append(EvalCaseResult.passed.is_(filters.passed))
    if filters.category is not None:
        where.append(EvalCaseResult.category == filters.category)
    if filters.error_category is not None:
        where.append(EvalCaseResult.error_category == filters.error_category)
    return where


async def case_passes(
    session: AsyncSession, owner_id: str, run_ids: Sequence[str]
) -> list[tuple[str, str, str, bool]]:
    """(run id, target, case id, passed) of every stored case of the runs, one query."""
    if not run_ids:
        return []
    query = select(
        EvalCaseResult.run_id, EvalCaseResult.target, EvalCaseResult.case_id, EvalCaseResult.passed
    ).where(EvalCaseResult.owner_id == owner_id, EvalCaseResult.run_id.in_(list(run_ids)))
    return [(r[0], r[1], r[2], bool(r[3])) for r in (await session.execute(query)).all()]


async def list_case_results(
    session: AsyncSession,
    owner_id: str,
    run_id: str,
    filters: CaseFilters,
    limit: int | None,
    offset: int = 0,
) -> tuple[list[EvalCaseResult], int]:
    where = _case_conditions(owner_id, run_id, filters)
    total = (await session.execute(select(func.count()).where(*where))).scalar_one()
    query = (
        select(EvalCaseResult)
        .where(*where)
        .order_by(EvalCaseResult.target_index, EvalCaseResult.case_index)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list((await session.execute(query)).scalars()), int(total)


async def get_case_result(
    session: AsyncSession, owner_id: str, run_id: str, result_id: str
) -> EvalCaseResult | None:
    query = select(EvalCaseResult).where(
        EvalCaseResult.id == result_id,
        EvalCaseResult.run_id == run_id,
        EvalCaseResult.owner_id == owner_id,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def finished_keys(session: AsyncSession, run_id: str) -> set[tuple[str, str]]:
    """(target, case id) pairs already stored (a resumed job skips them)."""
    query = select(EvalCaseResult.target, EvalCaseResult.case_id).where(
        EvalCaseResult.run_id == run_id
    )
    return {(target, case) for target, case in (await session.execute(query)).all()}


async def count_result(session: AsyncSession, run_id: str, passed: bool) -> None:
    await session.execute(
        update(EvalRun)
        .where(EvalRun.id == run_id)
        .values(
            finished_cases=EvalRun.finished_cases + 1,
            passed_cases=EvalRun.passed_cases + (1 if passed else 0),
        )
    )


async def delete_run(session: AsyncSession, owner_id: str, run_id: str) -> None:
    await session.execute(
        delete(EvalCaseResult).where(
            EvalCaseResult.run_id == run_id, EvalCaseResult.owner_id == owner_id
        )
    )
    await session.execute(delete(EvalRun).where(EvalRun.id == run_id, EvalRun.owner_id == owner_id))


async def active_runs(session: AsyncSession, limit: int = 10_000) -> list[EvalRun]:
    """Runs of every owner still marked queued or running (the start-up repair checks each
    against its job; a system query, not a tenant's)."""
    query = select(EvalRun).where(EvalRun.status.in_(("queued", "running"))).limit(limit)
    return list((await session.execute(query)).scalars())


async def run_labels(session: AsyncSession, run_ids: set[str]) -> dict[str, tuple[str, int]]:
    """Suite name and version per run, for naming the jobs that run them (ids come from the
    caller's own jobs, so no owner filter: an admin's job list names everyone's)."""
    query = select(EvalRun.id, EvalRun.suite_name, EvalRun.suite_version).where(
        EvalRun.id.in_(run_ids)
    )
    return {row.id: (row.suite_name, row.suite_version) for row in (await session.execute(query))}


async def suite_exists(session: AsyncSession, owner_id: str, suite_id: str) -> bool:
    """Whether the owner's suite is still there (not deleted); runs keep their snapshot."""
    query = select(EvalSuite.id).where(
        EvalSuite.id == suite_id,
        EvalSuite.owner_id == owner_id,
        EvalSuite.archived_at.is_(None),
    )
    return (await session.execute(query)).first() is not None


async def runs_of_experiments(
    session: AsyncSession, owner_id: str, experiment_ids: Sequence[str]
) -> list[EvalRun]:
    """The owner's runs filed under any of these experiments (one query), oldest first."""
    query = (
        select(EvalRun)
        .where(EvalRun.owner_id == owner_id, EvalRun.experiment_id.in_(list(experiment_ids)))
        .order_by(EvalRun.created_at, EvalRun.id)
    )
    return list((await session.execute(query)).scalars())


async def runs_by_ids(
    session: AsyncSession, owner_id: str, run_ids: Sequence[str]
) -> list[EvalRun]:
    query = select(EvalRun).where(EvalRun.owner_id == owner_id, EvalRun.id.in_(list(run_ids)))
    return list((await session.execute(query)).scalars())


async def unfile_experiment(session: AsyncSession, owner_id: str, experiment_id: str) -> int:
    """Every run of the owner filed under the experiment goes back to no experiment."""
    result = await session.execute(
        update(EvalRun)
        .where(EvalRun.owner_id == owner_id, EvalRun.experiment_id == experiment_id)
        .values(experiment_id=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def trial_run_ids(session: AsyncSession, owner_id: str, tuner_run_id: str) -> list[str]:
    query = select(EvalRun.id).where(
        EvalRun.owner_id == owner_id, EvalRun.tuner_run_id == tuner_run_id
    )
    return [str(row[0]) for row in (await session.execute(query)).all()]


async def case_rows_of_runs(
    session: AsyncSession, owner_id: str, run_ids: Sequence[str]
) -> list[EvalCaseResult]:
    """Every stored case of the runs, by run, target and case order (one query)."""
    if not run_ids:
        return []
    query = (
        select(EvalCaseResult)
        .where(EvalCaseResult.owner_id == owner_id, EvalCaseResult.run_id.in_(list(run_ids)))
        .order_by(EvalCaseResult.run_id, EvalCaseResult.target_index, EvalCaseResult.case_index)
    )
    return list((await session.execute(query)).scalars())
