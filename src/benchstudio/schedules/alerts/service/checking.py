"""Checking finished scheduled runs for regressions.

The job's last unit of work only queues a check (`queue_check`, an `on_ended` hook: cheap, no
statistics inside the transaction); the alert loop claims pending checks (`check_pending`),
loads the per-request samples through the benchmark and eval services, runs the pure
evaluation in a worker thread, and in one unit records the verdict, opens or closes episodes,
writes notices and queues webhook deliveries. Email is sent after that unit commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import anyio
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.jobs.domain import JobEnding
from benchstudio.jobs.registry import EndedHook
from benchstudio.schedules import repository as schedules_repository
from benchstudio.schedules.alerts import repository
from benchstudio.schedules.alerts.models import (
    ScheduleAlertCheck,
    ScheduleAlertEpisode,
    ScheduleAlertMute,
    ScheduleAlertRules,
)
from benchstudio.schedules.alerts.repository import Checked
from benchstudio.schedules.alerts.schemas import AlertRulesIn
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.schedules.alerts.service.notices import Notice, send_email, write_notices
from benchstudio.schedules.alerts.service.samples import baseline_needed, rules_of, run_samples
from benchstudio.schedules.domain.alerts import Baseline, Metric, Rule
from benchstudio.schedules.domain.alerts_episodes import Evaluation, Mute, evaluate
from benchstudio.storage.service_context import ServiceContext

log = logging.getLogger(__name__)


async def queue_check(ctx: ServiceContext, ending: JobEnding) -> None:
    """The `on_ended` hook's alerts part: a finished run a schedule started is queued for
    checking (once: a run has one check). Also without rules: checked runs are the history
    that rolling baselines are drawn from once rules are saved."""
    if ending.status.value != "done":
        return
    async with ctx.unit() as session:
        occurrence = await schedules_repository.occurrence_of_job(session, ending.job_id)
        if occurrence is None or occurrence.run_id is None:
            return
        schedule = await schedules_repository.get(session, occurrence.schedule_id)
        if schedule is None:
            return
        known = select(ScheduleAlertCheck.id).where(ScheduleAlertCheck.run_id == occurrence.run_id)
        if (await session.execute(known)).first() is not None:
            return
        session.add(
            ScheduleAlertCheck(
                schedule_id=schedule.id,
                owner_id=schedule.owner_id,
                run_kind=schedule.kind,
                run_id=occurrence.run_id,
                run_status=ending.status.value,
            )
        )


def also_checks(hook: EndedHook) -> EndedHook:
    """`hook`, then the ended run is queued for its schedule's regression check."""

    async def both(ctx: ServiceContext, ending: JobEnding) -> None:
        await hook(ctx, ending)
        await queue_check(ctx, ending)

    return both


async def check_pending(ctx: AlertContext, limit: int = 20) -> int:
    """Check up to `limit` queued runs, oldest first; returns how many were checked. A system
    call: each check then acts for its schedule's owner."""
    query = (
        select(ScheduleAlertCheck.id)
        .where(ScheduleAlertCheck.status == "pending")
        .order_by(ScheduleAlertCheck.created_at)
        .limit(limit)
    )
    async with ctx.read() as session:
        ids = list((await session.execute(query)).scalars())
    checked = 0
    for check_id in ids:
        if not await _claim(ctx, check_id):
            continue
        try:
            await _check(ctx, check_id)
        except Exception:  # one bad run must not stop the others' checks
            log.exception("a schedule alert check failed", extra={"check_id": check_id})
            await _mark_failed(ctx, check_id)
        checked += 1
    return checked


async def _claim(ctx: AlertContext, check_id: str) -> bool:
    """Exactly one loop (of several replicas) checks a run."""
    claim = (
        update(ScheduleAlertCheck)
        .where(ScheduleAlertCheck.id == check_id, ScheduleAlertCheck.status == "pending")
        .values(status="checking", checked_at=ctx.clock())
    )
    async with ctx.unit() as session:
        return bool((await session.execute(claim)).rowcount)  # type: ignore[attr-defined]


async def _mark_failed(ctx: AlertContext, check_id: str) -> None:
    async with ctx.unit() as session:
        check = await session.get(ScheduleAlertCheck, check_id)
        if check is not None:
            check.status = "failed"


@dataclass(frozen=True)
class _State:
    """What a check reads before the statistics: the rules and what is known so far."""

    kind: str
    run_id: str
    owner: str
    name: str
    config: AlertRulesIn
    rules: list[Rule]
    baseline: Baseline
    earlier: list[Checked]
    mutes: list[Mute]
    open_now: frozenset[Metric]


async def _state(session: AsyncSession, check: ScheduleAlertCheck) -> _State | None:
    rules_row = await session.get(ScheduleAlertRules, check.schedule_id)
    schedule = await schedules_repository.get(session, check.schedule_id)
    if rules_row is None or schedule is None or not rules_row.config.get("enabled", True):
        return None
    config = AlertRulesIn.model_validate(rules_row.config)
    rules, baseline = rules_of(config)
    mutes = select(ScheduleAlertMute).where(ScheduleAlertMute.schedule_id == check.schedule_id)
    episodes = select(ScheduleAlertEpisode.metric).where(
        ScheduleAlertEpisode.schedule_id == check.schedule_id,
        ScheduleAlertEpisode.closed_at.is_(None),
    )
    return _State(
        kind=check.run_kind,
        run_id=check.run_id,
        owner=check.owner_id,
        name=schedule.name,
        config=config,
        rules=rules,
        baseline=baseline,
        earlier=await repository.checked_history(session, check.schedule_id, baseline, check.id),
        mutes=[Mute(Metric(m.metric), m.until) for m in (await session.execute(mutes)).scalars()],
        open_now=frozenset(Metric(m) for m in (await session.execute(episodes)).scalars()),
    )


async def _check(ctx: AlertContext, check_id: str) -> None:
    async with ctx.read() as session:
        check = await session.get(ScheduleAlertCheck, check_id)
        assert check is not None
        state = await _state(session, check)
    if state is None:
        await _finish(ctx, check_id, None)
        return
    owner_ctx = ServiceContext.for_owner(ctx.db, state.owner)
    new = await run_samples(owner_ctx, state.kind, state.run_id)
    needed = baseline_needed((rule.metric for rule in state.rules), state.baseline, state.earlier)
    history = [await run_samples(owner_ctx, state.kind, rid, flags) for rid, flags in needed]
    now = ctx.clock()
    evaluation = await anyio.to_thread.run_sync(
        lambda: evaluate(
            state.rules, state.baseline, history, new, state.open_now, state.mutes, now
        )
    )
    notices = await _finish(ctx, check_id, evaluation, state.name)
    if notices and state.config.email:
        await send_email(ctx, state.owner, notices)


async def _finish(
    ctx: AlertContext, check_id: str, evaluation: Evaluation | None, name: str = ""
) -> list[Notice]:
    """Record the verdict and its consequences in one unit; returns the notices written."""
    async with ctx.unit() as session:
        check = await session.get(ScheduleAlertCheck, check_id)
        assert check is not None
        check.status, check.checked_at = "done", ctx.clock()
        if evaluation is None:
            return []
        # Out of later rolling baselines: a regressed run, and a run still beyond the threshold
        # in an open episode (not significant alone, but no new normal either).
        check.regressed = sorted(
            f.metric.value
            for f in evaluation.findings
            if f.regressed or (f.beyond and f.metric in evaluation.open_after)
        )
        check.findings = [
            {
                "metric": f.metric.value,
                "baseline": f.baseline,
                "value": f.value,
                "significant": f.significant,
                "beyond": f.beyond,
                "p_value": f.p_value,
            }
            for f in evaluation.findings
        ]
        return await write_notices(ctx, session, check, evaluation, name)
