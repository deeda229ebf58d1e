"""Experiment queries. Every query takes the owner; the service commits."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.experiments.models import Experiment


@dataclass(frozen=True, slots=True)
class ExperimentFilters:
    query: str | None = None
    include_archived: bool = False
    suite_id: str | None = None


async def get_experiment(
    session: AsyncSession, owner_id: str, experiment_id: str
) -> Experiment | None:
    query = select(Experiment).where(
        Experiment.id == experiment_id, Experiment.owner_id == owner_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_experiments(
    session: AsyncSession, owner_id: str, filters: ExperimentFilters, limit: int, offset: int
) -> tuple[list[Experiment], int]:
    """The owner's experiments, latest change first."""
    where = [Experiment.owner_id == owner_id]
    if not filters.include_archived:
        where.append(Experiment.archived_at.is_(None))
    if filters.suite_id:
        where.append(Experiment.suite_id == filters.suite_id)
    if filters.query:
        needle = filters.query.lower()
        where.append(
            or_(
                func.lower(Experiment.name).contains(needle, autoescape=True),
                func.lower(Experiment.description).contains(needle, autoescape=True),
                func.lower(Experiment.suite_name).contains(needle, autoescape=True),
            )
        )
    total = (await session.execute(select(func.count()).where(*where))).scalar_one()
    query = (
        select(Experiment)
        .where(*where)
        .order_by(Experiment.updated_at.desc(), Experiment.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(query)).scalars()), int(total)


async def delete_experiment(session: AsyncSession, experiment: Experiment) -> None:
    await session.delete(experiment)
