"""Tuner run, trial and space-preset queries. Every tenant query takes the owner; the service
commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from benchstudio.tuning.models import TunerRun, TunerSpacePreset, TunerTrial


@dataclass(frozen=True, slots=True)
class RunFilters:
    search: str | None = None
    statuses: Sequence[str] = ()
    experiment_id: str | None = None


async def get_run(session: AsyncSession, owner_id: str, run_id: str) -> TunerRun | None:
    query = select(TunerRun).where(TunerRun.id == run_id, TunerRun.owner_id == owner_id)
    return (await session.execute(query)).scalar_one_or_none()


def _conditions(owner_id: str, filters: RunFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [TunerRun.owner_id == owner_id]
    if filters.search:
        needle = filters.search.lower()
        where.append(
            or_(
                func.lower(TunerRun.name).contains(needle, autoescape=True),
                func.lower(TunerRun.suite_name).contains(needle, autoescape=True),
            )
        )
    if filters.statuses:
        where.append(TunerRun.status.in_(list(filters.statuses)))
    if filters.experiment_id:
        where.append(TunerRun.experiment_id == filters.experiment_id)
    return where


async def list_runs(
    session: AsyncSession, owner_id: str, filters: RunFilters, limit: int, offset: int
) -> tuple[list[TunerRun], int]:
    where = _conditions(owner_id, filters)
    total = (await session.execute(select(func.count()).where(*where))).scalar_one()
    query = (
        select(TunerRun)
        .where(*where)
        .order_by(TunerRun.created_at.desc(), TunerRun.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(query)).scalars()), int(total)


async def trials_of(session: AsyncSession, owner_id: str, run_id: str) -> list[TunerTrial]:
    query = (
        select(TunerTrial)
        .where(TunerTrial.tuner_run_id == run_id, TunerTrial.owner_id == owner_id)
        .order_by(TunerTrial.number)
    )
    return list((await session.execute(query)).scalars())


async def trials_of_runs(
    session: AsyncSession, owner_id: str, run_ids: Sequence[str]
) -> list[TunerTrial]:
    if not run_ids:
        return []
    query = select(TunerTrial).where(
        TunerTrial.owner_id == owner_id, TunerTrial.tuner_run_id.in_(list(run_ids))
    )
    return list((await session.execute(query)).scalars())


async def get_trial(session: AsyncSession, run_id: str, number: int) -> TunerTrial | None:
    query = select(TunerTrial).where(TunerTrial.tuner_run_id == run_id, TunerTrial.number == number)
    return (await session.execute(query)).scalar_one_or_none()


async def set_trial_eval_run(
    session: AsyncSession, run_id: str, number: int, eval_run_id: str
) -> None:
    await session.execute(
        update(TunerTrial)
        .where(TunerTrial.tuner_run_id == run_id, TunerTrial.number == number)
        .values(eval_run_id=eval_run_id)
    )


async def delete_trials(session: AsyncSession, run_id: str, trial_ids: Sequence[str]) -> None:
    if trial_ids:
        await session.execute(
            delete(TunerTrial).where(
                TunerTrial.tuner_run_id == run_id, TunerTrial.id.in_(list(trial_ids))
            )
        )


async def add_totals(
    session: AsyncSession, run_id: str, calls: int, cost_usd: float, *, trials: int = 1
) -> None:
    """A finished trial's calls and cost (atomic: trials finish in parallel)."""
    await session.execute(
        update(TunerRun)
        .where(TunerRun.id == run_id)
        .values(
            trials_done=TunerRun.trials_done + trials,
            calls_used=TunerRun.calls_used + calls,
            cost_usd=TunerRun.cost_usd + cost_usd,
        )
    )


async def set_run_fields(session: AsyncSession, run_id: str, **values: Any) -> None:
    await session.execute(update(TunerRun).where(TunerRun.id == run_id).values(**values))


async def delete_run(session: AsyncSession, owner_id: str, run_id: str) -> None:
    await session.execute(
        delete(TunerTrial).where(TunerTrial.tuner_run_id == run_id, TunerTrial.owner_id == owner_id)
    )
    await session.execute(
        delete(TunerRun).where(TunerRun.id == run_id, TunerRun.owner_id == owner_id)
    )


async def active_runs(session: AsyncSession, limit: int = 10_000) -> list[TunerRun]:
    """Runs of every owner still marked queued or running (the start-up repair; a system
    query, not a tenant's)."""
    query = select(TunerRun).where(TunerRun.status.in_(("queued", "running"))).limit(limit)
    return list((await session.execute(query)).scalars())


async def run_names(session: AsyncSession, run_ids: set[str]) -> dict[str, str]:
    """Names of runs, for naming the jobs that run them (ids come from the caller's jobs)."""
    query = select(TunerRun.id, TunerRun.name).where(TunerRun.id.in_(run_ids))
    return {row.id: row.name for row in await session.execute(query)}


# ---------------------------------------------------------------- experiments


async def runs_of_experiments(
    session: AsyncSession, owner_id: str, experiment_ids: Sequence[str]
) -> list[TunerRun]:
    """The owner's tuner runs filed under any of the experiments, oldest first."""
    query = (
        select(TunerRun)
        .where(TunerRun.owner_id == owner_id, TunerRun.experiment_id.in_(list(experiment_ids)))
        .order_by(TunerRun.created_at, TunerRun.id)
    )
    return list((await session.execute(query)).scalars())


async def unfile_experiment(session: AsyncSession, owner_id: str, experiment_id: str) -> int:
    result = await session.execute(
        update(TunerRun)
        .where(TunerRun.owner_id == owner_id, TunerRun.experiment_id == experiment_id)
        .values(experiment_id=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# ---------------------------------------------------------------- space presets


async def list_presets(session: AsyncSession, owner_id: str) -> list[TunerSpacePreset]:
    query = (
        select(TunerSpacePreset)
        .where(TunerSpacePreset.owner_id == owner_id)
        .order_by(func.lower(TunerSpacePreset.name), TunerSpacePreset.id)
    )
    return list((await session.execute(query)).scalars())


async def get_preset(
    session: AsyncSession, owner_id: str, preset_id: str
) -> TunerSpacePreset | None:
    query = select(TunerSpacePreset).where(
        TunerSpacePreset.id == preset_id, TunerSpacePreset.owner_id == owner_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def preset_named(session: AsyncSession, owner_id: str, name: str) -> TunerSpacePreset | None:
    query = select(TunerSpacePreset).where(
        TunerSpacePreset.owner_id == owner_id, TunerSpacePreset.name == name
    )
    return (await session.execute(query)).scalar_one_or_none()
