"""Client memory of `benchstudio.speed`: base RSS and RSS per in-flight stream.

Each measurement runs in a FRESH process, so nothing allocated by an earlier measurement (and
never returned to the OS) inflates a later one.

- Engine: a child imports what a `benchstudio bench` load run imports, opens the pooled HTTP
  session, starts N slow streams (short prompt; the simulator sends one token every 200 ms)
  and reads its own RSS while every stream is in flight. base = RSS of the N=0 child after the
  same wait; per in-flight stream = (RSS(N) - RSS(0)) / N, for N = 256 and 1024.
- CLI: a real `benchstudio bench --concurrency N` process, its RSS read by this script mid-run
  (N = 1 as its base, then N = 256), and its peak RSS over a whole one-request run, which
  includes the work done after the measured window (statistics, output; the tokenizer only
  for responses without usage, so not here: the simulator reports usage).

The in-flight count printed next to each figure comes from the simulator's timing log: streams
with a token written before the sample and no finish by then.

Run: `.venv/bin/python benchmarks/speed_memory.py [--streams 256,1024] [--repeat 2]`
(about 30 s per repeat). `--importtime` lists the biggest imports of the engine child.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

SLOW_MODEL = {"ttft_ms": 10, "itl_ms": 200, "output_tokens": 60}  # 12 s per stream
SAMPLE_AFTER_S = 4.0  # every stream open and mid-way when RSS is read
BASE_GOAL_MB = 80.0
PER_STREAM_GOAL_KB = 30.0
NAN = float("nan")

SIM_SCRIPT = """
import asyncio, json, sys
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
config = SimulatorConfig(default=ModelProfile(**json.loads(sys.argv[1])), log_capacity=20000)
async def main():
    async with SimulatorServer(config) as sim:
        print(sim.base_url, flush=True)
        await asyncio.Event().wait()
asyncio.run(main())
"""

# The measured child: the modules a `benchstudio bench` load run imports, then N streams.
CHILD_SCRIPT = """
import asyncio, gc, json, os, sys, time
from benchstudio.providers.base import ChatRequest
from benchstudio.speed.engine import LoadShape, run_load
from benchstudio.speed.launch import new_event_loop
from benchstudio.speed.config import TargetConfig
from benchstudio.speed.runner import BenchRunner  # noqa: F401 (imported by every bench run)
from benchstudio.speed.targets import build_adapter, http_session

def rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0

async def main(base_url, streams, wait_s):
    target = TargetConfig(base_url=base_url + "/v1", model="slow")
    async with http_session() as session:
        adapter = build_adapter(target, session)
        gc.collect()
        after_imports = rss_bytes()
        messages = [{"role": "user", "content": "short prompt"}]
        if streams:
            shape = LoadShape(concurrency=streams, num_requests=streams)
            asyncio.get_running_loop().create_task(
                run_load(adapter, lambda i: ChatRequest(model="slow", messages=messages), shape)
            )
        await asyncio.sleep(wait_s)
        sample_ns = time.perf_counter_ns()
        during = rss_bytes()
        print(json.dumps({"after_imports": after_imports, "rss": during, "sample_ns": sample_ns}))
        sys.stdout.flush()
        os._exit(0)  # no need to wait for the streams to end

asyncio.Runner(loop_factory=new_event_loop).run(
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
)
"""


@dataclass
class Sample:
    streams: int
    after_imports_mb: float
    rss_mb: float
    in_flight: int


def start_simulator() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SIM_SCRIPT, json.dumps(SLOW_MODEL)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        process.kill()
        raise SystemExit("the simulator did not start")
    if (os.cpu_count() or 1) > 1:  # simulator on core 1, clients on core 0
        os.sched_setaffinity(process.pid, {1})
        os.sched_setaffinity(0, {0})
    return process, base_url


def sim_log(base_url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        url = f"{base_url}/_sim/requests?offset={len(items)}&limit=1000"
        with urllib.request.urlopen(url) as response:
            page = json.load(response)
        items.extend(page["items"])
        if not page["items"] or len(items) >= page["total"]:
            return items


def clear_log(base_url: str) -> None:
    request = urllib.request.Request(f"{base_url}/_sim/requests", method="DELETE")
    urllib.request.urlopen(request).close()


def in_flight_at(log: list[dict[str, Any]], sample_ns: int) -> int:
    """Streams that had a token before `sample_ns` but had not finished by then."""
    count = 0
    for record in log:
        before = [e for e in record["events"] if e["t_ns"] <= sample_ns]
        started = any(e["tokens"] > 0 for e in before)
        ended = any(e["kind"] in ("finish", "done", "error") for e in before)
        if record["request_read_ns"] < sample_ns and started and not ended:
            count += 1
    return count


def wait_for(streams: int) -> float:
    return SAMPLE_AFTER_S + streams / 1000  # opening many connections takes a while


def measure_engine(base_url: str, streams: int) -> Sample:
    clear_log(base_url)
    done = subprocess.run(
        [sys.executable, "-c", CHILD_SCRIPT, base_url, str(streams), str(wait_for(streams))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"measuring child failed (N={streams}):\n{done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    in_flight = in_flight_at(sim_log(base_url), figures["sample_ns"]) if streams else 0
    return Sample(streams, figures["after_imports"] / 2**20, figures["rss"] / 2**20, in_flight)


def cli_command(base_url: str, streams: int) -> list[str]:
    cli = os.path.join(os.path.dirname(sys.executable), "benchstudio")
    command = [cli, "bench", "--base-url", f"{base_url}/v1", "--model", "slow", "--quiet"]
    command += ["--prompt", "short prompt", "--warmup", "0"]
    return [*command, "--concurrency", str(streams), "--num-requests", str(streams)]


def rss_of(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return NAN


def measure_cli(base_url: str, streams: int) -> Sample:
    """RSS of a real `benchstudio bench` process while its `streams` are in flight."""
    clear_log(base_url)
    process = subprocess.Popen(
        cli_command(base_url, streams), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        time.sleep(wait_for(streams))
        sample_ns = time.perf_counter_ns()
        rss = rss_of(process.pid)
    finally:
        process.terminate()  # stops the run like Ctrl-C; its partial results are not needed
        process.wait(30)
    return Sample(streams, NAN, rss, in_flight_at(sim_log(base_url), sample_ns))


def cli_peak_rss_mb(base_url: str) -> float:
    """Peak RSS of `benchstudio bench` over a whole 1-request run (ru_maxrss of a waited child)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    command = [*cli_command(base_url, 1), "--max-tokens", "4"]
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *command],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout.strip()) / 1024


def show(label: str, value: float, unit: str, goal: str) -> None:
    print(f"  {label:<58} {value:>8.2f} {unit:<3} goal: {goal}")


def report(title: str, samples: list[Sample]) -> None:
    base = samples[0]
    print(f"\n{title}")
    if base.after_imports_mb == base.after_imports_mb:  # not NaN
        show("RSS after imports + session (N=0)", base.after_imports_mb, "MB", "")
    show(f"base RSS (N={base.streams}, same wait)", base.rss_mb, "MB", f"<= {BASE_GOAL_MB:.0f}")
    for sample in samples[1:]:
        per_stream_kb = (sample.rss_mb - base.rss_mb) * 1024 / (sample.streams - base.streams)
        show(
            f"N={sample.streams} ({sample.in_flight} in flight), RSS {sample.rss_mb:.1f} MB;"
            " per stream",
            per_stream_kb,
            "KB",
            f"<= {PER_STREAM_GOAL_KB:.0f}",
        )


def importtime() -> None:
    """The imports with the largest cumulative time in the engine child's module set."""
    modules = (
        "import benchstudio.speed.engine, benchstudio.speed.launch, benchstudio.speed.runner,"
        " benchstudio.speed.targets, benchstudio.providers.openai_compat, benchstudio.core.net"
    )
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", modules],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line.split("|") for line in done.stderr.splitlines() if line.count("|") == 2]
    rows = [row for row in rows if row[1].strip().isdigit()]
    rows.sort(key=lambda row: int(row[1]), reverse=True)
    print("\nlargest cumulative imports of the engine child (us):")
    for row in rows[:25]:
        print(f"  {int(row[1]):>9}  {row[2].rstrip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", default="256,1024", help="in-flight stream counts")
    parser.add_argument("--repeat", type=int, default=2, help="measure everything this often")
    parser.add_argument("--importtime", action="store_true", help="list the biggest imports")
    arguments = parser.parse_args()
    counts = [int(x) for x in arguments.streams.split(",") if x.strip()]
    process, base_url = start_simulator()
    try:
        for attempt in range(1, arguments.repeat + 1):
            print(f"\n=== repeat {attempt}/{arguments.repeat}")
            engine = [measure_engine(base_url, n) for n in [0, *counts]]
            report("engine process (what a load run imports), fresh process per N:", engine)
            cli = [measure_cli(base_url, n) for n in [1, counts[0]]]
            report("`benchstudio bench` process, RSS read mid-run, fresh process per N:", cli)
            peak = cli_peak_rss_mb(base_url)
            show("CLI peak RSS over a whole 1-request run", peak, "MB", "")
    finally:
        process.terminate()
        process.wait(10)
    if arguments.importtime:
        importtime()


if __name__ == "__main__":
    main()
