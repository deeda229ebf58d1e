"""Why a schedule must pause itself before its next run, checked at dispatch: its owner is
disabled, a provider or model it runs is archived (or gone), a key it ran with was removed, or
its monthly budget is used up. (Consecutive failures pause it as runs end: `outcomes`.)"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from benchstudio.accounts import service as accounts
from benchstudio.audit import service as audit
from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.service import CatalogContext
from benchstudio.core.errors import NotFoundError
from benchstudio.jobs import ledger
from benchstudio.schedules import repository
from benchstudio.schedules.models import Schedule
from benchstudio.schedules.service import ScheduleContext
from benchstudio.schedules.service.timing_state import month_start
from benchstudio.storage.service_context import ServiceContext

log = logging.getLogger(__name__)


async def _target_problem(
    catalog: CatalogContext, target: dict[str, Any], keyed: list[str]
) -> str | None:
    provider_id, model = str(target.get("provider_id")), str(target.get("model_id"))
    try:
        provider = await catalog_service.get_provider(catalog, provider_id)
    except NotFoundError:
        return "its provider was deleted"
    if provider.archived:
        return f"its provider {provider.name!r} was archived"
    if provider.id in keyed and not provider.has_key:
        return f"the API key of provider {provider.name!r} was removed"
    models = await catalog_service.list_models(
        catalog, provider_id=provider.id, include_archived=True
    )
    matching = [m for m in models if model in (m.id, m.model_id)]
    if matching and all(m.archived_at is not None for m in matching):
        return f"its model {matching[0].display_name!r} was archived"
    return None


async def month_spent(ctx: ServiceContext, schedule_id: str, now: datetime) -> float:
    """What the schedule's runs spent (or hold) this calendar month (UTC), from the ledger."""
    async with ctx.read() as session:
        job_ids = await repository.job_ids_since(session, schedule_id, month_start(now))
        return await ledger.spend_of(session, job_ids)


async def pause_reason(ctx: ScheduleContext, row: Schedule, now: datetime) -> str | None:
    owner = await accounts.get_user_state(ServiceContext.system(ctx.db), row.owner_id)
    if owner is None or not owner.is_active:
        return "its owner's account is disabled"
    catalog = ctx.catalog(row.owner_id)
    targets: list[dict[str, Any]] = list(row.config.get("targets", []))
    judge = (row.config.get("judge") or {}).get("judge_model_ref_id")
    for target in targets:
        problem = await _target_problem(catalog, target, list(row.keyed_provider_ids))
        if problem:
            return problem
    if judge:
        try:
            judge_model = await catalog_service.get_model(catalog, str(judge))
        except NotFoundError:
            return "its judge model was deleted"
        if judge_model.archived_at is not None:
            return f"its judge model {judge_model.display_name!r} was archived"
    budget = row.monthly_budget_usd
    if budget is not None:
        spent = await month_spent(ctx, row.id, now)
        if spent >= budget:
            return f"its monthly budget of ${budget:.2f} is used up (${spent:.2f} this month)"
    return None


async def pause(ctx: ServiceContext, schedule_id: str, reason: str, now: datetime) -> None:
    """Switch the schedule off with `reason` (its owner switches it on again)."""
    async with ctx.unit() as session:
        row = await repository.get(session, schedule_id)
        if row is None or not row.enabled:
            return
        row.enabled, row.paused_reason, row.next_due_at = False, reason, None
        row.updated_at = now
        audit.record(
            session,
            "schedule.paused",
            actor_id=None,
            target=schedule_id,
            detail={"reason": reason, "owner_id": row.owner_id},
        )
    log.info("schedule paused", extra={"schedule_id": schedule_id, "reason": reason})
