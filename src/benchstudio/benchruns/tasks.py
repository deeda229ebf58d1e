"""The `benchmark` job: a measuring child process, batched writes, throttled live events.

The parent loop receives per-request records from the child, stores them every `BATCH_S`
with one Core bulk insert inside `JobContext.record_unit` (persist, then publish), and sends
`benchmark_result` events (at most `RESULT_EVENTS_PER_S` per job), per-target
`benchmark_aggregate` updates and progress with an ETA. Cancel stops the child cooperatively
and keeps every stored request; a child that dies fails the job with its partial results.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.benchruns import repository
from benchstudio.benchruns.child_pipe import FrameReader, open_reader
from benchstudio.benchruns.child_processes import child_context
from benchstudio.benchruns.domain import EventThrottle, row_from_record, step_name_of
from benchstudio.benchruns.finishing import conclude_run
from benchstudio.benchruns.measuring import ChildJob, Message, child_main
from benchstudio.catalog.service import CatalogContext, provider_access
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError
from benchstudio.core.redaction import redact
from benchstudio.core.stats import percentile
from benchstudio.credentials.service import ProviderAccess, Vault, VaultError
from benchstudio.jobs.context import JobCancelledError, JobContext
from benchstudio.jobs.domain import JobEstimate
from benchstudio.jobs.registry import JobType
from benchstudio.speed.config import BenchConfig
from benchstudio.storage.unit_of_work import read_unit, write_unit

BENCHMARK_JOB_TYPE = "benchmark"
RESULT_EVENT = "benchmark_result"
AGGREGATE_EVENT = "benchmark_aggregate"
STEP_EVENT = "benchmark_step"
BATCH_S = 0.25
RESULT_EVENTS_PER_S = 10.0
AGGREGATE_INTERVAL_S = 1.0
CHILD_EXIT_WAIT_S = 10.0
BENCHMARK_TIMEOUT_S = 24 * 3600.0


class MeasuringProcessError(RuntimeError):
    """The measuring child failed or died; the requests it finished are kept."""


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
    done_requests: int = 0
    # Rows kept from earlier attempts, and requests this attempt's child has finished (some
    # may not be records yet): progress counts whichever is further along.
    kept_requests: int = 0
    finished_requests: int = 0
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
        for kind, data in messages:
            if kind == "batch":
                records.extend(data["records"])
                new_steps.extend(data["steps"])
            elif kind == "progress":
                finished = max(finished, int(data["finished"]))
            elif kind == "done":
                done = data
            elif kind == "error":
                failure = str(data.get("message") or "unknown error")
        moved = finished > self.finished_requests
        self.finished_requests = finished
        if records or new_steps:
            await self._store(records, new_steps)
        elif moved and self.expected:
            await self.ctx.progress(*self._progress())
        if failure is not None:
            raise MeasuringProcessError(f"The measuring process failed: {failure}")
        return done

    async def _store(self, records: list[dict[str, Any]], new_steps: list[dict[str, Any]]) -> None:
        rows = [row_from_record(r) for r in records]
        self.steps.extend(new_steps)
        steps = list(self.steps)
        events = self._events(records, new_steps)

        async def write(session: AsyncSession) -> None:
            await repository.insert_requests(session, self.run_id, rows)
            await repository.set_run_fields(session, self.run_id, steps=steps)

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

    def _progress(self) -> tuple[float, str]:
        done = max(self.done_requests, self.kept_requests + self.finished_requests)
        percent = min(99.0, 100.0 * done / self.expected) if self.expected else 0.0
        return percent, f"{done} of ~{self.expected} requests"

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
        if record.get("warmup"):
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


@dataclass
class _Received:
    messages: list[Message]
    ended: bool  # the child closed its end: nothing more will come


class _Child:
    """The measuring process and its two pipes."""

    def __init__(self, job: ChildJob, name: str) -> None:
        context = child_context()
        self._messages, child_out = context.Pipe(duplex=False)
        child_stop, self._stop = context.Pipe(duplex=False)
        self.process = context.Process(
            target=child_main, args=(job, child_out, child_stop), name=name
        )
        self.process.start()
        # Drop our copies of the child's ends: then EOF means "the child is gone".
        child_out.close()
        child_stop.close()
        self.stop_sent = False
        self._transport: asyncio.BaseTransport | None = None
        self._reader: FrameReader | None = None

    async def open(self) -> None:
        """Read the pipe in the event loop itself: no thread per job polling it."""
        self._transport, self._reader = await open_reader(self._messages)

    async def collect(self, window_s: float) -> _Received:
        """Messages arriving within `window_s` (returns early on the child's last message)."""
        reader = self._reader
        assert reader is not None, "open() first"
        loop = asyncio.get_running_loop()
        found: list[Message] = []
        deadline = loop.time() + window_s
        while True:
            found.extend(reader.take())
            if any(kind in ("done", "error") for kind, _ in found):
                return _Received(found, False)
            if reader.ended:
                return _Received(found, True)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return _Received(found, False)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reader.arrived.wait(), remaining)

    def stop(self) -> None:
        if not self.stop_sent:
            self.stop_sent = True
            with contextlib.suppress(OSError):
                self._stop.send("stop")

    async def reap(self) -> None:
        self.stop()
        await asyncio.to_thread(self.process.join, CHILD_EXIT_WAIT_S)
        if self.process.is_alive():
            self.process.kill()
            await asyncio.to_thread(self.process.join, CHILD_EXIT_WAIT_S)
        if self._transport is not None:
            self._transport.close()
        else:
            self._messages.close()
        self._stop.close()


async def _follow(pump: ResultPump, child: _Child) -> dict[str, Any]:
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
    child = _Child(job, f"benchmark-{pump.run_id}")
    try:
        await child.open()
        return await _follow(pump, child)
    finally:
        await child.reap()


@dataclass
class _Prepared:
    config: BenchConfig
    providers: dict[str, str]
    finished_steps: list[str]
    steps: list[dict[str, Any]]
    kept_requests: int


async def _prepare(ctx: JobContext, run_id: str) -> _Prepared:
    """Mark the run running; on a resumed attempt keep finished steps, drop partial ones."""
    async with write_unit(ctx.database) as session:
        run = await repository.get_run(session, ctx.owner_id, run_id)
        if run is None:
            raise AppError("The benchmark run no longer exists.", code="run_deleted")
        steps = list(run.steps or []) if ctx.attempt > 1 else []
        finished = [str(s["name"]) for s in steps]
        await repository.delete_rows_outside_steps(session, run_id, finished)
        run.steps = steps
        run.status = "running"
        run.job_id = ctx.job_id
        run.started_at = run.started_at or utcnow()
        run.finished_at = None
        targets = (await repository.targets_of(session, [run_id]))[run_id]
        providers = {t.target_key: t.provider_id for t in targets if t.provider_id}
        config = BenchConfig.model_validate(run.config)
        kept = await repository.count_rows(session, run_id)
    return _Prepared(config, providers, finished, steps, kept)


async def _check_stored(ctx: JobContext, run_id: str, done: Mapping[str, Any], kept: int) -> None:
    """The child's last word says how many records it finished: all of them must be stored."""
    finished = done.get("records")
    async with read_unit(ctx.database) as session:
        stored = await repository.count_rows(session, run_id) - kept
    if finished is None or int(finished) != stored:
        raise MeasuringProcessError(
            f"The measuring process finished {finished} requests but {stored} were stored; "
            "the stored requests are kept."
        )


async def _provider_access(
    ctx: JobContext, providers: Mapping[str, str]
) -> dict[str, ProviderAccess]:
    """Each target's provider, key decrypted here: the child never holds the vault's keys."""
    catalog = CatalogContext(ctx.database, Vault(ctx.settings.vault_key_list()), ctx.settings)
    try:
        return {
            target: await provider_access(catalog, ctx.owner_id, provider_id)
            for target, provider_id in providers.items()
        }
    except (AppError, VaultError) as exc:  # e.g. archived since submit: fail the run, say why
        raise MeasuringProcessError(redact(f"{type(exc).__name__}: {exc}")[:500]) from exc


async def run_benchmark(ctx: JobContext) -> Mapping[str, Any]:
    """Job handler: measure in a child process, store per request, summarise at the end."""
    from benchstudio.benchruns.planning import child_config

    run_id = str(ctx.params["run_id"])
    prepared = await _prepare(ctx, run_id)
    pump = ResultPump(ctx, run_id, int(ctx.params.get("planned_requests") or 0))
    pump.steps, pump.done_requests = prepared.steps, prepared.kept_requests
    pump.kept_requests = prepared.kept_requests
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
        )
        done = await _measure(pump, job)
        await _check_stored(ctx, run_id, done, prepared.kept_requests)
    except MeasuringProcessError as exc:
        await conclude_run(
            ctx.database,
            ctx.owner_id,
            run_id,
            "failed",
            error=str(exc),
            fallback_wall_s=time.monotonic() - started,
        )
        raise
    status = "cancelled" if ctx.cancelled else str(done["status"])
    totals = await conclude_run(
        ctx.database,
        ctx.owner_id,
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
