"""Start a run on the fastest event loop available, in one process or spread over several.

One core is not always enough to generate load faithfully: with `workers > 1` each worker
process runs its share of the load (concurrency, rate and request count divided) on its own
event loop and core, and the per-request records are merged into one result. Profile mode always
runs in one process (it sends one request at a time per target).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from benchstudio.core.clock import utcnow
from benchstudio.core.heap import frozen_heap
from benchstudio.speed.config import BenchConfig
from benchstudio.speed.runner import BenchResult, BenchRunner, StepResult, environment_info

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
    """The share of the load that worker `index` of `workers` generates."""

    def share(total: int | None) -> int | None:
        if total is None:
            return None
        return max(1, total // workers + (1 if index < total % workers else 0))

    update: dict[str, Any] = {
        "workers": 1,
        "run_id": f"{config.run_id}-w{index}",
        "concurrency": share(config.concurrency),
        "num_requests": share(config.num_requests),
        "max_in_flight": share(config.max_in_flight),
        "request_rate": None if config.request_rate is None else config.request_rate / workers,
        "sweep_concurrency": [share(c) for c in config.sweep_concurrency],
        "sweep_rate": [r / workers for r in config.sweep_rate],
        "warmup": config.warmup if index == 0 else 0,
    }
    return config.model_copy(update=update)


def _worker_main(config_json: str) -> tuple[list[StepResult], str | None]:
    config = BenchConfig.model_validate_json(config_json)
    result: BenchResult = run_in_loop(lambda: BenchRunner(config).run())
    return result.steps, result.stop_reason


def merge_steps(per_worker: list[list[StepResult]]) -> list[StepResult]:
    """Steps with the same name from every worker become one step (records concatenated)."""
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
    with ProcessPoolExecutor(config.workers, mp_context=get_context("spawn")) as pool:
        outcomes = list(pool.map(_worker_main, payloads))
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
