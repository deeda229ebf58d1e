"""Start a run on the fastest event loop available, in one process or spread over several.

One core is not always enough to generate load faithfully: with `workers > 1` each worker
process runs its share of every load point (`BenchConfig.load_share`: concurrency, rate and
request count divided) on its own event loop and core. Its steps keep the configured point's
name (`c=5`, `rate=20.0`) and figures, the workers wait for each other before every measured
window (a barrier), and steps of one name merge into one: records concatenated, diagnostics
merged as parallel windows. Profile mode always runs in one process (it sends one request at a
time per target), and so does an SLO search (each probe depends on the previous one's result).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from multiprocessing.connection import Connection
from typing import Any

from benchstudio.core.clock import utcnow
from benchstudio.core.heap import frozen_heap
from benchstudio.core.parent_watch import exit_with_parent, lifeline
from benchstudio.speed.bench_result import BenchResult, environment_info
from benchstudio.speed.config import BenchConfig
from benchstudio.speed.runner import BenchRunner
from benchstudio.speed.steps import StepResult

RunFunction = Callable[[BenchRunner, bool], Awaitable[BenchResult]]


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed (less client overhead per event), else asyncio's default loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run_in_loop(coroutine_factory: Callable[[], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        return await coroutine_factory()

    # No collector pause walking the loaded modules inside a measured request.
    with frozen_heap(), asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main())


def worker_config(config: BenchConfig, index: int, workers: int) -> BenchConfig:
    """Worker `index` of `workers`: the configured load points, and which share it sends.

    Load points stay as configured (steps are named after them); the runner sends this
    worker's share of each (`BenchConfig.load_share`). Only worker 0 warms up; the cost cap is
    split evenly, so the workers together stop near the configured cap.
    """
    update: dict[str, Any] = {
        "workers": workers,
        "worker_index": index,
        "run_id": f"{config.run_id}-w{index}",
        "warmup": config.warmup if index == 0 else 0,
        "max_cost": None if config.max_cost is None else config.max_cost / workers,
        "max_requests": _share(config.max_requests, index, workers),
    }
    return config.model_copy(update=update)


def _share(total: int | None, index: int, workers: int) -> int | None:
    """Worker `index`'s share of a request limit: the shares add up to exactly `total`."""
    if total is None:
        return None
    return total // workers + (1 if index < total % workers else 0)


# The step barrier of the run this worker process belongs to, and how long to wait at it
# (set by `_init_worker`).
_STEP_BARRIER: threading.Barrier | None = None
_STEP_WAIT_S = 0.0


def _init_worker(barrier: threading.Barrier, wait_s: float, parent: Connection) -> None:
    """A pool worker's set-up: its run's step barrier, and its end with the parent's (a worker
    blocked on its call queue, or measuring, would outlive a `kill -9` of the CLI forever)."""
    global _STEP_BARRIER, _STEP_WAIT_S
    _STEP_BARRIER, _STEP_WAIT_S = barrier, wait_s
    exit_with_parent(parent)


def step_gate(barrier: Any, timeout_s: float) -> Callable[[], Awaitable[None]]:
    """Wait (off the event loop) until every worker reached the same step's window.

    A worker that ends early aborts the barrier (see `_worker_main`): the others then go on
    without waiting rather than hang. A timeout breaks it the same way.
    """

    async def gate() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            await asyncio.to_thread(barrier.wait, timeout_s)

    return gate


def _worker_main(config_json: str) -> tuple[list[StepResult], str | None]:
    config = BenchConfig.model_validate_json(config_json)
    runner = BenchRunner(config)
    barrier = _STEP_BARRIER
    if barrier is not None:
        runner.connections.gate = step_gate(barrier, _STEP_WAIT_S)
    try:
        result: BenchResult = run_in_loop(runner.run)
    finally:
        if barrier is not None:
            barrier.abort()
    return result.steps, result.stop_reason


def merge_steps(per_worker: list[list[StepResult]]) -> list[StepResult]:
    """Steps with the same name from every worker become one step: records concatenated,
    diagnostics merged as parallel windows (a worker with no share adds nothing)."""
    merged: dict[str, StepResult] = {}
    for steps in per_worker:
        for step in steps:
            current = merged.get(step.name)
            if current is None:
                merged[step.name] = step
                continue
            current.records.extend(step.records)
            current.wall_s = max(current.wall_s, step.wall_s)
            current.diagnostics = current.diagnostics.merge(step.diagnostics)
    return list(merged.values())


def run_workers(config: BenchConfig) -> BenchResult:
    """Spread a load run over `config.workers` processes and merge their results."""
    from benchstudio.core.ids import new_id

    config = config.model_copy(update={"run_id": config.run_id or new_id()})
    started, wall0 = utcnow(), time.perf_counter()
    payloads = [
        worker_config(config, i, config.workers).model_dump_json() for i in range(config.workers)
    ]
    context = get_context("spawn")
    barrier = context.Barrier(config.workers)
    # Workers drift apart by at most a step's last request, plus worker 0's warm-ups (the
    # others wait for them at the first barrier): a slower worker is not a broken one.
    wait_s = 60 + config.timeout_s * (1 + config.warmup)
    with ProcessPoolExecutor(
        config.workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(barrier, wait_s, lifeline()),
    ) as pool:
        try:
            outcomes = list(pool.map(_worker_main, payloads))
        except BaseException:
            barrier.abort()  # a worker died: the others must not wait for it at a barrier
            raise
    steps = merge_steps([steps for steps, _ in outcomes])
    reasons = [reason for _, reason in outcomes if reason]
    environment = run_in_loop(_environment)
    environment["workers"] = config.workers
    return BenchResult(
        run_id=config.run_id,
        config=config,
        steps=steps,
        status="stopped" if reasons else "completed",
        stop_reason=reasons[0] if reasons else None,
        started_at=started.isoformat(),
        finished_at=utcnow().isoformat(),
        wall_s=time.perf_counter() - wall0,
        environment=environment,
    )


async def _environment() -> dict[str, Any]:
    return environment_info()


def run_benchmark(config: BenchConfig, run: RunFunction, *, quiet: bool) -> dict[str, Any]:
    """Run `config` and return the results JSON (the documented schema)."""
    if config.workers > 1 and config.mode != "profile":
        return run_workers(config).to_json()
    runner = BenchRunner(config)
    result: BenchResult = run_in_loop(lambda: run(runner, quiet))
    return result.to_json()
