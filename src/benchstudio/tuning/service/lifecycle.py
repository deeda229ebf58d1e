"""What the `tune` job does to its tuner run: start it (loading what earlier attempts stored),
finish it, and keep it following its job (the job type's `on_ended`, the start-up repair)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from benchstudio.core.clock import utcnow
from benchstudio.core.errors import NotFoundError
from benchstudio.evals.runs.service import trials as eval_trials
from benchstudio.jobs import repository as job_repository
from benchstudio.jobs.domain import (
    UNFINISHED_BY_DONE_JOB,
    JobEnding,
    JobLabel,
    JobStatus,
    repaired_run_state,
    run_ids_of,
    run_status_after,
)
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning import repository
from benchstudio.tuning.domain.objective import TrialScore
from benchstudio.tuning.models import TunerRun, TunerTrial
from benchstudio.tuning.service.study_records import is_empty_stop
from benchstudio.tuning.service.study_types import FinishedTrialRecord, TrialKind, TrialState

CANCELLED = "cancelled"


@dataclass(slots=True)
class RunSetup:
    """The run's stored settings and its finished trials (oldest first)."""

    run_id: str
    owner_id: str
    name: str
    suite_id: str
    suite_version_id: str
    suite_name: str
    suite_version: int
    profile: str
    target: dict[str, Any]
    space: dict[str, Any]
    validated_space: dict[str, Any]
    strategy: dict[str, Any]
    objective: dict[str, Any]
    stopping: dict[str, Any]
    budget: dict[str, Any]
    vendor_preset_id: str | None
    concurrency: int
    estimate: dict[str, Any]
    merged_points: int
    active_s: float = 0.0  # seconds of running in earlier sessions
    finished: list[FinishedTrialRecord] = field(default_factory=list)


def record_of(row: TunerTrial) -> FinishedTrialRecord:
    """A stored trial as the study loop reads it back."""
    score = None
    if row.score is not None:
        interval = None
        if row.score_low is not None and row.score_high is not None:
            interval = (row.score_low, row.score_high)
        repeats = max(1, len(row.repeat_scores))
        score = TrialScore(
            score=row.score,
            score_ci95=interval,
            repeat_scores=tuple(row.repeat_scores),
            cases=row.cases,
            latency_p50_ms=row.latency_p50_ms,
            cost_usd=row.cost_usd,
            cost_per_repeat_usd=row.cost_usd / repeats,
        )
    return FinishedTrialRecord(
        number=row.number,
        kind=cast(TrialKind, row.kind),
        state=cast(TrialState, row.state),
        point=dict(row.point),
        effective=dict(row.effective),
        fingerprint=row.fingerprint,
        score=score,
        values=tuple(row.values),
        partial=row.partial,
        calls=row.calls,
        cost_usd=row.cost_usd,
        error=row.error,
        eval_run_id=row.eval_run_id,
    )


def _setup(run: TunerRun) -> RunSetup:
    return RunSetup(
        run_id=run.id,
        owner_id=run.owner_id,
        name=run.name,
        suite_id=run.suite_id,
        suite_version_id=run.suite_version_id,
        suite_name=run.suite_name,
        suite_version=run.suite_version,
        profile=run.profile,
        target=dict(run.target),
        space=dict(run.space),
        validated_space=dict(run.validated_space),
        strategy=dict(run.strategy),
        objective=dict(run.objective),
        stopping=dict(run.stopping),
        budget=dict(run.budget),
        vendor_preset_id=run.vendor_preset_id,
        concurrency=run.concurrency,
        estimate=dict(run.estimate),
        merged_points=run.merged_points,
        active_s=run.active_s or 0.0,
    )


async def start_run(ctx: ServiceContext, run_id: str) -> RunSetup:
    """Mark the run running and load its finished trials. A trial an earlier attempt left
    running (the worker died under it) is dropped with its trial run: it runs again."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        run = await repository.get_run(session, owner_id, run_id)
        if run is None:
            raise NotFoundError("The tuner run was deleted.")
        run.status = "running"
        run.started_at = run.started_at or utcnow()
        run.finished_at, run.error, run.stop_reason = None, None, None
        rows = await repository.trials_of(session, owner_id, run_id)
        unfinished = [row for row in rows if row.state == "running"]
        await repository.delete_trials(session, run_id, [row.id for row in unfinished])
        # Totals follow the kept trials (an unfinished trial's spend stays in the ledger).
        kept = [row for row in rows if row.state != "running"]
        setup = _setup(run)
        setup.finished = [record_of(row) for row in kept]
        run.trials_done = sum(1 for r in setup.finished if not is_empty_stop(r))
        run.calls_used = sum(row.calls for row in kept)
        run.cost_usd = sum(row.cost_usd for row in kept)
        dropped = [row.eval_run_id for row in unfinished if row.eval_run_id]
    if dropped:
        await eval_trials.delete_trial_runs(ctx, run_id, only=dropped)
    return setup


async def finish_run(
    ctx: ServiceContext,
    run_id: str,
    status: str,
    stop_reason: str | None,
    error: str | None = None,
    merged_points: int | None = None,
) -> None:
    async with ctx.unit() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            return
        run.status, run.stop_reason, run.error = status, stop_reason, error
        if merged_points is not None:
            run.merged_points = merged_points
        run.finished_at = utcnow()


def _follow(run: TunerRun, status: str, error: str | None) -> None:
    run.status, run.error = status, error or run.error
    run.finished_at = run.finished_at or utcnow()


def _status_after(ending_status: JobStatus, run: TunerRun) -> str | None:
    """A cancelled tuner run ends its job interrupted (so it can be resumed): it stays
    cancelled."""
    if ending_status is JobStatus.INTERRUPTED and run.stop_reason == CANCELLED:
        return None if run.status == CANCELLED else CANCELLED
    return run_status_after(ending_status, run.status)


async def run_follows_job(ctx: ServiceContext, ending: JobEnding) -> None:
    """`on_ended` of the tune job: in the unit that ends the job, its run follows it."""
    async with ctx.unit() as session:
        run = await repository.get_run(session, ctx.require_owner(), str(ending.params["run_id"]))
        if run is None or run.job_id != ending.job_id:
            return
        status = _status_after(ending.status, run)
        if status is not None:
            error = UNFINISHED_BY_DONE_JOB if ending.status is JobStatus.DONE else ending.error
            _follow(run, status, None if status == CANCELLED else error)


async def repair_runs(ctx: ServiceContext) -> int:
    """At start-up: runs still marked active whose job has ended take its final state; runs
    whose job is gone fail. Returns how many."""
    repaired = 0
    async with ctx.unit() as session:
        runs = await repository.active_runs(session)
        job_ids = [run.job_id for run in runs if run.job_id]
        present = await job_repository.statuses_of(session, job_ids)
        endings = await job_repository.endings_of(session, job_ids, lock=True)
        for run in runs:
            ending = endings.get(run.job_id or "")
            state = repaired_run_state(run.status, ending, run.job_id in present)
            if state is not None:
                _follow(run, *state)
                repaired += 1
    return repaired


async def describe_tune_jobs(
    ctx: ServiceContext, jobs: Sequence[tuple[str, Mapping[str, Any]]]
) -> dict[str, JobLabel]:
    """What the jobs list calls a tune job, and its run page."""
    run_of = run_ids_of(jobs)
    if not run_of:
        return {}
    async with ctx.read() as session:
        names = await repository.run_names(session, set(run_of.values()))
    return {
        job_id: JobLabel(f"Tuner: {names[run_id]}", f"/tuning/runs/{run_id}")
        for job_id, run_id in run_of.items()
        if run_id in names
    }
