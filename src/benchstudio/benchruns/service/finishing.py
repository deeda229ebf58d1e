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
