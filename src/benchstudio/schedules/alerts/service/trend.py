"""A schedule's trend: one point per finished scheduled run with its alert metrics, the
baseline a new run would be compared with now, and the open episodes. The figures come from
the same samples, baseline selection and metric functions as the regression check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from benchstudio.core.errors import NotFoundError
from benchstudio.schedules import repository as schedules_repository
from benchstudio.schedules.alerts import repository
from benchstudio.schedules.alerts.models import ScheduleAlertRules
from benchstudio.schedules.alerts.repository import NO_SCHEDULE
from benchstudio.schedules.alerts.schemas import (
    AlertRulesIn,
    MetricValues,
    TrendOut,
    TrendPointOut,
)
from benchstudio.schedules.alerts.service.samples import (
    baseline_needed,
    rules_of,
    run_samples,
)
from benchstudio.schedules.domain.alerts import (
    Metric,
    RunSamples,
    baseline_runs,
    baseline_value,
    run_value,
)
from benchstudio.storage.service_context import ServiceContext

# The metrics a run of each kind measures.
KIND_METRICS = {
    "benchmark": (
        Metric.TTFT_P50,
        Metric.TTFT_P95,
        Metric.OUTPUT_TPS,
        Metric.ERROR_RATE,
        Metric.COST,
    ),
    "eval": (Metric.ERROR_RATE, Metric.SCORE),
}


def _values(run: RunSamples, metrics: Iterable[Metric]) -> MetricValues:
    return MetricValues(**{m.value: run_value(run, m) for m in metrics})


async def trend(ctx: ServiceContext, schedule_id: str, limit: int) -> TrendOut:
    owner = ctx.require_owner()
    async with ctx.read() as session:
        schedule = await schedules_repository.get_owned(session, owner, schedule_id)
        if schedule is None:
            raise NotFoundError(NO_SCHEDULE)
        kind = schedule.kind
        runs = await schedules_repository.finished_runs(session, schedule_id, limit)
        rules_row = await session.get(ScheduleAlertRules, schedule_id)
        config = AlertRulesIn.model_validate(rules_row.config if rules_row else {})
        _, baseline = rules_of(config)
        earlier = await repository.checked_history(session, schedule_id, baseline)
        flags = await repository.regressions_of(session, schedule_id, [r.run_id for r in runs])
        open_metrics = await repository.open_episode_metrics(session, schedule_id)

    metrics = KIND_METRICS.get(kind, tuple(Metric))
    loaded: dict[str, RunSamples] = {}

    async def samples(run_id: str, regressed: list[str]) -> RunSamples:
        if run_id not in loaded:
            loaded[run_id] = await run_samples(ctx, kind, run_id)
        found = loaded[run_id]
        flagged = frozenset(Metric(m) for m in regressed)
        return replace(found, regressed=flagged)

    history = [await samples(rid, f) for rid, f in baseline_needed(metrics, baseline, earlier)]
    current = MetricValues(
        **{m.value: baseline_value(m, baseline_runs(m, baseline, history)) for m in metrics}
    )
    points = []
    for run in runs:
        run_id = run.run_id
        found = await samples(run_id, [])
        points.append(
            TrendPointOut(
                run_id=run_id,
                kind=kind,
                occurrence_at=run.occurrence_at,
                run_number=run.run_number,
                status=run.status,
                metrics=_values(found, metrics),
                checked=run_id in flags,
                in_episode=flags.get(run_id, []),
            )
        )
    return TrendOut(
        schedule_id=schedule_id,
        kind=kind,
        baseline_kind=config.baseline.kind,
        baseline_window=baseline.window,
        baseline_run_id=baseline.run_id,
        baseline=current,
        open=open_metrics,
        points=points,
    )
