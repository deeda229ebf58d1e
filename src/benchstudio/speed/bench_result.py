"""What a whole run produced; `BenchResult.to_json()` is the documented output schema."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from benchstudio.speed.config import BenchConfig
from benchstudio.speed.diagnostics import Diagnostics, lane_of, run_diagnostics
from benchstudio.speed.metrics import RequestMetrics
from benchstudio.speed.results import SloTargets, summary_block
from benchstudio.speed.spend import exact_spend
from benchstudio.speed.steps import StepResult


@dataclass(slots=True)
class BenchResult:
    """Everything a run produced; `to_json()` is the documented output schema."""

    run_id: str
    config: BenchConfig
    steps: list[StepResult]
    status: str
    stop_reason: str | None
    started_at: str
    finished_at: str
    wall_s: float
    environment: dict[str, Any]
    slo_search: list[dict[str, Any]] = field(default_factory=list)
    # The cost cap's bounded spend (charged inside the window); None without `max_cost`.
    tracked_spend_usd: float | None = None

    @property
    def records(self) -> list[RequestMetrics]:
        return [r for step in self.steps for r in step.records]

    def diagnostics(self) -> Diagnostics:
        """Run-level: each lane's steps one after another, lanes side by side (`lane_of`)."""
        config = self.config.public_dict()
        return run_diagnostics(
            (lane_of(config, step.target), step.diagnostics)
            for step in self.steps
            if step.skipped_reason is None
        )

    def slo(self) -> SloTargets | None:
        return SloTargets(**self.config.slo) if self.config.slo else None

    def to_json(self) -> dict[str, Any]:
        slo = self.slo()
        diagnostics = self.diagnostics()
        # Rates over the measured windows, never the setup (prompts, tokenizer, connections).
        measured_s = diagnostics.wall_s
        data: dict[str, Any] = {
            "schema": "benchstudio.bench/1",
            "run_id": self.run_id,
            "status": self.status,
            "stop_reason": self.stop_reason,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "config": self.config.public_dict(),
            "environment": self.environment,
            "diagnostics": diagnostics.to_dict(),
            "summary": summary_block(self.records, wall_s=measured_s, run_id=self.run_id, slo=slo),
            "spend": exact_spend(self.records, self.tracked_spend_usd),
            "requests": [r.to_dict() for r in self.records],
        }
        if len(self.steps) > 1 or self.slo_search:
            data["steps"] = [step.to_dict(self.run_id, slo) for step in self.steps]
        if self.slo_search:
            data["slo_search"] = self.slo_search
        return data


def environment_info() -> dict[str, Any]:
    import os
    import platform

    from benchstudio import __version__

    return {
        "benchstudio": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "event_loop": type(asyncio.get_running_loop()).__module__.split(".")[0],
        "clock": "time.perf_counter_ns (monotonic)",
        "percentiles": "linear interpolation (numpy 'linear', Hyndman-Fan type 7)",
    }
