"""A schedule's configuration checked as its run's submit would check it, and what it costs:
per run (the benchmark preview's estimate; an eval's is known only when every model is the
free demo simulator) and per month (runs in the next 30 days from its timing)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from benchstudio.benchruns import service as benchruns
from benchstudio.benchruns.schemas import BenchmarkCreate
from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.service.providers import demo_provider_ids
from benchstudio.evals.runs.schemas import EvalCreate
from benchstudio.evals.runs.service.experiment_check import check_experiment
from benchstudio.evals.runs.service.targets import resolve_targets
from benchstudio.evals.suites.service import crud as suites
from benchstudio.schedules.domain import TimingSpec
from benchstudio.schedules.domain.occurrences import COUNT_LIMIT, at_or_after, count_between
from benchstudio.schedules.schemas import ScheduleEstimateOut, ScheduleIn
from benchstudio.schedules.service import ScheduleContext

MONTH = timedelta(days=30)


async def check_config(
    ctx: ScheduleContext, owner_id: str, kind: str, config: dict[str, Any]
) -> float | None:
    """What the run's own submit checks before it runs anything: the suite, providers, models,
    parameter sets, prompt template and experiment are the owner's (404 otherwise), the
    parameters valid (422). Nothing is submitted. Returns the cost of one run, when known."""
    if kind == "benchmark":
        body = BenchmarkCreate.model_validate(config)
        preview = await benchruns.preview(ctx.bench(owner_id), owner_id, body)
        if preview.cost_usd is not None:
            return preview.cost_usd
        return await _free(ctx, owner_id, [t.provider_id for t in body.targets])
    data = EvalCreate.model_validate(config)
    evals = ctx.evals(owner_id)
    await suites.load_snapshot(evals, data.suite_id, data.suite_version)
    resolved = await resolve_targets(evals, data)
    if data.experiment_id is not None:
        await check_experiment(evals, data.experiment_id)
    if data.judge is not None:
        await catalog_service.get_model(ctx.catalog(owner_id), data.judge.judge_model_ref_id)
    return await _free(ctx, owner_id, [info.provider_id for info, _ in resolved])


async def _free(ctx: ScheduleContext, owner_id: str, provider_ids: list[str]) -> float | None:
    """0 when every model runs on the free demo simulator, else unknown (no price)."""
    async with ctx.read() as session:  # the rows are read inside one unit
        demo = await demo_provider_ids(ctx.catalog(owner_id).with_session(session))
    return 0.0 if all(provider_id in demo for provider_id in provider_ids) else None


def runs_in(spec: TimingSpec, start: datetime, span: timedelta) -> int:
    """Occurrences in [start, start + span), the maximum number of runs aside; a cron walk
    past COUNT_LIMIT extrapolates from the first COUNT_LIMIT occurrences."""
    end = start + span
    counted = count_between(spec, start, end - timedelta(microseconds=1))
    if counted is not None:
        return counted
    first = list(itertools.islice(at_or_after(spec, start), COUNT_LIMIT))
    covered = (first[-1] - first[0]) or span
    return round(len(first) * span / covered)


async def estimate(ctx: ScheduleContext, data: ScheduleIn) -> ScheduleEstimateOut:
    """The editor's figures for a schedule (saved or not): checked as a save is."""
    owner_id = ctx.require_owner()
    spec = data.timing.check(
        timedelta(seconds=ctx.settings.schedules_min_interval_s), ("body", "timing")
    )
    per_run = await check_config(ctx, owner_id, data.kind, data.run_config())
    start = max(ctx.clock(), spec.starts_at)
    runs = runs_in(spec, start, MONTH)
    if spec.max_runs is not None:
        runs = min(runs, spec.max_runs)
    return ScheduleEstimateOut(
        cost_per_run_usd=per_run,
        runs_per_month=runs,
        cost_per_month_usd=None if per_run is None else per_run * runs,
        monthly_budget_usd=data.monthly_budget_usd,
    )
