"""Summary figures against the simulator: throughput over the measured window, run-level
diagnostics of sequential steps, and estimates that count exactly what the timing log saw."""

from __future__ import annotations

import time
from typing import Any

import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.output import estimate_run
from benchstudio.speed.preparation import PreparedTarget
from benchstudio.speed.runner import BenchRunner

SETUP_PAUSE_S = 0.3


def _target(sim: SimulatorServer, **fields: Any) -> TargetConfig:
    return TargetConfig(base_url=f"{sim.base_url}/v1", model="m", **fields)


def _rate_over(rate: float, count: int, rounded_s: float) -> bool:
    """`rate` is `count` over a window printed as `rounded_s` (4 decimals, rate to 4 too)."""
    low, high = count / (rounded_s + 5e-5), count / (rounded_s - 5e-5)
    return low - 5e-5 <= rate <= high + 5e-5


def _server_span_s(sim: SimulatorServer) -> float:
    log = sim.request_log()
    first = min(r["request_read_ns"] for r in log)
    last = max(e["t_ns"] for r in log for e in r["events"])
    return (last - first) / 1e9


async def test_single_step_throughput_is_over_the_measured_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A slow setup (as building prompts or loading a tokenizer is) must not dilute the rate.
    prepared_at: list[float] = []
    original = BenchRunner.prepare

    def slow_prepare(self: BenchRunner, *args: Any) -> PreparedTarget:
        time.sleep(SETUP_PAUSE_S)
        prepared = original(self, *args)
        prepared_at.append(time.perf_counter())
        return prepared

    monkeypatch.setattr(BenchRunner, "prepare", slow_prepare)
    config = SimulatorConfig(default=ModelProfile(ttft_ms=5, itl_ms=1, output_tokens=8))
    async with SimulatorServer(config) as sim:
        bench = BenchConfig(targets=[_target(sim)], concurrency=4, num_requests=40, warmup=0)
        result = await BenchRunner(bench).run()
        finished_at = time.perf_counter()
        span = _server_span_s(sim)
    data = result.to_json()
    summary, diagnostics = data["summary"], data["diagnostics"]
    window = diagnostics["wall_s"]
    # The window holds every request the server saw and starts after the setup ended.
    assert span <= window <= finished_at - prepared_at[0]
    assert result.wall_s >= window + SETUP_PAUSE_S
    assert summary["duration_s"] == window
    assert summary["successful"] == 40
    assert _rate_over(summary["request_throughput"], 40, window)
    assert summary["request_throughput"] == diagnostics["achieved_rate"]
    assert _rate_over(summary["output_token_throughput"], summary["output_tokens"], window)


async def test_three_tiers_report_one_worker_and_the_sequential_rate() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=2, itl_ms=1, output_tokens=4))
    async with SimulatorServer(config) as sim:
        bench = BenchConfig(
            targets=[_target(sim)], runs=4, warmup=1, context_tokens=[0, 300, 600], max_tokens=8
        )
        data = (await BenchRunner(bench).run()).to_json()
        log = sim.request_log()
    steps = data["steps"]
    walls = [s["diagnostics"]["wall_s"] for s in steps]
    diagnostics = data["diagnostics"]
    assert len(log) == 3 * (1 + 4)
    assert diagnostics["workers"] == 1
    assert diagnostics["wall_s"] == pytest.approx(sum(walls), abs=1e-3)
    # Warm-ups are sent but are not part of a step's measured window or its count.
    assert _rate_over(diagnostics["achieved_rate"], 12, diagnostics["wall_s"])
    for step in steps:
        assert _rate_over(step["summary"]["request_throughput"], 4, step["summary"]["duration_s"])
        assert step["diagnostics"]["achieved_rate"] == step["summary"]["request_throughput"]
    assert _rate_over(data["summary"]["request_throughput"], 12, data["summary"]["duration_s"])
    assert data["summary"]["duration_s"] == diagnostics["wall_s"]


def _estimate(bench: BenchConfig) -> int:
    return sum(e.requests for e in estimate_run(bench))


MODES: list[dict[str, Any]] = [
    {"runs": 3, "warmup": 2, "context_tokens": [0, 500, 4000]},
    {"concurrency": 3, "num_requests": 7, "warmup": 2, "context_tokens": [0, 4000]},
    {"sweep_concurrency": [1, 2], "num_requests": 5, "warmup": 1},
    {"request_rate": 200.0, "num_requests": 6, "warmup": 0, "context_tokens": [0, 500]},
    {
        "request_rate": 200.0,
        "num_requests": 4,
        "warmup": 1,
        "slo": {"ttft_ms": 10_000.0},
        "slo_search": True,
    },
]


@pytest.mark.parametrize("mode", MODES, ids=lambda m: ",".join(sorted(m)))
async def test_estimate_counts_exactly_the_requests_sent(mode: dict[str, Any]) -> None:
    # A 2,000-token window: the 4,000-token tier is skipped, and nothing of it is sent.
    config = SimulatorConfig(default=ModelProfile(ttft_ms=1, itl_ms=0, output_tokens=2))
    async with SimulatorServer(config) as sim:
        targets = [_target(sim, name="a", context_window=2000), _target(sim, name="b")]
        bench = BenchConfig(targets=targets, max_tokens=8, **mode)
        result = await BenchRunner(bench).run()
        sent = len(sim.request_log())
    assert result.status == "completed"
    if bench.slo_search:  # the search stops early when the ceiling passes: an upper bound
        assert sent == 2 * (1 + 4)  # per target: one warm-up, one probe of 4 requests
        assert _estimate(bench) == 2 * (1 + 7 * 4)
        assert not any(e.exact for e in estimate_run(bench))
        return
    assert _estimate(bench) == sent
    assert all(e.exact for e in estimate_run(bench))
    per_target = {e.target: e.requests for e in estimate_run(bench)}
    recorded = {name: 0 for name in per_target}
    for record in result.records:
        recorded[record.extra["target"]] += 1
    if bench.mode == "profile":  # profile warm-ups are recorded too: every request is a row
        assert per_target == recorded
