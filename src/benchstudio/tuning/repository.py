"""Tuner run, trial and space-preset queries. Every tenant query takes the owner; the service
commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.tuning.models import TunerRun, TunerSpacePreset, TunerTrial


async def get_run(session: AsyncSession, owner_id: str, run_id: str) -> TunerRun | None:
    query = select(TunerRun).where(TunerRun.id == run_id, TunerRun.owner_id == owner_id)
    return (await session.execute(query)).scalar_one_or_none()


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
