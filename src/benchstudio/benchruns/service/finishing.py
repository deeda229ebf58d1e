"""The end of a run: summaries from the stored rows (core.stats), cached with their version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from benchstudio.benchruns import repository
from benchstudio.benchruns.domain import SUMMARY_VERSION, record_from_row
from benchstudio.benchruns.domain.results_import import totals_of
from benchstudio.benchruns.domain.summaries import compute_summaries
from benchstudio.benchruns.models import BenchmarkRun
from benchstudio.benchruns.tasks.child_processes import in_summary_worker
from benchstudio.core.clock import utcnow
from benchstudio.jobs import repository as job_repository
from benchstudio.jobs.domain import (
    UNFINISHED_BY_DONE_JOB,
    JobEnding,
    JobStatus,
    repaired_run_state,
    run_status_after,
)
from benchstudio.storage.service_context import ServiceContext


def run_wall_s(run: BenchmarkRun, fallback: float | None = None) -> float:
    if run.wall_s is not None:
        return float(run.wall_s)
    if fallback is not None:
        return fallback
    return float(sum(float(s.get("wall_s") or 0.0) for s in run.steps or []))


async def load_records(ctx: ServiceContext, run_id: str) -> list[dict[str, Any]]:
    """A run's stored requests as records (the caller has checked the run is the owner's)."""
    async with ctx.read() as session:
        rows = await repository.request_rows(session, run_id)
        return [record_from_row(row) for row in rows]


async def live_summaries(ctx: ServiceContext, run: BenchmarkRun) -> dict[str, Any]:
    """Summaries of a run still going (or ended without a cache): computed now, not stored."""
    records = await load_records(ctx, run.id)
    return await in_summary_worker(
        compute_summaries,
        run.run_key,
        records,
        list(run.steps or []),
        wall_s=run_wall_s(run),
        config=run.config,
    )


async def conclude_run(
    ctx: ServiceContext,
    run_id: str,
    status: str,
    *,
    done: Mapping[str, Any] | None = None,
    error: str | None = None,
    fallback_wall_s: float | None = None,
) -> dict[str, Any]:
    """Write the final status and the cached summaries; returns the run's totals."""
    async with ctx.read() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            return {}
        steps, run_key, config = list(run.steps or []), run.run_key, dict(run.config)
    records = await load_records(ctx, run_id)
    wall_s = float(done["wall_s"]) if done else (fallback_wall_s or 0.0)
    summaries = await in_summary_worker(
        compute_summaries, run_key, records, steps, wall_s=wall_s, config=config
    )
    totals = totals_of(records)
    fields: dict[str, Any] = {
        "status": status,
        "finished_at": utcnow(),
        "wall_s": wall_s,
        "summary": summaries,
        "summary_version": SUMMARY_VERSION,
        "request_count": totals["requests"],
        "error_count": totals["errors"],
        "cost_usd": totals["cost_usd"],
        "error": error,
    }
    if done is not None:
        fields.update(
            stop_reason=done.get("stop_reason"),
            environment=dict(done.get("environment") or {}),
            diagnostics=dict(done.get("diagnostics") or {}),
            slo_search=list(done.get("slo_search") or []),
        )
    async with ctx.unit() as session:
        await repository.set_run_fields(session, run_id, **fields)
    return totals


async def _follow(ctx: ServiceContext, run: BenchmarkRun, status: str, error: str | None) -> None:
    """The run takes its job's final state; what it stored is what it kept (measured
    requests and errors counted as `conclude_run` counts them)."""
    async with ctx.unit() as session:
        kept, errors, _ = await repository.run_totals(session, run.id)
        await repository.set_run_fields(
            session,
            run.id,
            status=status,
            error=error or run.error,
            finished_at=run.finished_at or utcnow(),
            request_count=kept,
            error_count=errors,
        )


async def run_follows_job(ctx: ServiceContext, ending: JobEnding) -> None:
    """`on_ended` of the benchmark job: in the unit that ends the job, its run follows it."""
    async with ctx.unit() as session:
        run = await repository.get_run(session, ctx.require_owner(), str(ending.params["run_id"]))
    if run is None or run.job_id != ending.job_id:
        return
    status = run_status_after(ending.status, run.status)
    if status is not None:
        error = UNFINISHED_BY_DONE_JOB if ending.status is JobStatus.DONE else ending.error
        await _follow(ctx, run, status, error)


async def repair_runs(ctx: ServiceContext) -> int:
    """At start-up: runs still marked active whose job has ended (a process died between the
    two writes) take its final state; runs whose job is gone fail. Returns how many."""
    repaired = 0
    async with ctx.unit() as session:
        runs = await repository.active_runs(session)
        job_ids = [run.job_id for run in runs if run.job_id]
        present = await job_repository.statuses_of(session, job_ids)
        endings = await job_repository.endings_of(session, job_ids, lock=True)
        joined = ctx.with_session(session)
        for run in runs:
            ending = endings.get(run.job_id or "")
            state = repaired_run_state(run.status, ending, run.job_id in present)
            if state is not None:
                await _follow(joined, run, *state)
                repaired += 1
    return repaired
