"""How many concurrent streams and SSE events per second the simulator sustains on one core.

The simulator runs in a subprocess (pinned to CPU 0 by default); this process drives N
concurrent OpenAI-format streams with a lean aiohttp client (pinned to CPU 1), counting events
without parsing JSON. Figures are taken over a measuring window after a warm-up:
achieved events/s, the simulator's CPU use (psutil), the events/s that CPU use projects to a full
core, and schedule fidelity from the simulator's own timing log (TTFT and ITL vs configured).

    .venv/bin/python benchmarks/simulator_throughput.py            # default scenarios, < 60 s
    .venv/bin/python benchmarks/simulator_throughput.py --streams 2000 --itl-ms 10 --no-pin
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

GOAL_STREAMS = 1_000
GOAL_EVENTS_PER_S = 50_000


def _pin(cpu: int | None) -> None:
    if cpu is not None and hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


def serve(args: argparse.Namespace) -> None:
    """Server role: run the simulator until killed, printing its port first."""
    from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer

    _pin(args.server_cpu)
    profile = ModelProfile(ttft_ms=args.ttft_ms, itl_ms=args.itl_ms, output_tokens=args.tokens)
    server = SimulatorServer(SimulatorConfig(default=profile, log_capacity=50_000))

    async def main() -> None:
        await server.start()
        print(server.port, flush=True)
        await asyncio.Event().wait()

    with asyncio.Runner(loop_factory=_new_loop) as runner:
        runner.run(main())


@dataclass
class Counters:
    events: int = 0
    requests: int = 0
    errors: int = 0
    counting: bool = False


async def _stream_forever(
    session: object, url: str, body: bytes, stop: asyncio.Event, c: Counters
) -> None:
    import aiohttp

    assert isinstance(session, aiohttp.ClientSession)
    headers = {"content-type": "application/json"}
    while not stop.is_set():
        try:
            async with session.post(url, data=body, headers=headers) as response:
                async for data in response.content.iter_any():
                    if c.counting:
                        c.events += data.count(b"data: ")
                if c.counting:
                    c.requests += 1
        except aiohttp.ClientError:
            c.errors += 1


async def drive(port: int, server_pid: int, args: argparse.Namespace) -> dict[str, float]:
    import aiohttp
    import psutil

    server = psutil.Process(server_pid)
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    body = json.dumps(
        {"model": "bench", "messages": [{"role": "user", "content": "go"}], "stream": True}
    ).encode()
    counters = Counters()
    stop = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        workers = [
            asyncio.create_task(_stream_forever(session, url, body, stop, counters))
            for _ in range(args.streams)
        ]
        await asyncio.sleep(args.warmup)
        cpu_before = sum(server.cpu_times()[:2])
        started = time.perf_counter()
        counters.counting = True
        await asyncio.sleep(args.duration)
        counters.counting = False
        elapsed = time.perf_counter() - started
        cpu_used = sum(server.cpu_times()[:2]) - cpu_before
        stop.set()
        await asyncio.wait(
            workers, timeout=args.ttft_ms / 1000 + args.tokens * args.itl_ms / 1000 + 5
        )
        for task in workers:
            task.cancel()
        fidelity = await _fidelity(session, port)
    events_per_s = counters.events / elapsed
    # What the schedule asks for: role + tokens + finish + [DONE] per TTFT + (tokens-1) ITLs.
    events_per_request = args.tokens + 3
    request_seconds = (args.ttft_ms + (args.tokens - 1) * args.itl_ms) / 1000
    cpu_share = cpu_used / elapsed
    return {
        "streams": args.streams,
        "expected_events_per_s": args.streams * events_per_request / request_seconds,
        "events_per_s": events_per_s,
        "requests_per_s": counters.requests / elapsed,
        "errors": counters.errors,
        "server_cpu_share": cpu_share,
        "projected_events_per_s_per_core": events_per_s / cpu_share if cpu_share else 0.0,
        **fidelity,
    }


async def _fidelity(session: object, port: int) -> dict[str, float]:
    """TTFT and ITL as the simulator wrote them (its timing log), for the latest requests."""
    import aiohttp

    assert isinstance(session, aiohttp.ClientSession)
    base = f"http://127.0.0.1:{port}/_sim/requests"
    async with session.get(base, params={"limit": "1"}) as response:
        total = (await response.json())["total"]
    async with session.get(
        base, params={"offset": str(max(0, total - 400)), "limit": "400"}
    ) as response:
        items = (await response.json())["items"]
    ttfts: list[float] = []
    itls: list[float] = []
    for item in items:
        times = [e["t_ns"] for e in item["events"] if e["kind"] == "content"]
        if not item["completed"] or not times:
            continue
        ttfts.append((times[0] - item["request_read_ns"]) / 1e6)
        itls.extend((b - a) / 1e6 for a, b in itertools.pairwise(times))

    def pct(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")

    return {
        "ttft_p50_ms": pct(ttfts, 50),
        "ttft_p99_ms": pct(ttfts, 99),
        "itl_p50_ms": pct(itls, 50),
        "itl_p99_ms": pct(itls, 99),
    }


def run_scenario(args: argparse.Namespace) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "--role",
        "server",
        "--ttft-ms",
        str(args.ttft_ms),
        "--itl-ms",
        str(args.itl_ms),
        "--tokens",
        str(args.tokens),
    ]
    if args.server_cpu is not None:
        command += ["--server-cpu", str(args.server_cpu)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        _pin(args.client_cpu)
        with asyncio.Runner(loop_factory=_new_loop) as runner:
            return runner.run(drive(port, process.pid, args))
    finally:
        process.terminate()
        process.wait(timeout=10)


def report(args: argparse.Namespace, result: dict[str, float]) -> None:
    streams, expected = result["streams"], result["expected_events_per_s"]
    print(
        f"\n== {streams:,.0f} streams, TTFT {args.ttft_ms} ms, ITL {args.itl_ms} ms, "
        f"{args.tokens} tokens/response, {args.duration:.0f} s window"
    )
    rows = [
        ("concurrent streams", f"{streams:,.0f}", f"goal >= {GOAL_STREAMS:,}"),
        (
            "events/s achieved",
            f"{result['events_per_s']:,.0f}",
            f"goal >= {GOAL_EVENTS_PER_S:,} (schedule asks {expected:,.0f})",
        ),
        ("simulator CPU", f"{result['server_cpu_share'] * 100:.0f}%", "of one core"),
        ("events/s per full core", f"{result['projected_events_per_s_per_core']:,.0f}", "proj."),
        ("requests/s", f"{result['requests_per_s']:,.0f}", f"errors: {result['errors']:.0f}"),
        (
            "TTFT p50 / p99 (log)",
            f"{result['ttft_p50_ms']:.2f} / {result['ttft_p99_ms']:.2f} ms",
            f"configured {args.ttft_ms} ms",
        ),
        (
            "ITL p50 / p99 (log)",
            f"{result['itl_p50_ms']:.2f} / {result['itl_p99_ms']:.2f} ms",
            f"configured {args.itl_ms} ms",
        ),
    ]
    for label, value, note in rows:
        print(f"  {label:<24}{value:>18}   {note}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--role", choices=["driver", "server"], default="driver")
    parser.add_argument("--streams", type=int, default=None, help="one scenario with N streams")
    parser.add_argument("--ttft-ms", type=float, default=50.0)
    parser.add_argument("--itl-ms", type=float, default=None)
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--server-cpu", type=int, default=0)
    parser.add_argument("--client-cpu", type=int, default=1)
    parser.add_argument("--no-pin", action="store_true", help="let the OS place both processes")
    args = parser.parse_args()
    if args.no_pin:
        args.server_cpu = args.client_cpu = None
    if args.role == "server":
        args.itl_ms = args.itl_ms or 20.0
        serve(args)
        return
    # Default: the goal load (1,000 streams asking ~65k events/s), then an overload to find the
    # ceiling (2,000 streams asking ~98k events/s).
    scenarios = [(1000, 15.0), (2000, 20.0)]
    if args.streams:
        scenarios = [(args.streams, args.itl_ms or 20.0)]
    for streams, itl in scenarios:
        args.streams, args.itl_ms = streams, itl
        report(args, run_scenario(args))


if __name__ == "__main__":
    main()
