"""How faithfully does `benchstudio.speed` measure? Client figures vs the simulator's own log.

The simulator runs in a separate process (pinned to another core when possible) and logs, with
the same monotonic clock (CLOCK_MONOTONIC via time.perf_counter_ns), when it read each request
and when it wrote each SSE event. For each scenario we join our per-request records with that
log by X-Request-Id and print the errors next to the issue's goals:

- TTFT error = client TTFT - server TTFT (server: first token event written - request read);
- ITL error = client gap - server gap, per gap between token-bearing chunks;
- TPOT error = client TPOT - server TPOT;
- client CPU per streamed event, closed-loop ceiling, Poisson dispatch lag, CLI start to first
  request, and memory (base and per in-flight stream, each in a fresh process: speed_memory.py).

Run: `.venv/bin/python benchmarks/speed_accuracy.py [--quick]` (about a minute; ~25 s quick).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import numpy as np

from benchstudio.providers.base import ChatRequest
from benchstudio.speed.config import TargetConfig
from benchstudio.speed.engine import LoadShape, run_load
from benchstudio.speed.launch import new_event_loop
from benchstudio.speed.metrics import StreamTrace, compute_request_metrics
from benchstudio.speed.targets import build_adapter, http_session

SIM_MODELS = {
    "c1": {"ttft_ms": 50, "itl_ms": 5, "output_tokens": 64},
    "load": {"ttft_ms": 20, "itl_ms": 10, "output_tokens": 100},
    "multi": {"ttft_ms": 20, "itl_ms": 8, "output_tokens": 96, "tokens_per_chunk": 4},
    "reason": {"ttft_ms": 20, "itl_ms": 10, "output_tokens": 64, "reasoning_tokens": 32},
    "wide": {"ttft_ms": 30, "itl_ms": 40, "output_tokens": 50},
    "instant": {"ttft_ms": 0, "itl_ms": 0, "output_tokens": 16},
    "rate": {"ttft_ms": 5, "itl_ms": 2, "output_tokens": 8},
    "idle": {"ttft_ms": 10, "itl_ms": 300, "output_tokens": 40},
}
SIM_SCRIPT = """
import asyncio, json, sys
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
models = json.loads(sys.argv[1])
config = SimulatorConfig(
    default=ModelProfile(ttft_ms=10, itl_ms=1, output_tokens=8),
    models=[ModelProfile(name=name, **spec) for name, spec in models.items()],
    log_capacity=200000,
)
async def main():
    async with SimulatorServer(config) as sim:
        print(sim.base_url, flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""
TOKEN_KINDS = ("content", "reasoning", "tool")


@dataclass
class Scenario:
    name: str
    model: str
    concurrency: int | None = None
    rate: float | None = None
    requests: int = 64


def start_simulator() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SIM_SCRIPT, json.dumps(SIM_MODELS)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if (os.cpu_count() or 1) > 1:  # simulator on core 1, client on core 0
        os.sched_setaffinity(process.pid, {1})
        os.sched_setaffinity(0, {0})
    return process, base_url


def fetch_log(base_url: str) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    offset = 0
    while True:
        with urllib.request.urlopen(f"{base_url}/_sim/requests?offset={offset}&limit=1000") as r:
            page = json.load(r)
        for item in page["items"]:
            records[item["request_id"]] = item
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return records


def clear_log(base_url: str) -> None:
    request = urllib.request.Request(f"{base_url}/_sim/requests", method="DELETE")
    urllib.request.urlopen(request).close()


def errors_against_log(
    traces: list[StreamTrace], log: dict[str, dict[str, Any]], output_tokens: int, warm_after: int
) -> dict[str, list[float]]:
    ttft: list[float] = []
    itl: list[float] = []
    tpot: list[float] = []
    warm: list[float] = []
    upload: list[float] = []
    delivery: list[float] = []
    for position, trace in enumerate(sorted(traces, key=lambda t: t.sent_ns)):
        record = log.get(trace.request_id)
        if record is None or trace.error is not None or not len(trace.chunk_ns):
            continue
        events = [e for e in record["events"] if e["kind"] in TOKEN_KINDS and e["tokens"] > 0]
        times = [e["t_ns"] for e in events]
        read = record["request_read_ns"]
        ttft.append((trace.chunk_ns[0] - trace.sent_ns - (times[0] - read)) / 1e6)
        if position >= warm_after:
            warm.append(ttft[-1])
        upload.append((read - trace.sent_ns) / 1e6)
        delivery.append((trace.chunk_ns[0] - times[0]) / 1e6)
        if len(times) == len(trace.chunk_ns):
            client_gaps = np.diff(np.asarray(trace.chunk_ns, dtype=np.int64))
            server_gaps = np.diff(np.asarray(times, dtype=np.int64))
            itl.extend(((client_gaps - server_gaps) / 1e6).tolist())
        metrics = compute_request_metrics(trace)
        if metrics.tpot_ms is not None and output_tokens > 1:
            server_tpot = (times[-1] - times[0]) / 1e6 / (output_tokens - 1)
            tpot.append(metrics.tpot_ms - server_tpot)
    return {
        "ttft": ttft,
        "itl": itl,
        "tpot": tpot,
        "warm": warm,
        "upload": upload,
        "delivery": delivery,
    }


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def show(label: str, value: float, goal: str, unit: str = "ms") -> None:
    print(f"  {label:<44} {value:>10.3f} {unit:<6} goal: {goal}")


async def run_scenario(adapter: Any, scenario: Scenario) -> tuple[list[StreamTrace], Any, float]:
    messages = [{"role": "user", "content": "Tell me a story."}]

    def make(index: int) -> ChatRequest:
        return ChatRequest(model=scenario.model, messages=messages, max_tokens=4096)

    shape = LoadShape(
        concurrency=scenario.concurrency,
        rate=scenario.rate,
        num_requests=scenario.requests,
        arrival="poisson",
    )
    cpu0 = time.process_time()
    traces, diagnostics = await run_load(adapter, make, shape, run_id=scenario.name)
    return traces, diagnostics, time.process_time() - cpu0


async def accuracy(adapter: Any, base_url: str, quick: bool) -> None:
    scale = 0.5 if quick else 1.0
    scenarios = [
        (
            Scenario("c=1, 1-token chunks", "c1", concurrency=1, requests=int(30 * scale)),
            "TTFT p50 <= 0.5, p99 <= 3; ITL p99 <= 3",
        ),
        (
            Scenario("c=64, ~6k events/s", "load", concurrency=64, requests=int(256 * scale)),
            "TTFT must p50 <= 2, p99 <= 20 (aim 1/10); ITL p99 <= 8",
        ),
        (
            Scenario("c=16, 4-token chunks", "multi", concurrency=16, requests=int(96 * scale)),
            "as c=64",
        ),
        (
            Scenario("c=16, reasoning first", "reason", concurrency=16, requests=int(96 * scale)),
            "as c=64",
        ),
        (
            Scenario("c=256, ~6k events/s", "wide", concurrency=256, requests=int(512 * scale)),
            "as c=64",
        ),
    ]
    for scenario, goal in scenarios:
        clear_log(base_url)
        traces, diagnostics, cpu_s = await run_scenario(adapter, scenario)
        log = fetch_log(base_url)
        tokens = SIM_MODELS[scenario.model]["output_tokens"] + SIM_MODELS[scenario.model].get(
            "reasoning_tokens", 0
        )
        errors = errors_against_log(traces, log, int(tokens), scenario.concurrency or 0)
        events = sum(len(t.chunk_ns) + 3 for t in traces)  # + role, usage, [DONE]
        failed = sum(1 for t in traces if t.error is not None)
        info = diagnostics.to_dict()
        print(
            f"\n{scenario.name}: {len(traces)} requests, {failed} failed, "
            f"{events / diagnostics.wall_s:.0f} events/s, client CPU {info['client_cpu_share']}, "
            f"loop lag p99 {info['event_loop_lag_ms']['p99']} ms, goal {goal}"
        )
        show("TTFT error p50", pct(errors["ttft"], 50), "<= 0.5 (c=1) / <= 2 (load)")
        show("TTFT error p99", pct(errors["ttft"], 99), "<= 3 (c=1) / <= 20 (load)")
        show("  same, warm connections: p50", pct(errors["warm"], 50), "")
        show("  same, warm connections: p99", pct(errors["warm"], 99), "")
        show("  of which sent -> server read p50", pct(errors["upload"], 50), "")
        show("  of which token written -> client p50", pct(errors["delivery"], 50), "")
        show("  of which token written -> client p99", pct(errors["delivery"], 99), "")
        show(
            "ITL error p99 (|client gap - server gap|)",
            pct([abs(x) for x in errors["itl"]], 99),
            "<= 3 (c=1) / <= 8 (c=64)",
        )
        show("TPOT error p99 (|.|)", pct([abs(x) for x in errors["tpot"]], 99), "<= 0.1")
        show("client CPU per streamed event", cpu_s / max(events, 1) * 1e6, "<= 20", "us")


async def ceiling(adapter: Any, quick: bool) -> None:
    scenario = Scenario("closed loop", "instant", concurrency=64, requests=1500 if quick else 4000)
    traces, diagnostics, _ = await run_scenario(adapter, scenario)
    ok = sum(1 for t in traces if t.error is None)
    print(f"\nclosed-loop ceiling, 16-token instant streams, c=64 ({ok}/{len(traces)} ok):")
    show("requests per second", ok / diagnostics.wall_s, ">= 1500", "req/s")


async def dispatch(adapter: Any, quick: bool) -> None:
    print("\nPoisson dispatch lag (actual - scheduled send):")
    for rate, goal in ((100.0, "<= 3"), (400.0, "<= 20")):
        count = int(rate * (3 if quick else 6))
        scenario = Scenario(f"rate {rate}", "rate", rate=rate, requests=count)
        _, diagnostics, _ = await run_scenario(adapter, scenario)
        info = diagnostics.to_dict()
        show(
            f"p99 at {rate:.0f} req/s (achieved {info['achieved_rate']:.0f}/s)",
            info["dispatch_lag_ms"]["p99"],
            goal,
        )


def memory() -> None:
    """Memory needs a fresh process per measurement (RSS never shrinks back after a scenario),
    so it is measured by `benchmarks/speed_memory.py`, run here once."""
    print("\nmemory (benchmarks/speed_memory.py --repeat 1, fresh process per measurement):")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "speed_memory.py")
    subprocess.run([sys.executable, script, "--repeat", "1"], check=False)


def cli_start(base_url: str) -> None:
    started = time.perf_counter_ns()
    subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "benchstudio"),
            "bench",
            "--base-url",
            f"{base_url}/v1",
            "--model",
            "rate",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--quiet",
        ],
        check=True,
        capture_output=True,
    )
    log = fetch_log(base_url)
    first = min(r["request_read_ns"] for r in log.values() if r["request_read_ns"] > started)
    print("\nCLI:")
    show("start to first request read by the server", (first - started) / 1e9, "<= 1", "s")


async def main(quick: bool) -> None:
    process, base_url = start_simulator()
    try:
        target = TargetConfig(base_url=f"{base_url}/v1", model="c1")
        async with http_session() as session:
            adapter = build_adapter(target, session)
            await accuracy(adapter, base_url, quick)
            await ceiling(adapter, quick)
            await dispatch(adapter, quick)
        clear_log(base_url)
        cli_start(base_url)
        memory()
    finally:
        process.terminate()
        process.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests per scenario")
    arguments = parser.parse_args()
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(main(arguments.quick))
