"""Alert queries shared by the alert use cases."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.errors import NotFoundError
from benchstudio.schedules import repository as schedules_repository

NO_SCHEDULE = "No such schedule."


async def require_schedule(session: AsyncSession, owner_id: str, schedule_id: str) -> None:
    """The owner's schedule exists, else 404 (another user's answers the same)."""
    if await schedules_repository.get_owned(session, owner_id, schedule_id) is None:
        raise NotFoundError(NO_SCHEDULE)
