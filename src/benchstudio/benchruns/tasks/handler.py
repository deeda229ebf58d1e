"""The `benchmark` job: a measuring child process, batched writes, throttled live events.

The parent loop receives per-request records from the child, stores them every `BATCH_S`
with one Core bulk insert inside `JobContext.record_unit` (persist, then publish), and sends
`benchmark_result` events (at most `RESULT_EVENTS_PER_S` per job), per-target
`benchmark_aggregate` updates and progress with an ETA. Cancel stops the child cooperatively
and keeps every stored request. A child that dies (signal, out of memory, an exception)
interrupts the job with its partial results, so a resume measures the rest; only what a
resume cannot fix (the run's provider gone, its key unreadable) fails it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.benchruns.domain import (
    BENCHMARK_JOB_TYPE,
    EventThrottle,
    outcome_of,
    row_from_record,
    step_name_of,
)
from benchstudio.benchruns.domain.attempts import (
    CarriedStep,
    WindowReport,
    stored_reports,
    with_attempts,
)
from benchstudio.benchruns.service import recording
from benchstudio.benchruns.service.finishing import conclude_run
from benchstudio.benchruns.service.planning import child_config
from benchstudio.benchruns.tasks.child_processes import CHILD_EXIT_WAIT_S, MeasuringChild
from benchstudio.benchruns.tasks.measuring import ChildJob, Message
from benchstudio.catalog.service import CatalogContext, provider_access
from benchstudio.core.errors import AppError
from benchstudio.core.redaction import redact
from benchstudio.core.stats import percentile
from benchstudio.credentials.service import ProviderAccess, Vault, VaultError
from benchstudio.jobs.context import JobCancelledError, JobContext, ResumableError
from benchstudio.jobs.domain import JobEstimate
from benchstudio.jobs.registry import JobType
from benchstudio.speed.diagnostics import WindowSoFar
from benchstudio.storage.service_context import ServiceContext

RESULT_EVENT = "benchmark_result"
AGGREGATE_EVENT = "benchmark_aggregate"
STEP_EVENT = "benchmark_step"
SUPERSEDED_EVENT = "benchmark_superseded"
BATCH_S = 0.25
RESULT_EVENTS_PER_S = 10.0
AGGREGATE_INTERVAL_S = 1.0
BENCHMARK_TIMEOUT_S = 24 * 3600.0


class MeasuringProcessError(ResumableError):
    """The measuring child failed or died; the requests it finished are kept (resumable)."""


class BenchmarkSetupError(AppError):
    """The run cannot start as configured (its provider archived, its key unreadable): a
    resume would hit the same wall, so the job fails."""

    code = "benchmark_setup"


def benchmark_estimate(params: Mapping[str, Any]) -> JobEstimate:
    """What the job system checks the limits on (the service puts the plan's figures here)."""
    cost = params.get("estimated_cost_usd")
    return JobEstimate(
        requests=int(params.get("planned_requests") or 0),
        cost_usd=None if cost is None else float(cost),
        unpriced=tuple(str(m) for m in params.get("unpriced_models") or ()),
    )


@dataclass
class _TargetLive:
    requests: int = 0
    errors: int = 0
    values: dict[str, list[float]] = field(
        default_factory=lambda: {
            "ttft_ms": [],
            "tpot_ms": [],
            "e2e_ms": [],
            "output_tokens_per_s": [],
        }
    )


@dataclass
class ResultPump:
    """Stores what the child sends and publishes throttled events about it."""

    ctx: JobContext
    run_id: str
    expected: int
    # The count is known (no duration, no SLO search): "40 of 120", not "40 of ~120".
    exact: bool = False
    done_requests: int = 0
    # Rows kept from earlier attempts, and requests this attempt's child has finished (some
    # may not be records yet): progress counts whichever is further along.
    kept_requests: int = 0
    finished_requests: int = 0
    # This attempt's number (stored on each row) and what earlier ones stored for the steps
    # they left unfinished: a step that spans attempts lists them all (`with_attempts`).
    attempt: int = 1
    carried: dict[str, CarriedStep] = field(default_factory=dict)
    # The windows the child reports open (by step), stored with the earlier attempts' last
    # reports so that an interruption keeps each cut-short window's diagnostics.
    reports: list[WindowReport] = field(default_factory=list)
    windows: dict[str, WindowSoFar] = field(default_factory=dict)
    _step_rows: dict[str, int] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    throttle: EventThrottle = field(default_factory=lambda: EventThrottle(RESULT_EVENTS_PER_S))
    live: dict[str, _TargetLive] = field(default_factory=dict)
    _changed: set[str] = field(default_factory=set)
    _last_aggregate: float = 0.0

    async def handle(self, messages: Sequence[Message]) -> dict[str, Any] | None:
        records: list[dict[str, Any]] = []
        new_steps: list[dict[str, Any]] = []
        done: dict[str, Any] | None = None
        failure: str | None = None
        finished = self.finished_requests
        reported = False
        for kind, data in messages:
            if kind == "batch":
                records.extend(data["records"])
                new_steps.extend(data["steps"])
            elif kind == "progress":
                finished = max(finished, int(data["finished"]))
            elif kind == "window":
                for name, report in data["steps"].items():
                    self.windows.setdefault(str(name), WindowSoFar()).apply(report)
                reported = True
            elif kind == "done":
                done = data
            elif kind == "error":
                failure = str(data.get("message") or "unknown error")
        moved = finished > self.finished_requests
        self.finished_requests = finished
        if records or new_steps or reported:
            await self._store(records, new_steps, reported)
        elif moved and self.expected:
            await self.ctx.progress(*self._progress())
        if failure is not None:
            raise MeasuringProcessError(f"The measuring process failed: {failure}")
        return done

    async def _store(
        self, records: list[dict[str, Any]], new_steps: list[dict[str, Any]], reported: bool
    ) -> None:
        rows = [{**row_from_record(r), "attempt": self.attempt} for r in records]
        for row in rows:
            self._step_rows[row["step"]] = self._step_rows.get(row["step"], 0) + 1
        self.steps.extend(self._merged(step) for step in new_steps)
        steps = list(self.steps)
        closed = [s["name"] for s in new_steps if self.windows.pop(str(s["name"]), None)]
        windows = self._open_windows() if reported or closed else None
        events = self._events(records, new_steps)

        owner = ServiceContext.for_owner(self.ctx.database, self.ctx.owner_id)

        async def write(session: AsyncSession) -> None:  # in the unit that stores the events
            await recording.store_batch(
                owner.with_session(session), self.run_id, rows, steps, windows
            )

        self.done_requests += len(records)
        percent, detail = self._progress()
        cost = sum(float(r.get("cost_usd") or 0.0) for r in records)  # warm-ups are paid too
        await self.ctx.record_unit(
            write,
            events,
            percent=percent if self.expected else None,
            detail=detail,
            charge_usd=cost,
        )

    def _open_windows(self) -> list[dict[str, Any]]:
        """Earlier attempts' reports as stored, then this attempt's windows still open (a
        finished step's window is in its metadata instead)."""
        mine = [
            {"step": name, "attempt": self.attempt, "diagnostics": window.to_dict()}
            for name, window in self.windows.items()
        ]
        return [*stored_reports(self.reports), *mine]

    def _merged(self, step: dict[str, Any]) -> dict[str, Any]:
        carried = self.carried.get(str(step["name"]))
        if carried is None:
            return step
        rows = self._step_rows.get(str(step["name"]), 0)
        return with_attempts(step, carried, attempt=self.attempt, rows=rows)

    def _progress(self) -> tuple[float, str]:
        done = max(self.done_requests, self.kept_requests + self.finished_requests)
        percent = min(99.0, 100.0 * done / self.expected) if self.expected else 0.0
        about = "" if self.exact else "~"
        return percent, f"{done} of {about}{self.expected} requests"

    def _events(
        self, records: list[dict[str, Any]], new_steps: list[dict[str, Any]]
    ) -> list[tuple[str, Mapping[str, Any]]]:
        events: list[tuple[str, Mapping[str, Any]]] = []
        now = time.monotonic()
        for record in records:
            self._track(record)
            if self.throttle.allow(now):
                events.append((RESULT_EVENT, result_event(self.run_id, record)))
        for step in new_steps:
            data = {"run_id": self.run_id, "name": step["name"], "target": step["target"]}
            events.append((STEP_EVENT, {**data, "skipped_reason": step.get("skipped_reason")}))
        if self._changed and (now - self._last_aggregate >= AGGREGATE_INTERVAL_S or new_steps):
            self._last_aggregate = now
            events.extend((AGGREGATE_EVENT, self._aggregate(key)) for key in sorted(self._changed))
            self._changed.clear()
        return events

    def _track(self, record: Mapping[str, Any]) -> None:
        # Warm-ups and requests the stop cut short (cancelled) are not measured requests.
        if record.get("warmup") or outcome_of(record) == "cancelled":
            return
        key = str(record.get("target"))
        live = self.live.setdefault(key, _TargetLive())
        live.requests += 1
        self._changed.add(key)
        if record.get("error"):
            live.errors += 1
            return
        for name, values in live.values.items():
            value = record.get(name)
            if value is not None:
                values.append(float(value))

    def _aggregate(self, key: str) -> dict[str, Any]:
        live = self.live[key]
        data: dict[str, Any] = {
            "run_id": self.run_id,
            "target": key,
            "requests": live.requests,
            "errors": live.errors,
        }
        for name, values in live.values.items():
            value = percentile(values, 50)
            data[f"{name}_p50"] = None if value is None else round(value, 3)
        return data


def result_event(run_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
    error = record.get("error")
    return {
        "run_id": run_id,
        "target": record.get("target"),
        "step": step_name_of(record),
        "request_id": record.get("request_id"),
        "warmup": bool(record.get("warmup")),
        "ttft_ms": record.get("ttft_ms"),
        "tpot_ms": record.get("tpot_ms"),
        "e2e_ms": record.get("e2e_ms"),
        "output_tokens": record.get("output_tokens"),
        "output_tokens_per_s": record.get("output_tokens_per_s"),
        "error": None if not error else error.get("category"),
    }


async def _follow(pump: ResultPump, child: MeasuringChild) -> dict[str, Any]:
    while True:
        if pump.ctx.cancelled:
            child.stop()  # the child stops its requests and reports what it has
        received = await child.collect(BATCH_S)
        done = await pump.handle(received.messages)
        if done is not None:
            return done
        if received.ended:
            await asyncio.to_thread(child.process.join, CHILD_EXIT_WAIT_S)
            raise MeasuringProcessError(
                "The measuring process stopped unexpectedly "
                f"(exit code {child.process.exitcode}); the requests it finished are kept."
            )


async def _measure(pump: ResultPump, job: ChildJob) -> dict[str, Any]:
    child = MeasuringChild(job, f"benchmark-{pump.run_id}")
    try:
        await child.open()
        return await _follow(pump, child)
    finally:
        await child.reap()


async def _check_stored(
    ctx: ServiceContext, run_id: str, done: Mapping[str, Any], kept: int
) -> None:
    """The child's last word says how many records it finished: all of them must be stored
    (`kept`: every row stored before this attempt, superseded ones included)."""
    finished = done.get("records")
    stored = await recording.stored_requests(ctx, run_id) - kept
    if finished is None or int(finished) != stored:
        raise MeasuringProcessError(
            f"The measuring process finished {finished} requests but {stored} were stored; "
            "the stored requests are kept."
        )


async def _provider_access(
    ctx: JobContext, providers: Mapping[str, str]
) -> dict[str, ProviderAccess]:
    """Each target's provider, key decrypted here: the child never holds the vault's keys."""
    vault = Vault(ctx.settings.vault_key_list())
    catalog = CatalogContext.from_settings(ctx.database, vault, ctx.settings, owner_id=ctx.owner_id)
    try:
        return {
            target: await provider_access(catalog, provider_id)
            for target, provider_id in providers.items()
        }
    except (AppError, VaultError) as exc:  # e.g. archived since submit: fail the run, say why
        reason = exc.message if isinstance(exc, AppError) else redact(f"{exc}")[:400]
        raise BenchmarkSetupError(
            f"{reason} This cannot be resumed: fix the provider and start a new run."
        ) from exc


async def run_benchmark(ctx: JobContext) -> Mapping[str, Any]:
    """Job handler: measure in a child process, store per request, summarise at the end."""
    run_id = str(ctx.params["run_id"])
    bench = ServiceContext.for_owner(ctx.database, ctx.owner_id)
    prepared = await recording.start_attempt(bench, run_id, job_id=ctx.job_id, attempt=ctx.attempt)
    planned = int(ctx.params.get("planned_requests") or 0)
    pump = ResultPump(ctx, run_id, planned, exact=bool(ctx.params.get("planned_requests_exact")))
    pump.steps, pump.done_requests = prepared.steps, prepared.kept_requests
    pump.kept_requests = prepared.kept_requests
    pump.attempt, pump.carried = ctx.attempt, prepared.carried
    pump.reports = prepared.reports
    if prepared.superseded:  # results a browser may show: kept, but no longer counted
        event = {"run_id": run_id, "request_ids": prepared.superseded}
        await ctx.record_unit(None, [(SUPERSEDED_EVENT, event)])
    started = time.monotonic()
    try:
        # The owner's limits, enforced on what the child actually sends.
        budget, kept = ctx.budget, pump.kept_requests
        config = child_config(prepared.config).within(
            None if budget.max_requests is None else max(0, budget.max_requests - kept),
            budget.max_cost_usd,
        )
        job = ChildJob(
            config_json=config.model_dump_json(),
            access=await _provider_access(ctx, prepared.providers),
            overrides=dict(ctx.params.get("overrides") or {}),
            finished_steps=tuple(prepared.finished_steps),
            done_runs={step: tuple(runs) for step, runs in prepared.done_runs.items()},
        )
        done = await _measure(pump, job)
        await _check_stored(bench, run_id, done, prepared.stored_requests)
    except (MeasuringProcessError, BenchmarkSetupError) as exc:
        await conclude_run(
            bench,
            run_id,
            "interrupted" if isinstance(exc, ResumableError) else "failed",
            error=str(exc),
            fallback_wall_s=time.monotonic() - started,
        )
        raise
    status = "cancelled" if ctx.cancelled else str(done["status"])
    totals = await conclude_run(
        bench,
        run_id,
        status,
        done=done,
        fallback_wall_s=time.monotonic() - started,
    )
    if status == "cancelled":
        raise JobCancelledError
    tracked = done.get("tracked_spend_usd")
    return {"run_id": run_id, "status": status, **totals, "tracked_spend_usd": tracked}


BENCHMARK_JOB = JobType(
    BENCHMARK_JOB_TYPE,
    run_benchmark,
    timeout_s=BENCHMARK_TIMEOUT_S,
    estimate=benchmark_estimate,
)
