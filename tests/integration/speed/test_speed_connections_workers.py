"""Connections opened before the measured window (or not, with `cold`), and `--workers` steps.

A counting proxy between the runner and the simulator is the connection truth: how many
connections were accepted before the window (the runner's last call before the window is
its gate, used here as the marker) and inside it, and which request each one carried first.
The simulator's timing log confirms every request reached it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from benchstudio.cli.bench_cmd import app
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from benchstudio.speed.bench_result import BenchResult
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.connections import rate_connections
from benchstudio.speed.launch import run_workers
from benchstudio.speed.metrics import RequestMetrics
from benchstudio.speed.runner import BenchRunner
from connection_proxy import CountingProxy

PROFILE = ModelProfile(ttft_ms=5, itl_ms=1, output_tokens=4)


async def _run(
    proxy: CountingProxy, expect_ready: int, **settings: Any
) -> tuple[BenchResult, list[int]]:
    """Run through the proxy; returns the result and the accepted count at each window start."""
    target = TargetConfig(base_url=f"{proxy.base_url}/v1", model="m")
    runner = BenchRunner(BenchConfig(targets=[target], **settings))
    at_window: list[int] = []

    async def gate() -> None:
        at_window.append(await proxy.settled(expect_ready))

    runner.connections.gate = gate
    return await runner.run(), at_window


def _measured(result: BenchResult) -> list[RequestMetrics]:
    """The measured requests: load-mode warm-ups are kept as records too, marked `warmup`."""
    return [r for r in result.records if not r.extra.get("warmup")]


def _joined(sim: SimulatorServer, result: BenchResult) -> None:
    for record in result.records:
        assert sim.find_request(record.request_id) is not None


@pytest.mark.parametrize("warmup", [0, 1])
async def test_by_default_no_connection_opens_inside_the_window(warmup: int) -> None:
    async with (
        SimulatorServer(SimulatorConfig(default=PROFILE)) as sim,
        CountingProxy(sim.port) as proxy,
    ):
        result, at_window = await _run(
            proxy, 16, concurrency=16, num_requests=48, warmup=warmup, max_tokens=4
        )
        assert at_window == [16]  # the warm-up's connection is one of the 16
        assert proxy.accepted - at_window[0] == 0  # none opened inside the window
        measured = _measured(result)
        assert len(measured) == 48
        assert [r.connect_ms for r in measured] == [0.0] * 48
        assert all(r.ok for r in result.records)
        _joined(sim, result)


async def test_cold_opens_one_connection_per_stream_inside_the_window() -> None:
    async with (
        SimulatorServer(SimulatorConfig(default=PROFILE)) as sim,
        CountingProxy(sim.port) as proxy,
    ):
        result, at_window = await _run(
            proxy, 1, concurrency=16, num_requests=48, warmup=1, max_tokens=4, cold=True
        )
        # The warm-up's connection was opened before, then closed: the window starts cold.
        assert at_window == [1]
        assert proxy.accepted - at_window[0] == 16
        measured = _measured(result)
        connected = {r.request_id for r in measured if r.connect_ms}
        # Exactly the first request on each connection the window opened paid the connect.
        window_connections = proxy.connections[at_window[0] :]
        assert connected == {c.request_ids()[0] for c in window_connections}
        assert len(connected) == 16
        assert all(r.connect_ms == 0.0 for r in measured if r.request_id not in connected)
        _joined(sim, result)
        dumped = [r for r in result.to_json()["requests"] if not r["warmup"]]
        assert sum(1 for r in dumped if r["connect_ms"]) == 16


async def test_rate_mode_opens_the_estimated_connections_ahead() -> None:
    expected = rate_connections(50.0, 1.0, max_in_flight=4, num_requests=20)
    assert expected == 4
    async with (
        SimulatorServer(SimulatorConfig(default=PROFILE)) as sim,
        CountingProxy(sim.port) as proxy,
    ):
        result, at_window = await _run(
            proxy, expected, request_rate=50.0, num_requests=20, max_in_flight=4, warmup=0
        )
        assert at_window == [expected]
        # At most 4 in flight over 4 warm connections: nothing new inside the window.
        assert proxy.accepted == expected
        assert [r.connect_ms for r in result.records] == [0.0] * 20
        _joined(sim, result)


@pytest.mark.parametrize("cold", [False, True])
async def test_profile_tiers_start_with_one_connection_unless_cold(cold: bool) -> None:
    async with (
        SimulatorServer(SimulatorConfig(default=PROFILE)) as sim,
        CountingProxy(sim.port) as proxy,
    ):
        target = TargetConfig(base_url=f"{proxy.base_url}/v1", model="m")
        config = BenchConfig(targets=[target], runs=3, warmup=0, max_tokens=4, cold=cold)
        result = await BenchRunner(config).run()
        assert proxy.accepted == 1
        connects = [r.connect_ms for r in result.records]
        assert connects[1:] == [0.0, 0.0]
        assert (connects[0] or 0) > 0 if cold else connects[0] == 0.0
        _joined(sim, result)


def _steps(result: BenchResult) -> dict[str, Any]:
    return {step.name: step for step in result.steps}


def test_workers_sweep_concurrency_steps_by_configured_point(
    threaded_simulator: SimulatorServer,
) -> None:
    target = TargetConfig(base_url=f"{threaded_simulator.base_url}/v1", model="m")
    config = BenchConfig(
        targets=[target], sweep_concurrency=[1, 5], num_requests=20, workers=2, max_tokens=8
    )
    result = run_workers(config)
    steps = _steps(result)
    # Not c=3 and c=2 (each worker's share): one step per configured point.
    assert list(steps) == ["m@0:c=1", "m@0:c=5"]
    assert [steps[n].concurrency for n in steps] == [1, 5]
    measured = {n: [r for r in steps[n].records if not r.extra.get("warmup")] for n in steps}
    assert [len(measured[n]) for n in steps] == [20, 20]
    # c=1 is one stream: one worker sends it, the other has no share.
    assert [steps[n].diagnostics.workers for n in steps] == [1, 2]
    for name, step in steps.items():
        assert {r.extra["step"] for r in step.records} == {name}
    assert len({r.request_id for r in _measured(result)}) == 40
    for record in result.records:
        assert threaded_simulator.find_request(record.request_id) is not None
    assert result.to_json()["environment"]["workers"] == 2


def test_workers_sweep_rate_steps_by_configured_rate(
    threaded_simulator: SimulatorServer,
) -> None:
    target = TargetConfig(base_url=f"{threaded_simulator.base_url}/v1", model="m")
    config = BenchConfig(
        targets=[target], sweep_rate=[20.0, 40.0], num_requests=10, workers=2, max_tokens=8
    )
    steps = _steps(run_workers(config))
    assert list(steps) == ["m@0:rate=20.0", "m@0:rate=40.0"]
    for name, rate in (("m@0:rate=20.0", 20.0), ("m@0:rate=40.0", 40.0)):
        step = steps[name]
        assert step.mode == "rate"
        assert step.request_rate == rate
        assert len([r for r in step.records if not r.extra.get("warmup")]) == 10
        assert step.diagnostics.workers == 2
        assert step.diagnostics.requested_rate == pytest.approx(rate)  # rate/2 from each
        assert len(step.diagnostics.dispatch_lag_ms) == 10


@pytest.mark.parametrize("cold", [False, True])
def test_the_cli_cold_flag_reaches_the_records(
    threaded_simulator: SimulatorServer, tmp_path: Path, cold: bool
) -> None:
    out = tmp_path / "r.json"
    args = [
        "--base-url",
        f"{threaded_simulator.base_url}/v1",
        "--model",
        "m",
        "--concurrency",
        "3",
        "--num-requests",
        "9",
        "--warmup",
        "1",
        "--output",
        str(out),
        "--quiet",
        *(["--cold"] if cold else []),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["config"]["cold"] is cold
    connects = [r["connect_ms"] for r in data["requests"] if not r["warmup"]]
    assert len(connects) == 9
    assert sum(1 for c in connects if c) == (3 if cold else 0)
    assert all(c is not None and c >= 0 for c in connects)
