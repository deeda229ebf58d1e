"""Timing agreement: adapter first-token timestamps vs the simulator's own timing log.

The simulator runs in a child process and logs `time.perf_counter_ns()` when it writes each SSE
event; on Linux that clock is the system-wide monotonic clock, so both sides are comparable.
For each request (one at a time: low load) this prints how much later the adapter stamped the
first token than the simulator wrote it. Goal: within 2 ms.

    .venv/bin/python benchmarks/providers_timing_agreement.py [--requests 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
from typing import Any

import aiohttp

from benchstudio.core.net import EgressPolicy, create_egress_session
from benchstudio.providers.base import TOKEN_KINDS, ChatRequest, StreamEvent
from benchstudio.providers.factory import create_adapter

GOAL_MS = 2.0
SIM_TOKEN_KINDS = {"content", "reasoning", "tool"}
SERVER_CODE = """
import asyncio, sys
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
async def main():
    profile = ModelProfile(ttft_ms=20, itl_ms=5, jitter_ms=2, output_tokens=20, reasoning_tokens=3)
    async with SimulatorServer(SimulatorConfig(default=profile)) as sim:
        print(sim.base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
asyncio.run(main())
"""


async def sim_record(session: aiohttp.ClientSession, base_url: str, rid: str) -> dict[str, Any]:
    async with session.get(f"{base_url}/_sim/requests", params={"request_id": rid}) as resp:
        page = await resp.json()
    items: list[dict[str, Any]] = page["items"]
    return items[0]


def gaps_ms(events: list[StreamEvent], record: dict[str, Any]) -> list[float]:
    """Per token event: adapter timestamp minus simulator write timestamp (ms)."""
    ours = [e.t_ns for e in events if e.kind in TOKEN_KINDS]
    theirs = [e["t_ns"] for e in record["events"] if e["kind"] in SIM_TOKEN_KINDS]
    if len(ours) != len(theirs):
        raise SystemExit(f"event count mismatch: {len(ours)} vs {len(theirs)}")
    return [(a - b) / 1e6 for a, b in zip(ours, theirs, strict=True)]


async def run(base_url: str, protocol: str, requests: int) -> tuple[list[float], list[float]]:
    first: list[float] = []
    every: list[float] = []
    async with create_egress_session(EgressPolicy.from_allow_list("dev")) as session:
        base = base_url + ("/v1" if protocol == "openai" else "")
        adapter = create_adapter(protocol, base, "sk-bench", session=session)
        for index in range(requests + 1):
            request = ChatRequest("m", [{"role": "user", "content": "hello"}])
            events = [e async for e in adapter.stream(request)]
            record = await sim_record(session, base_url, request.request_id)
            gaps = gaps_ms(events, record)
            if index > 0:  # the first request warms the connection
                first.append(gaps[0])
                every.extend(gaps)
    return first, every


def describe(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(ordered):6.3f}  p95 {p95:6.3f}  max {ordered[-1]:6.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER_CODE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    base_url = proc.stdout.readline().strip()
    print(f"{args.requests} sequential requests per protocol; adapter stamp minus simulator write")
    try:
        for protocol in ("openai", "anthropic", "gemini"):
            first, every = asyncio.run(run(base_url, protocol, args.requests))
            p95 = sorted(first)[int(0.95 * (len(first) - 1))]
            verdict = "meets" if p95 <= GOAL_MS else "MISSES"
            print(
                f"{protocol:<9} first token: {describe(first)}  (goal p95 <= {GOAL_MS} ms: "
                f"{verdict})"
            )
            print(f"{'':<9} every token: {describe(every)}")
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
