"""The simulator in its own process pinned to core 1 (the measuring side on core 0), its timing
log (the server's truth, joined by request id), and the machine's load average.

Shared by the benchmark scripts that compare what a client measured with what the simulator
wrote: `SimulatorProcess(models)` starts it with named model profiles (a dict of
`ModelProfile` fields per name) and `fetch_log` / `clear_log` read and reset the log;
`benchstudio.simulator.truth_join` joins a log record with what a client measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from typing import Any

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
SIMULATOR_CORE, CLIENT_CORE = 1, 0


def pinning() -> bool:
    """Whether this machine has the two cores the benchmarks pin to."""
    return hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1


class SimulatorProcess:
    """`with SimulatorProcess(models) as sim:` — the simulator on core 1 and this process (and
    every process it starts afterwards) on core 0."""

    def __init__(self, models: dict[str, dict[str, Any]]) -> None:
        self.models = models
        self.process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> SimulatorProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SIM_SCRIPT, json.dumps(self.models)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url:
            raise RuntimeError("the simulator did not start")
        if pinning():
            os.sched_setaffinity(self.process.pid, {SIMULATOR_CORE})
            os.sched_setaffinity(0, {CLIENT_CORE})
        return self

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


def fetch_log(base_url: str) -> dict[str, dict[str, Any]]:
    """Every record of the timing log, by request id."""
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


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def wait_for_quiet(below: float, timeout_s: float) -> float:
    """Wait up to `timeout_s` for the 1-minute load average to drop below `below`; returns
    the last reading (the caller decides what a high one means)."""
    deadline = time.monotonic() + timeout_s
    load = load_average()[0]
    while load >= below and time.monotonic() < deadline:
        time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
        load = load_average()[0]
    return load
