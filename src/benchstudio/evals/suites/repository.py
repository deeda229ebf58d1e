"""Suite queries. Every query takes the owner; the service commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.evals.models import EvalRun, EvalSuite, EvalSuiteVersion

# Run statuses that mean the run may still read its suite (a deleted suite refuses these).
ACTIVE_RUN_STATUSES = ("queued", "running")


async def get_suite(session: AsyncSession, owner_id: str, suite_id: str) -> EvalSuite | None:
    """An active (not archived) suite of the owner."""
    query = select(EvalSuite).where(
        EvalSuite.id == suite_id,
        EvalSuite.owner_id == owner_id,
        EvalSuite.archived_at.is_(None),
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_suites(
    session: AsyncSession, owner_id: str, search: str | None, limit: int, offset: int
) -> tuple[list[EvalSuite], int]:
    where = [EvalSuite.owner_id == owner_id, EvalSuite.archived_at.is_(None)]
    if search:
        where.append(func.lower(EvalSuite.name).contains(search.lower(), autoescape=True))
    total = (await session.execute(select(func.count()).where(*where))).scalar_one()
    query = (
        select(EvalSuite)
        .where(*where)
        .order_by(EvalSuite.updated_at.desc(), EvalSuite.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.execute(query)).scalars()), int(total)


async def get_version(
    session: AsyncSession, owner_id: str, suite_id: str, version: int
) -> EvalSuiteVersion | None:
    query = select(EvalSuiteVersion).where(
        EvalSuiteVersion.suite_id == suite_id,
        EvalSuiteVersion.owner_id == owner_id,
        EvalSuiteVersion.version == version,
    )
    return (await session.execute(query)).scalar_one_or_none()


async def get_version_by_id(
    session: AsyncSession, owner_id: str, version_id: str
) -> EvalSuiteVersion | None:
    query = select(EvalSuiteVersion).where(
        EvalSuiteVersion.id == version_id, EvalSuiteVersion.owner_id == owner_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def list_versions(
    session: AsyncSession, owner_id: str, suite_id: str
) -> list[EvalSuiteVersion]:
    query = (
        select(EvalSuiteVersion)
        .where(EvalSuiteVersion.suite_id == suite_id, EvalSuiteVersion.owner_id == owner_id)
        .order_by(EvalSuiteVersion.version.desc())
    )
    return list((await session.execute(query)).scalars())


async def find_import(session: AsyncSession, owner_id: str, import_hash: str) -> EvalSuite | None:
    """The owner's active suite imported with this content hash (the oldest, if several)."""
    query = (
        select(EvalSuite)
        .where(
            EvalSuite.owner_id == owner_id,
            EvalSuite.import_hash == import_hash,
            EvalSuite.archived_at.is_(None),
        )
        .order_by(EvalSuite.created_at, EvalSuite.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def count_active_runs(session: AsyncSession, owner_id: str, suite_id: str) -> int:
    """The suite's eval runs still queued or running."""
    query = select(func.count()).where(
        EvalRun.owner_id == owner_id,
        EvalRun.suite_id == suite_id,
        EvalRun.status.in_(ACTIVE_RUN_STATUSES),
    )
    return int((await session.execute(query)).scalar_one())
