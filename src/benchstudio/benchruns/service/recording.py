"""What the `benchmark` job writes while it measures: the attempt's start, each batch of
stored requests, and the count its last check compares with the child's. Recovery never
deletes a stored request: it only marks a remeasured step's earlier rows superseded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchstudio.benchruns import repository
from benchstudio.benchruns.domain.attempts import (
    CarriedStep,
    StoredPart,
    WindowReport,
    carried_steps,
    earlier_reports,
)
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError
from benchstudio.speed.config import BenchConfig
from benchstudio.storage.service_context import ServiceContext

# A browser keeps at most this many live results (web `MAX_LIVE_RESULTS`): naming more
# superseded requests in the event would only make it bigger.
LIVE_SUPERSEDED_IDS = 2000


@dataclass
class Attempt:
    """A run as one attempt of its job starts it."""

    config: BenchConfig
    providers: dict[str, str]  # target key -> provider id
    finished_steps: list[str]
    steps: list[dict[str, Any]]
    kept_requests: int  # rows that count (superseded ones left out)
    stored_requests: int  # every stored row: what this attempt adds is checked against it
    # Unfinished profile steps: the run indices already stored (the child skips them).
    done_runs: dict[str, list[int]] = field(default_factory=dict)
    # Unfinished steps with stored rows: what the earlier attempts stored.
    carried: dict[str, CarriedStep] = field(default_factory=dict)
    # Request ids this start marked superseded (the last ones): the live view greys them.
    superseded: list[str] = field(default_factory=list)
    # Earlier attempts' last reports of the windows they left open (kept as stored).
    reports: list[WindowReport] = field(default_factory=list)


async def start_attempt(ctx: ServiceContext, run_id: str, *, job_id: str, attempt: int) -> Attempt:
    """Mark the run running. Nothing stored is deleted (it may have been published): finished
    steps are kept and skipped, an unfinished profile step continues from its stored requests,
    an unfinished load step is measured again with its earlier rows marked superseded."""
    async with ctx.unit() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            raise AppError("The benchmark run no longer exists.", code="run_deleted")
        steps = list(run.steps or []) if attempt > 1 else []
        finished = [str(s["name"]) for s in steps]
        superseded = await repository.supersede_unfinished(
            session, run_id, finished, name_last=LIVE_SUPERSEDED_IDS
        )
        parts = await repository.unfinished_step_rows(session, run_id, finished)
        done_runs = await repository.stored_run_indices(session, run_id, finished)
        run.steps = steps
        run.status = "running"
        run.job_id = job_id
        run.started_at = run.started_at or utcnow()
        run.finished_at = None
        targets = (await repository.targets_of(session, [run_id]))[run_id]
        providers = {t.target_key: t.provider_id for t in targets if t.provider_id}
        config = BenchConfig.model_validate(run.config)
        kept = await repository.count_rows(session, run_id, counted_only=True)
        stored = await repository.count_rows(session, run_id)
        reports = earlier_reports(run.open_windows, before=attempt) if attempt > 1 else []
    carried = carried_steps(
        [(p.step, StoredPart(p.attempt, p.rows, p.superseded, p.e2e_ms)) for p in parts],
        [r for r in reports if r.step not in finished],
    )
    return Attempt(
        config, providers, finished, steps, kept, stored, done_runs, carried, superseded, reports
    )


async def store_batch(
    ctx: ServiceContext,
    run_id: str,
    rows: Sequence[Mapping[str, Any]],
    steps: list[dict[str, Any]],
    open_windows: list[dict[str, Any]] | None = None,
) -> None:
    """Store a batch of request rows, the run's steps so far and (when given) the last reports
    of the windows left open (joined to the job's unit, so they commit with the batch's
    events)."""
    async with ctx.unit() as session:
        await repository.insert_requests(session, run_id, rows)
        fields: dict[str, Any] = {"steps": steps}
        if open_windows is not None:
            fields["open_windows"] = open_windows
        await repository.set_run_fields(session, run_id, **fields)


async def stored_requests(ctx: ServiceContext, run_id: str) -> int:
    async with ctx.read() as session:
        return await repository.count_rows(session, run_id)
