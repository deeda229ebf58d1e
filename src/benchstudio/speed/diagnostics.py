"""Self-diagnosis: is the client itself distorting what it measures?

Recorded with every run: the client's CPU share (process CPU time over wall time, where 1.0 is
one full core), event-loop lag (how late a periodic timer wakes), dispatch lag (actual minus
scheduled send time in request-rate mode) and achieved versus requested rate. A run whose
client was overloaded (CPU share above 80% or loop-lag p99 above 5 ms) is not trustworthy.

Windows combine two ways: side by side (`merge`: worker processes, or targets measured at the
same time) and one after the other (`merge_sequential`: the steps of one target). A run's
figures come from `run_diagnostics`, which chains each lane's steps and sets lanes side by side;
`lane_of` says which steps share a lane.

A window still open can report itself (`DiagnosticWindow.progress`: its times so far and only
the lag samples new since its last report, so reports stay cheap for the measuring loop);
`WindowSoFar` adds the reports up elsewhere, so a step an interruption cuts short keeps its
client's health up to the last report.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from benchstudio.core.stats import percentile

CPU_SHARE_LIMIT = 0.80
LOOP_LAG_P99_LIMIT_MS = 5.0
LOOP_PROBE_INTERVAL_S = 0.005


class LoopLagMonitor:
    """Wakes every few milliseconds and records how late each wake-up was."""

    def __init__(self, interval_s: float = LOOP_PROBE_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self.lags_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _probe(self) -> None:
        loop = asyncio.get_running_loop()
        interval = self.interval_s
        lags = self.lags_ms
        deadline = loop.time() + interval
        while True:
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            now = loop.time()
            lags.append(max(0.0, (now - deadline) * 1000.0))
            deadline = max(deadline + interval, now)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._probe())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


@dataclass(slots=True)
class Diagnostics:
    """The client's health during one measured window."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    loop_lag_ms: list[float] = field(default_factory=list)
    dispatch_lag_ms: list[float] = field(default_factory=list)
    requested_rate: float | None = None
    completed: int = 0
    workers: int = 1

    @property
    def cpu_share(self) -> float | None:
        return self.cpu_s / self.wall_s if self.wall_s > 0 else None

    @property
    def achieved_rate(self) -> float | None:
        return self.completed / self.wall_s if self.wall_s > 0 else None

    @property
    def measured(self) -> bool:
        """False for a step that measured nothing (skipped, or finished by an earlier attempt)."""
        return self.wall_s > 0 or self.completed > 0

    def merge(self, other: Diagnostics, *, same_process: bool = False) -> Diagnostics:
        """Combine diagnostics of parallel windows: worker processes (their `workers` add up)
        or targets measured side by side in one process (`same_process`: one worker)."""
        return Diagnostics(
            wall_s=max(self.wall_s, other.wall_s),
            cpu_s=max(self.cpu_s, other.cpu_s),
            loop_lag_ms=self.loop_lag_ms + other.loop_lag_ms,
            dispatch_lag_ms=self.dispatch_lag_ms + other.dispatch_lag_ms,
            requested_rate=_sum_optional(self.requested_rate, other.requested_rate),
            completed=self.completed + other.completed,
            workers=(
                max(self.workers, other.workers) if same_process else self.workers + other.workers
            ),
        )

    def merge_sequential(self, other: Diagnostics) -> Diagnostics:
        """Combine diagnostics of windows run one after the other (the steps of one target):
        times add up, the requested rate is the time-weighted mean of the windows' rates (None
        unless every window had one), the same workers ran both."""
        wall_s = self.wall_s + other.wall_s
        requested: float | None = None
        if self.requested_rate is not None and other.requested_rate is not None and wall_s > 0:
            weighted = self.requested_rate * self.wall_s + other.requested_rate * other.wall_s
            requested = weighted / wall_s
        return Diagnostics(
            wall_s=wall_s,
            cpu_s=self.cpu_s + other.cpu_s,
            loop_lag_ms=self.loop_lag_ms + other.loop_lag_ms,
            dispatch_lag_ms=self.dispatch_lag_ms + other.dispatch_lag_ms,
            requested_rate=requested,
            completed=self.completed + other.completed,
            workers=max(self.workers, other.workers),
        )

    def untrustworthy_reasons(self) -> list[str]:
        """Why the client may have distorted its figures. Each limit is compared with the
        value as printed, so no message ever reads "5.0 ms above 5.0 ms"."""
        reasons = []
        cpu_share = self.cpu_share
        if cpu_share is not None and round(cpu_share * 100) > round(CPU_SHARE_LIMIT * 100):
            reasons.append(f"client CPU share {cpu_share:.0%} above {CPU_SHARE_LIMIT:.0%}")
        loop_p99 = percentile(self.loop_lag_ms, 99)
        if loop_p99 is not None and round(loop_p99, 1) > LOOP_LAG_P99_LIMIT_MS:
            reasons.append(
                f"event-loop lag p99 {loop_p99:.1f} ms above {LOOP_LAG_P99_LIMIT_MS:.1f} ms"
            )
        return reasons

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; `trustworthy` is None for a window that measured nothing."""
        loop_p99 = percentile(self.loop_lag_ms, 99)
        cpu_share = self.cpu_share
        reasons = self.untrustworthy_reasons()
        return {
            "trustworthy": (not reasons) if self.measured else None,
            "untrustworthy_reasons": reasons,
            "client_cpu_share": _r(cpu_share),
            "wall_s": _r(self.wall_s),
            "cpu_s": _r(self.cpu_s),
            "event_loop_lag_ms": {
                "p50": _r(percentile(self.loop_lag_ms, 50)),
                "p99": _r(loop_p99),
                "max": _r(max(self.loop_lag_ms, default=None)),
                "samples": len(self.loop_lag_ms),
            },
            "dispatch_lag_ms": {
                "p50": _r(percentile(self.dispatch_lag_ms, 50)),
                "p99": _r(percentile(self.dispatch_lag_ms, 99)),
                "max": _r(max(self.dispatch_lag_ms, default=None)),
                "samples": len(self.dispatch_lag_ms),
            },
            "requested_rate": self.requested_rate,
            "achieved_rate": _r(self.achieved_rate),
            "workers": self.workers,
        }


def lane_of(config: Mapping[str, Any], target: str) -> str:
    """Steps in one lane ran one after another; lanes ran side by side. Load modes run every
    step in turn (one lane); profile mode runs providers in parallel and the models of one
    provider in turn (each target its own lane with `parallel_models`). `config` is the
    run's configuration as recorded (`BenchConfig.public_dict()`)."""
    load_mode = any(
        config.get(key)
        for key in ("concurrency", "request_rate", "sweep_concurrency", "sweep_rate", "slo_search")
    )
    if load_mode:
        return ""
    if config.get("parallel_models"):
        return f"target:{target}"
    for item in config.get("targets") or []:
        if item.get("name") == target:
            base_url = str(item.get("base_url") or "").rstrip("/")
            return f"provider:{item.get('protocol') or 'openai'}:{base_url}"
    return f"target:{target}"


def run_diagnostics(steps: Iterable[tuple[str, Diagnostics]]) -> Diagnostics:
    """A run's diagnostics from its steps' (lane, diagnostics), in run order: each lane's
    windows merged one after another, the lanes side by side in one process. Steps that
    measured nothing are left out; with none left, the result has `measured` False."""
    lanes: dict[str, Diagnostics] = {}
    for lane, diagnostics in steps:
        if not diagnostics.measured:
            continue
        current = lanes.get(lane)
        lanes[lane] = diagnostics if current is None else current.merge_sequential(diagnostics)
    merged: Diagnostics | None = None
    for diagnostics in lanes.values():
        merged = diagnostics if merged is None else merged.merge(diagnostics, same_process=True)
    return merged or Diagnostics()


def measured_wall_s(steps: Iterable[tuple[str, float]]) -> float:
    """A run's measured time from its steps' (lane, wall time): the longest lane's sum."""
    lanes: dict[str, float] = {}
    for lane, wall_s in steps:
        lanes[lane] = lanes.get(lane, 0.0) + wall_s
    return max(lanes.values(), default=0.0)


def _sum_optional(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


class DiagnosticWindow:
    """Measures CPU and wall time plus loop lag between `start()` and `stop()`.

    `count` says how many requests the window has completed so far (for `progress`; without
    it, the caller keeps `diagnostics.completed` up to date)."""

    def __init__(
        self, requested_rate: float | None = None, *, count: Callable[[], int] | None = None
    ) -> None:
        self.diagnostics = Diagnostics(requested_rate=requested_rate)
        self._monitor = LoopLagMonitor()
        self._count = count
        self._wall0 = 0.0
        self._cpu0 = 0.0
        # Bumped by `restart`: a report after it starts the samples over.
        self._epoch = 0
        self._reported_epoch = -1
        self._sent_lags = 0
        self._sent_dispatch = 0

    def start(self) -> None:
        self._wall0 = time.perf_counter()
        self._cpu0 = time.process_time()
        self._monitor.start()

    def restart(self) -> None:
        """Start the window again from now (e.g. after warm-ups), keeping the lag probe."""
        self._wall0 = time.perf_counter()
        self._cpu0 = time.process_time()
        self._monitor.lags_ms.clear()
        self._epoch += 1

    def progress(self) -> dict[str, Any]:
        """The open window so far, JSON-ready: times and counts in full, lag samples only those
        new since the last report (`restart`: the receiver drops the ones it has)."""
        restart = self._reported_epoch != self._epoch
        if restart:
            self._reported_epoch, self._sent_lags, self._sent_dispatch = self._epoch, 0, 0
        lags, dispatch = self._monitor.lags_ms, self.diagnostics.dispatch_lag_ms
        report = {
            "restart": restart,
            "wall_s": time.perf_counter() - self._wall0,
            "cpu_s": time.process_time() - self._cpu0,
            "completed": self._count() if self._count else self.diagnostics.completed,
            "requested_rate": self.diagnostics.requested_rate,
            "workers": self.diagnostics.workers,
            "loop_lag_ms": lags[self._sent_lags :],
            "dispatch_lag_ms": dispatch[self._sent_dispatch :],
        }
        self._sent_lags, self._sent_dispatch = len(lags), len(dispatch)
        return report

    async def stop(self, completed: int) -> Diagnostics:
        await self._monitor.stop()
        self.diagnostics.wall_s = time.perf_counter() - self._wall0
        self.diagnostics.cpu_s = time.process_time() - self._cpu0
        self.diagnostics.loop_lag_ms = self._monitor.lags_ms
        self.diagnostics.completed = completed
        return self.diagnostics


@dataclass
class WindowSoFar:
    """An open window as its reports (`DiagnosticWindow.progress`) add up, in order."""

    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    _figures: dict[str, Any] | None = None

    def apply(self, report: Mapping[str, Any]) -> None:
        current = self.diagnostics
        if report.get("restart"):
            current.loop_lag_ms, current.dispatch_lag_ms = [], []
        current.loop_lag_ms.extend(float(v) for v in report.get("loop_lag_ms") or ())
        current.dispatch_lag_ms.extend(float(v) for v in report.get("dispatch_lag_ms") or ())
        current.wall_s = float(report.get("wall_s") or 0.0)
        current.cpu_s = float(report.get("cpu_s") or 0.0)
        current.completed = int(report.get("completed") or 0)
        rate = report.get("requested_rate")
        current.requested_rate = None if rate is None else float(rate)
        current.workers = int(report.get("workers") or 1)
        self._figures = None

    def to_dict(self) -> dict[str, Any]:
        """`Diagnostics.to_dict` of the window so far, computed once per report."""
        if self._figures is None:
            self._figures = self.diagnostics.to_dict()
        return self._figures
