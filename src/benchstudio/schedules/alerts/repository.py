"""Alert queries shared by the alert use cases (and the owner notices of schedules)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.errors import NotFoundError
from benchstudio.schedules import repository as schedules_repository
from benchstudio.schedules.alerts.models import (
    ScheduleAlertCheck,
    ScheduleAlertEpisode,
    ScheduleAlertRules,
    WebhookEndpoint,
)
from benchstudio.schedules.domain.alerts import Baseline

NO_SCHEDULE = "No such schedule."


async def require_schedule(session: AsyncSession, owner_id: str, schedule_id: str) -> None:
    """The owner's schedule exists, else 404 (another user's answers the same)."""
    if await schedules_repository.get_owned(session, owner_id, schedule_id) is None:
        raise NotFoundError(NO_SCHEDULE)


HISTORY_LIMIT = 60  # checked runs read for a rolling baseline (regressed ones are skipped)

Checked = tuple[str, list[str]]  # a checked run's id and the metrics it regressed on


async def checked_history(
    session: AsyncSession, schedule_id: str, baseline: Baseline, without_check: str | None = None
) -> list[Checked]:
    """The schedule's checked runs (newest first) with what they regressed on; only the fixed
    run for a fixed baseline; `without_check`: leave out the check being made."""
    query = select(ScheduleAlertCheck.run_id, ScheduleAlertCheck.regressed).where(
        ScheduleAlertCheck.schedule_id == schedule_id, ScheduleAlertCheck.status == "done"
    )
    if without_check is not None:
        query = query.where(ScheduleAlertCheck.id != without_check)
    if baseline.run_id is not None:
        query = query.where(ScheduleAlertCheck.run_id == baseline.run_id)
    query = query.order_by(ScheduleAlertCheck.created_at.desc()).limit(HISTORY_LIMIT)
    return [(run_id, list(flags or [])) for run_id, flags in (await session.execute(query)).all()]


async def regressions_of(
    session: AsyncSession, schedule_id: str, run_ids: list[str]
) -> dict[str, list[str]]:
    """The checked runs among `run_ids`, each with the metrics it regressed on."""
    query = select(ScheduleAlertCheck.run_id, ScheduleAlertCheck.regressed).where(
        ScheduleAlertCheck.schedule_id == schedule_id,
        ScheduleAlertCheck.status == "done",
        ScheduleAlertCheck.run_id.in_(run_ids),
    )
    return {run_id: list(flags or []) for run_id, flags in (await session.execute(query)).all()}


async def open_episode_metrics(session: AsyncSession, schedule_id: str) -> list[str]:
    """The metrics with an alert episode still open, sorted."""
    query = select(ScheduleAlertEpisode.metric).where(
        ScheduleAlertEpisode.schedule_id == schedule_id,
        ScheduleAlertEpisode.closed_at.is_(None),
    )
    return sorted(set((await session.execute(query)).scalars()))


async def endpoints_for(
    session: AsyncSession, owner_id: str, schedule_id: str
) -> list[WebhookEndpoint]:
    """The owner's enabled endpoints that hear about this schedule (its own, or all)."""
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.owner_id == owner_id,
        WebhookEndpoint.enabled.is_(True),
        or_(WebhookEndpoint.schedule_id.is_(None), WebhookEndpoint.schedule_id == schedule_id),
    )
    return list((await session.execute(query)).scalars())


async def emails_owner(session: AsyncSession, schedule_id: str) -> bool:
    """Whether the schedule's notices are emailed too: its alert rules' `email` (on unless
    the owner turned it off, as for alerts)."""
    rules = await session.get(ScheduleAlertRules, schedule_id)
    return rules is None or bool(rules.config.get("email", True))
