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
from benchstudio.catalog.schemas import ModelOut, ProviderOut
from benchstudio.catalog.service import CatalogContext
from benchstudio.core.errors import NotFoundError
from benchstudio.jobs import ledger
from benchstudio.schedules import repository
from benchstudio.schedules.models import Schedule
from benchstudio.schedules.service import ScheduleContext
from benchstudio.schedules.service.owner_notices import tell_paused
from benchstudio.schedules.service.timing_state import month_start
from benchstudio.storage.service_context import ServiceContext

log = logging.getLogger(__name__)


class PauseChecks:
    """The checks of one dispatcher pass. Each owner, provider and provider's model list is
    looked up once per pass: a user's many schedules on one provider cost one lookup."""

    def __init__(self, ctx: ScheduleContext) -> None:
        self.ctx = ctx
        self._owners: dict[str, bool] = {}
        self._providers: dict[tuple[str, str], ProviderOut | None] = {}
        self._models: dict[tuple[str, str], list[ModelOut]] = {}

    async def _owner_active(self, owner_id: str) -> bool:
        if owner_id not in self._owners:
            state = await accounts.get_user_state(ServiceContext.system(self.ctx.db), owner_id)
            self._owners[owner_id] = state is not None and state.is_active
        return self._owners[owner_id]

    async def _provider(self, catalog: CatalogContext, provider_id: str) -> ProviderOut | None:
        key = (catalog.require_owner(), provider_id)
        if key not in self._providers:
            try:
                self._providers[key] = await catalog_service.get_provider(catalog, provider_id)
            except NotFoundError:
                self._providers[key] = None
        return self._providers[key]

    async def _models_of(self, catalog: CatalogContext, provider_id: str) -> list[ModelOut]:
        key = (catalog.require_owner(), provider_id)
        if key not in self._models:
            self._models[key] = await catalog_service.list_models(
                catalog, provider_id=provider_id, include_archived=True
            )
        return self._models[key]

    async def _target_problem(
        self, catalog: CatalogContext, target: dict[str, Any], keyed: list[str]
    ) -> str | None:
        provider_id, model = str(target.get("provider_id")), str(target.get("model_id"))
        provider = await self._provider(catalog, provider_id)
        if provider is None:
            return "its provider was deleted"
        if provider.archived:
            return f"its provider {provider.name!r} was archived"
        if provider.id in keyed and not provider.has_key:
            return f"the API key of provider {provider.name!r} was removed"
        models = await self._models_of(catalog, provider.id)
        matching = [m for m in models if model in (m.id, m.model_id)]
        if matching and all(m.archived_at is not None for m in matching):
            return f"its model {matching[0].display_name!r} was archived"
        return None

    async def reason(self, row: Schedule, now: datetime) -> str | None:
        """Why `row` must pause before its next run, or None."""
        if not await self._owner_active(row.owner_id):
            return "its owner's account is disabled"
        catalog = self.ctx.catalog(row.owner_id)
        keyed = list(row.keyed_provider_ids)
        for target in row.config.get("targets", []):
            problem = await self._target_problem(catalog, target, keyed)
            if problem:
                return problem
        judge = (row.config.get("judge") or {}).get("judge_model_ref_id")
        if judge:
            try:
                judge_model = await catalog_service.get_model(catalog, str(judge))
            except NotFoundError:
                return "its judge model was deleted"
            if judge_model.archived_at is not None:
                return f"its judge model {judge_model.display_name!r} was archived"
        budget = row.monthly_budget_usd
        if budget is not None:
            spent = await month_spent(self.ctx, row.id, now)
            if spent >= budget:
                return f"its monthly budget of ${budget:.2f} is used up (${spent:.2f} this month)"
        return None


async def month_spent(ctx: ServiceContext, schedule_id: str, now: datetime) -> float:
    """What the schedule's runs spent (or hold) this calendar month (UTC), from the ledger."""
    async with ctx.read() as session:
        job_ids = await repository.job_ids_since(session, schedule_id, month_start(now))
        return await ledger.spend_of(session, job_ids)


async def pause(ctx: ServiceContext, schedule_id: str, reason: str, now: datetime) -> None:
    """Switch the schedule off with `reason` and tell its owner (who switches it on again)."""
    async with ctx.unit() as session:
        row = await repository.get(session, schedule_id)
        if row is None or not row.enabled:
            return
        row.enabled, row.paused_reason, row.next_due_at = False, reason, None
        row.updated_at = now
        await tell_paused(ctx.with_session(session), row, reason, now)
        audit.record(
            session,
            "schedule.paused",
            actor_id=None,
            target=schedule_id,
            detail={"reason": reason, "owner_id": row.owner_id},
        )
    log.info("schedule paused", extra={"schedule_id": schedule_id, "reason": reason})
