"""How faithfully does BenchStudio measure? Each path's figures against the simulator's own log.

Paths (each request's stored row joined with the simulator's timing log by its request id, the
X-Request-Id the client sent):

- `cli`: the CLI engine, `benchstudio bench … --requests-jsonl` in its own process;
- `platform` (with `--platform`): a benchmark submitted with `POST /api/benchmarks` to
  `benchstudio serve` (embedded mode, measured in the server's child process), its rows read
  back through `GET /api/benchmarks/{id}/export`.

The simulator runs in its own process pinned to core 1; this script, the CLI and the server (and
its measuring child) run on core 0. The simulator logs, on the same monotonic clock, when it had
read each request and when it wrote each SSE event. Per request:

- TTFT error = client TTFT - server TTFT (first token-bearing chunk written - request read);
- gap error = client ITL gap - server gap, gap by gap. One network read is one client chunk,
  so a late read carries several server writes: `benchstudio.simulator.truth_join` assigns
  each token-bearing write to the client chunk that carried it, on the shared clock, and the
  server's side of a gap runs from the last write of one chunk to the last write of the next.
  A request whose chunks cannot be made of the server's writes is counted as not joined; the
  chunks that held more than one write are counted in the `merged` column;
- no client ITL gap may be 0 ms (events read together are one chunk);
- scenarios: c in {1, 8, 32, 64, 128} and Poisson arrivals, each with and without usage in the
  stream (without: the tokenizer counts), plus 4-token chunks and reasoning-first streams.

Each figure is the median over `--repeat` runs (3; 1 with `--quick`). The 1-minute load average
is printed next to each scenario (the highest seen at the start of its runs); the script first
waits up to `--load-wait` seconds for it to fall below 1. Goals (issue 13), on both paths: TTFT
error p50 <= 1 ms and p99 <= 10 ms (must: 2 and 20), |gap error| p99 <= 8 ms, no gap more than
50 ms off. `--check` exits non-zero when a must, the gap goals, a join or a run fails, or the
load stayed >= 1 (figures from a busy machine prove nothing either way).

Without `--check` (or with `--extras`) it also prints the closed-loop ceiling, Poisson dispatch
lag, CLI start to first request and memory (benchmarks/speed_memory.py).

    .venv/bin/python benchmarks/speed_accuracy.py --platform --check        # about 10 minutes
    .venv/bin/python benchmarks/speed_accuracy.py --platform --check --quick  # about 3 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchstudio.providers.base import ChatRequest
from benchstudio.simulator.truth_join import join_chunks, token_writes
from benchstudio.speed.config import TargetConfig
from benchstudio.speed.engine import LoadShape, run_load
from benchstudio.speed.launch import new_event_loop
from benchstudio.speed.targets import build_adapter, http_session
from platform_server import (
    BENCHSTUDIO,
    Client,
    api_session,
    free_port,
    sign_up,
    start_server,
    wait_healthy,
)
from simulator_process import (
    SimulatorProcess,
    clear_log,
    fetch_log,
    load_average,
    pinning,
    wait_for_quiet,
)

STREAMS = {
    "c1": {"ttft_ms": 20, "itl_ms": 5, "output_tokens": 16},
    "stream": {"ttft_ms": 20, "itl_ms": 10, "output_tokens": 24},
    "multi": {"ttft_ms": 20, "itl_ms": 5, "output_tokens": 64, "tokens_per_chunk": 4},
    "reason": {"ttft_ms": 20, "itl_ms": 10, "output_tokens": 16, "reasoning_tokens": 16},
}
NO_USAGE = "-nousage"
EXTRA_MODELS = {
    "instant": {"ttft_ms": 0, "itl_ms": 0, "output_tokens": 16},
    "rate": {"ttft_ms": 5, "itl_ms": 2, "output_tokens": 8},
}
SIM_MODELS = {
    **STREAMS,
    **{name + NO_USAGE: spec | {"quirks": ["no_usage"]} for name, spec in STREAMS.items()},
    **EXTRA_MODELS,
}
MAX_TOKENS = 4096
POISSON_RATE = 50.0


@dataclass(frozen=True)
class Goal:
    name: str
    aim: float
    must: float


GOALS = (
    Goal("ttft_p50", 1.0, 2.0),
    Goal("ttft_p99", 10.0, 20.0),
    Goal("gap_p99", 8.0, 8.0),
    Goal("gap_max", 50.0, 50.0),
)


@dataclass(frozen=True)
class Scenario:
    name: str
    model: str
    usage: bool
    requests: int
    concurrency: int | None = None
    rate: float | None = None

    @property
    def sim_model(self) -> str:
        return self.model if self.usage else self.model + NO_USAGE

    def expected_s(self) -> float:
        spec = STREAMS[self.model]
        tokens = int(spec["output_tokens"]) + int(spec.get("reasoning_tokens", 0))
        chunk = int(spec.get("tokens_per_chunk", 1))
        one = (spec["ttft_ms"] + spec["itl_ms"] * (tokens / chunk - 1)) / 1000
        if self.rate is not None:
            return self.requests / self.rate + one
        return one * -(-self.requests // (self.concurrency or 1))


def scenarios(quick: bool) -> list[Scenario]:
    found: list[Scenario] = []
    for usage in (True, False):
        for c in (1, 8, 32, 64, 128):
            count = (40 if quick else 100) if c == 1 else max(64 if quick else 200, 3 * c)
            found.append(Scenario(f"c={c}", "c1" if c == 1 else "stream", usage, count, c))
        count = 100 if quick else 200
        found.append(
            Scenario(f"Poisson {POISSON_RATE:g}/s", "stream", usage, count, rate=POISSON_RATE)
        )
        count = 64 if quick else 200
        found.append(Scenario("c=32, 4-token chunks", "multi", usage, count, 32))
        found.append(Scenario("c=32, reasoning first", "reason", usage, count, 32))
    return found


@dataclass
class RunFigures:
    """One run of one scenario on one path, joined with the log."""

    rows: int = 0
    joined: int = 0
    failed: int = 0
    gaps_unjoined: int = 0
    chunk_surplus: dict[int, int] = field(default_factory=dict)
    zero_gaps: int = 0
    chunks: int = 0
    merged: int = 0
    unlogged: int = 0
    ttft: list[float] = field(default_factory=list)
    warm_ttft: list[float] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)
    error: str | None = None
    load: float = 0.0

    def figure(self, name: str) -> float:
        if name == "ttft_p50":
            return pct(self.ttft, 50)
        if name == "ttft_p99":
            return pct(self.ttft, 99)
        if name == "warm_p99":
            return pct(self.warm_ttft, 99)
        if name == "gap_p99":
            return pct([abs(x) for x in self.gaps], 99)
        if name == "gap_max":
            return max((abs(x) for x in self.gaps), default=float("nan"))
        raise KeyError(name)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def join(
    rows: list[dict[str, Any]], log: dict[str, dict[str, Any]], cold: int, expected: int
) -> RunFigures:
    """Per-request errors of `rows` against the simulator's `log` (`cold`: the first requests
    the server read, on connections opened at the start, left out of the warm TTFT)."""
    figures = RunFigures()
    measured = [row for row in rows if not row.get("warmup")]
    figures.rows = len(measured)
    by_read: list[tuple[int, float]] = []
    for row in measured:
        record = log.get(str(row.get("request_id")))
        if record is None:
            continue
        figures.joined += 1
        writes = token_writes(record)
        if row.get("error") or row.get("ttft_ms") is None or not writes:
            figures.failed += 1
            continue
        error = row["ttft_ms"] - (writes[0] - record["request_read_ns"]) / 1e6
        figures.ttft.append(error)
        by_read.append((record["request_read_ns"], error))
        client_gaps = row.get("itl_ms") or []
        figures.zero_gaps += sum(1 for gap in client_gaps if gap == 0)
        chunks = join_chunks(record["request_read_ns"], writes, row["ttft_ms"], client_gaps)
        if chunks is None:
            figures.gaps_unjoined += 1
            surplus = len(client_gaps) + 1 - len(writes)
            figures.chunk_surplus[surplus] = figures.chunk_surplus.get(surplus, 0) + 1
            continue
        figures.chunks += len(chunks.groups)
        figures.merged += chunks.merged
        figures.gaps.extend(chunks.gap_errors_ms(client_gaps))
    figures.warm_ttft = [error for _, error in sorted(by_read)[cold:]]
    figures.unlogged = figures.rows - figures.joined
    if figures.error is None and figures.rows != expected:
        figures.error = f"{figures.rows} rows stored for {expected} requests"
    return figures


# --- the two paths --------------------------------------------------------------------------


def run_cli(sim_url: str, scenario: Scenario, workdir: Path) -> tuple[list[dict[str, Any]], str]:
    """`benchstudio bench` in its own process; its per-request rows (and its stderr on failure)."""
    rows_path = workdir / f"{uuid.uuid4().hex}.jsonl"
    command = [
        BENCHSTUDIO,
        "bench",
        "--base-url",
        f"{sim_url}/v1",
        "--model",
        scenario.sim_model,
        "--max-tokens",
        str(MAX_TOKENS),
        "--warmup",
        "0",
        "--num-requests",
        str(scenario.requests),
        "--timeout",
        "60",
        "--output",
        str(rows_path.with_suffix(".json")),
        "--requests-jsonl",
        str(rows_path),
        "--quiet",
    ]
    if scenario.rate is not None:
        command += ["--request-rate", str(scenario.rate), "--arrival", "poisson"]
    else:
        command += ["--concurrency", str(scenario.concurrency)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=scenario.expected_s() * 5 + 120
    )
    if done.returncode != 0 or not rows_path.exists():
        return [], f"exit {done.returncode}: {done.stderr.strip()[-300:]}"
    return [json.loads(line) for line in rows_path.read_text().splitlines() if line.strip()], ""


async def run_platform(
    client: Client, provider_id: str, scenario: Scenario
) -> tuple[list[dict[str, Any]], str]:
    """A benchmark job through the API; its rows from the export (and the run's error)."""
    body: dict[str, Any] = {
        "title": f"accuracy {scenario.name}",
        "targets": [{"provider_id": provider_id, "model_id": scenario.sim_model}],
        "warmup": 0,
        "max_tokens": MAX_TOKENS,
        "num_requests": scenario.requests,
        "timeout_s": 60,
    }
    if scenario.rate is not None:
        body |= {"mode": "rate", "request_rate": scenario.rate, "arrival": "poisson"}
    else:
        body |= {"mode": "concurrency", "concurrency": scenario.concurrency}
    submitted = await client.ok("POST", "/api/benchmarks", json=body)
    await client.wait_job(submitted["job_id"], timeout_s=scenario.expected_s() * 5 + 120)
    run = await client.ok("GET", f"/api/benchmarks/{submitted['run_id']}")
    document = await client.ok("GET", f"/api/benchmarks/{submitted['run_id']}/export")
    problem = "" if run["status"] == "completed" else f"run {run['status']}: {run.get('error')}"
    return list(document.get("requests") or []), problem


# --- the comparison --------------------------------------------------------------------------


@dataclass
class Outcome:
    scenario: Scenario
    runs: list[RunFigures] = field(default_factory=list)

    def median(self, name: str) -> float:
        values = [run.figure(name) for run in self.runs]
        values = [v for v in values if v == v]
        return float(np.median(values)) if values else float("nan")

    def problems(self) -> list[str]:
        found = [run.error for run in self.runs if run.error]
        rows = sum(run.rows for run in self.runs)
        for label, count in (
            ("rows not in the log", sum(run.unlogged for run in self.runs)),
            ("failed requests", sum(run.failed for run in self.runs)),
            ("requests whose chunks did not join", sum(run.gaps_unjoined for run in self.runs)),
        ):
            if count:
                found.append(f"{count}/{rows} {label}")
        surplus: dict[int, int] = {}
        for run in self.runs:
            for key, count in run.chunk_surplus.items():
                surplus[key] = surplus.get(key, 0) + count
        if surplus:
            shown = ", ".join(f"{k:+d} in {v}" for k, v in sorted(surplus.items()))
            found.append(f"  client chunks - server writes, not joined: {shown}")
        zero = sum(run.zero_gaps for run in self.runs)
        if zero:
            found.append(f"{zero} client ITL gaps of 0 ms")
        return found

    def verdict(self) -> str:
        if self.problems():
            return "FAIL"
        if any(not self.median(goal.name) <= goal.must for goal in GOALS):
            return "MISS"
        if any(not self.median(goal.name) <= goal.aim for goal in GOALS):
            return "above aim"
        return "ok"


def print_table(path: str, outcomes: list[Outcome]) -> None:
    print(f"\n{path}: errors vs the simulator's log, ms (median of the repeats)")
    print("merged: share of client chunks that carried more than one server write (late reads)")
    header = (
        f"{'scenario':<24}{'usage':>6}{'rows':>6}{'joined':>8}{'TTFT p50':>9}{'p99':>9}"
        f"{'warm p99':>9}{'gap p99':>9}{'gap max':>9}{'merged':>8}{'load':>6}  verdict"
    )
    print(header)
    aim = {g.name: f"{g.aim:g}" if g.aim == g.must else f"{g.aim:g}({g.must:g})" for g in GOALS}
    print(
        f"{'goal(must)':<24}{'':>6}{'':>6}{'all':>8}{aim['ttft_p50']:>9}{aim['ttft_p99']:>9}"
        f"{'':>9}{aim['gap_p99']:>9}{aim['gap_max']:>9}{'':>8}{'< 1':>6}"
    )
    for outcome in outcomes:
        s = outcome.scenario
        rows = sum(run.rows for run in outcome.runs)
        joined = sum(run.joined for run in outcome.runs)
        load = max((run.load for run in outcome.runs), default=float("nan"))
        chunks = sum(run.chunks for run in outcome.runs)
        merged = sum(run.merged for run in outcome.runs) / chunks if chunks else float("nan")
        print(
            f"{s.name:<24}{'yes' if s.usage else 'no':>6}{rows:>6}{joined:>8}"
            f"{outcome.median('ttft_p50'):>9.2f}{outcome.median('ttft_p99'):>9.2f}"
            f"{outcome.median('warm_p99'):>9.2f}{outcome.median('gap_p99'):>9.2f}"
            f"{outcome.median('gap_max'):>9.2f}{merged:>8.1%}{load:>6.2f}  {outcome.verdict()}"
        )
        for problem in outcome.problems():
            print(f"{'':<24}  ! {problem}")


async def compare(args: argparse.Namespace, sim: SimulatorProcess, workdir: Path) -> list[str]:
    """Every scenario on every path, `args.repeat` times; returns the failures."""
    paths: dict[str, Callable[[Scenario], Any]] = {
        "cli": lambda s: asyncio.to_thread(run_cli, sim.base_url, s, workdir)
    }
    async with api_session() as http:
        server = None
        if args.platform:
            port = free_port()
            server = start_server(workdir, port, simulator_url=sim.base_url)
            base = f"http://127.0.0.1:{port}"
            await wait_healthy(http, base)
            client = await sign_up(http, base, 0)
            provider_id = (await client.demo_target())["provider_id"]
            paths["platform"] = lambda s: run_platform(client, provider_id, s)
        if args.only_path:
            paths = {name: measure for name, measure in paths.items() if name == args.only_path}
        try:
            return await _compare_paths(args, sim, paths)
        finally:
            if server is not None:
                server.terminate()
                server.wait(60)


async def _compare_paths(
    args: argparse.Namespace, sim: SimulatorProcess, paths: dict[str, Callable[[Scenario], Any]]
) -> list[str]:
    chosen = scenarios(args.quick)
    if args.only:
        chosen = [s for s in chosen if args.only in s.name]
    outcomes = {path: [Outcome(s) for s in chosen] for path in paths}
    for repeat in range(args.repeat):
        for index, scenario in enumerate(chosen):
            for path, measure in paths.items():
                clear_log(sim.base_url)
                load = load_average()[0]
                started = time.monotonic()
                try:
                    rows, problem = await measure(scenario)
                except Exception as exc:  # a path that breaks is a finding, not a crash
                    rows, problem = [], f"{type(exc).__name__}: {exc}"
                log = await asyncio.to_thread(fetch_log, sim.base_url)
                figures = join(rows, log, scenario.concurrency or 0, scenario.requests)
                figures.load = load
                if problem:
                    figures.error = "; ".join(filter(None, (problem, figures.error)))
                outcomes[path][index].runs.append(figures)
                print(
                    f"  [{repeat + 1}/{args.repeat}] {path:<8} {scenario.name:<22} "
                    f"usage={'yes' if scenario.usage else 'no ':<3} {figures.rows:>4} rows "
                    f"{time.monotonic() - started:5.1f} s  load {load:.2f}"
                    + (f"  ! {figures.error}" if figures.error else ""),
                    flush=True,
                )
    failures: list[str] = []
    for path, found in outcomes.items():
        print_table(path, found)
        for outcome in found:
            verdict = outcome.verdict()
            if verdict in ("FAIL", "MISS"):
                label = (
                    f"{outcome.scenario.name}, usage {'yes' if outcome.scenario.usage else 'no'}"
                )
                failures.append(f"{path} {label}: {verdict}")
    return failures


# --- extras: ceiling, dispatch lag, CLI start, memory (engine level) --------------------------


async def engine_run(
    adapter: Any, model: str, concurrency: int | None, rate: float | None, n: int
) -> Any:
    messages = [{"role": "user", "content": "Tell me a story."}]

    def make(index: int) -> ChatRequest:
        return ChatRequest(model=model, messages=messages, max_tokens=MAX_TOKENS)

    shape = LoadShape(concurrency=concurrency, rate=rate, num_requests=n, arrival="poisson")
    return await run_load(adapter, make, shape, run_id=f"{model}-{uuid.uuid4().hex[:6]}")


def show(label: str, value: float, goal: str, unit: str = "ms") -> None:
    print(f"  {label:<44} {value:>10.3f} {unit:<6} goal: {goal}")


async def ceiling(adapter: Any, quick: bool) -> None:
    traces, diagnostics = await engine_run(adapter, "instant", 64, None, 1500 if quick else 4000)
    ok = sum(1 for t in traces if t.error is None)
    print(f"\nclosed-loop ceiling, 16-token instant streams, c=64 ({ok}/{len(traces)} ok):")
    show("requests per second", ok / diagnostics.wall_s, ">= 1500", "req/s")


async def dispatch(adapter: Any, quick: bool) -> None:
    print("\nPoisson dispatch lag (actual - scheduled send):")
    for rate, goal in ((100.0, "<= 3"), (400.0, "<= 20")):
        _, diagnostics = await engine_run(
            adapter, "rate", None, rate, int(rate * (3 if quick else 6))
        )
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
    command = [BENCHSTUDIO, "bench", "--base-url", f"{base_url}/v1", "--model", "rate"]
    started = time.perf_counter_ns()
    subprocess.run(
        [*command, "--runs", "1", "--warmup", "0", "--quiet"],
        check=True,
        capture_output=True,
    )
    log = fetch_log(base_url)
    first = min(r["request_read_ns"] for r in log.values() if r["request_read_ns"] > started)
    print("\nCLI:")
    show("start to first request read by the server", (first - started) / 1e9, "<= 1", "s")


async def extras(base_url: str, quick: bool) -> None:
    target = TargetConfig(base_url=f"{base_url}/v1", model="instant")
    async with http_session() as session:
        adapter = build_adapter(target, session)
        await ceiling(adapter, quick)
        await dispatch(adapter, quick)
    clear_log(base_url)
    cli_start(base_url)
    memory()


# --- main ------------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> int:
    failures: list[str] = []
    load = wait_for_quiet(1.0, args.load_wait)
    loads = ", ".join(f"{x:.2f}" for x in load_average())
    print(f"load average (1, 5, 15 min): {loads}; cores pinned: {pinning()}", flush=True)
    if load >= 1.0:
        print(
            f"! the 1-minute load average is still {load:.2f} (>= 1) after waiting "
            f"{args.load_wait:.0f} s: the machine is busy, the figures below are not trustworthy",
            flush=True,
        )
        failures.append(f"load average {load:.2f} >= 1 at the start")
    with SimulatorProcess(SIM_MODELS) as sim, tempfile.TemporaryDirectory() as tmp:
        failures += await compare(args, sim, Path(tmp))
        if args.extras or not args.check:
            await extras(sim.base_url, args.quick)
    print(
        f"\nload average at the end (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in load_average())}"
    )
    if failures:
        print("\nmisses:\n  " + "\n  ".join(failures))
    else:
        print("\nevery scenario met its goals on every path")
    return 1 if failures and args.check else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", action="store_true", help="also the API + child path")
    parser.add_argument("--check", action="store_true", help="exit 1 on a miss")
    parser.add_argument("--quick", action="store_true", help="fewer requests, 1 repeat")
    parser.add_argument("--repeat", type=int, default=None, help="runs per scenario (3)")
    parser.add_argument("--only", default="", help="only scenarios whose name contains this")
    parser.add_argument("--only-path", choices=("cli", "platform"), help="measure one path only")
    parser.add_argument("--extras", action="store_true", help="ceiling, dispatch, memory too")
    parser.add_argument(
        "--load-wait", type=float, default=120.0, help="seconds to wait for load average < 1"
    )
    arguments = parser.parse_args()
    if arguments.only_path == "platform":
        arguments.platform = True
    if arguments.repeat is None:
        arguments.repeat = 1 if arguments.quick else 3
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        sys.exit(runner.run(main(arguments)))
