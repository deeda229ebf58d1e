"""Platform load: 50 users browsing benchmark history while 10 benchmark jobs stream live.

Starts `benchstudio serve` (embedded mode: SQLite, jobs in the server process, each benchmark's
measuring loop in its own child process) with the built-in demo simulator on free ports. Then:

1. seeding: every user signs up (each gets the "Simulator (demo)" provider); one short benchmark
   runs on the simulator, its JSON export is imported `--history` times into every user's
   history, so browsing reads real stored runs with request rows;
2. load, for `--seconds`: 10 users each submit real `POST /api/benchmarks` jobs against their
   demo provider, one after another, and follow them on `/ws`; 50 users browse
   `GET /api/benchmarks` (pages, search), a run's detail and its request rows, reading each
   page for 0.5–2.5 s (`--think-min/--think-max`) before the next click. Users arrive over the
   first `--ramp` seconds (5 by default), as a load tool's spawn rate would have them.

Prints API latency (p50/p95/p99 per kind of request), WebSocket event lag (event timestamp →
received by the client), how many jobs finished, and "database is locked" lines in the server
log. Goals (issue 6): API p95 ≤ 150 ms, event lag p95 ≤ 250 ms, zero "database is locked".

    .venv/bin/python benchmarks/load_platform.py --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from benchstudio.core.stats import percentile
from platform_server import API_KEEPALIVE_S, Client, free_port, sign_up, start_server, wait_healthy

GOALS = {"api_p95_ms": 150.0, "event_lag_p95_ms": 250.0}
FINAL_EVENTS = {"job_completed", "job_failed", "job_cancelled", "job_interrupted"}
SEARCH_TERMS = ("sim", "benchstudio", "demo", "nothing-matches")


@dataclass
class Figures:
    api_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lags_ms: list[float] = field(default_factory=list)
    jobs_done: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    results: int = 0


def _benchmark_body(target: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    return {
        "title": "load",
        "targets": [target],
        "runs": args.runs,
        "warmup": 0,
        "max_tokens": args.max_tokens,
        "mode": "concurrency",
        "concurrency": args.concurrency,
    }


async def _wait_for_run(client: Client, run_id: str) -> None:
    for _ in range(600):
        run = await client.ok("GET", f"/api/benchmarks/{run_id}")
        if run["status"] not in ("queued", "running"):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the seeding benchmark did not finish")


async def _seed(users: list[Client], args: argparse.Namespace) -> None:
    """One real run, exported once and imported into every user's history."""
    first = users[0]
    body = _benchmark_body(await first.demo_target(), args) | {"runs": 40, "concurrency": 4}
    submitted = await first.ok("POST", "/api/benchmarks", json=body)
    await _wait_for_run(first, submitted["run_id"])
    document = await first.ok("GET", f"/api/benchmarks/{submitted['run_id']}/export")
    payload = json.dumps(document).encode()
    headers = {"Content-Type": "application/json"}
    for user in users:
        for _ in range(args.history):
            await user.ok("POST", "/api/benchmarks/import", data=payload, headers=headers)


async def _timed(client: Client, kind: str, path: str, figures: Figures) -> Any:
    started = time.perf_counter()
    status, body = await client.call("GET", path)
    figures.api_ms[kind].append((time.perf_counter() - started) * 1000)
    if status != 200:
        figures.errors[f"{kind} {status}"] += 1
    return body


async def _browse(
    client: Client, stop: float, think: tuple[float, float], ramp: float, figures: Figures
) -> None:
    run_ids: list[str] = []
    await asyncio.sleep(random.uniform(0, ramp))
    while time.monotonic() < stop:
        roll = random.random()
        if run_ids and roll < 0.3:
            await _timed(client, "run detail", f"/api/benchmarks/{random.choice(run_ids)}", figures)
        elif run_ids and roll < 0.5:
            path = f"/api/benchmarks/{random.choice(run_ids)}/requests?limit=50"
            await _timed(client, "request rows", path, figures)
        elif roll < 0.65:
            path = f"/api/benchmarks?q={random.choice(SEARCH_TERMS)}&limit=20"
            await _timed(client, "history search", path, figures)
        else:
            offset = random.choice((0, 0, 0, 20))
            page = await _timed(
                client, "history page", f"/api/benchmarks?limit=20&offset={offset}", figures
            )
            if isinstance(page, dict) and page.get("items"):
                run_ids = [item["id"] for item in page["items"]]
        await asyncio.sleep(random.uniform(*think))


async def _follow(
    client: Client, ws: aiohttp.ClientWebSocketResponse, job_id: str, stop: float, figures: Figures
) -> None:
    while time.monotonic() < stop:  # jobs still running at the end are left to the server
        try:
            message = await ws.receive_json(timeout=max(0.1, stop - time.monotonic()))
        except TimeoutError:
            return
        if message.get("type") == "ping":  # the server closes sockets that never answer
            await ws.send_json({"type": "ping"})
            continue
        if "seq" in message and "at" in message:
            sent = datetime.fromisoformat(message["at"])
            figures.lags_ms.append((datetime.now(UTC) - sent).total_seconds() * 1000)
            if message["type"] == "benchmark_result":
                figures.results += 1
        if message.get("job_id") == job_id and message["type"] in FINAL_EVENTS:
            figures.jobs_done[message["type"]] += 1
            return


async def _stream_jobs(
    client: Client, args: argparse.Namespace, stop: float, figures: Figures
) -> None:
    status, ticket = await client.call("POST", "/api/realtime/ticket")
    if status != 200:
        raise RuntimeError(f"ticket refused: {status} {ticket}")
    body = _benchmark_body(await client.demo_target(), args)
    await asyncio.sleep(random.uniform(0, args.ramp))
    async with client.http.ws_connect(
        f"{client.base.replace('http', 'ws')}/ws?ticket={ticket['ticket']}"
    ) as ws:
        await ws.send_json({"type": "resume", "last_seq": {}})
        while time.monotonic() < stop:
            submitted = await client.ok("POST", "/api/benchmarks", json=body)
            await _follow(client, ws, submitted["job_id"], stop, figures)


async def _drive(args: argparse.Namespace, base: str) -> Figures:
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=300, keepalive_timeout=API_KEEPALIVE_S)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        await wait_healthy(http, base)
        users = [await sign_up(http, base, i) for i in range(args.browsers)]
        print(f"seeding: {len(users)} users, {args.history} imported runs each …", flush=True)
        started = time.monotonic()
        await _seed(users, args)
        print(f"seeded in {time.monotonic() - started:.1f} s", flush=True)
        figures = Figures()
        print(f"load: {args.seconds:.0f} s …", flush=True)
        stop = time.monotonic() + args.seconds
        think = (args.think_min, args.think_max)
        tasks = [_browse(user, stop, think, args.ramp, figures) for user in users]
        tasks += [_stream_jobs(user, args, stop, figures) for user in users[: args.jobs]]
        await asyncio.gather(*tasks)
    return figures


def _ms(values: list[float], q: float) -> float:
    found = percentile(values, q)
    return float("nan") if found is None else found


def _report(figures: Figures, locked: int, seconds: float) -> None:
    every = [ms for values in figures.api_ms.values() for ms in values]
    print(f"\nbrowsing: {len(every) / seconds:.1f} requests/s")
    print(f"\n{'request':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, values in [*sorted(figures.api_ms.items()), ("all", every)]:
        p50, p95, p99 = (_ms(values, q) for q in (50, 95, 99))
        print(f"{kind:<16}{len(values):>7}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}")
    if figures.errors:
        print("errors:", dict(figures.errors))
    jobs = ", ".join(f"{kind} {count}" for kind, count in sorted(figures.jobs_done.items()))
    print(f"\njobs finished: {jobs or 'none'}; benchmark_result events: {figures.results}")
    api_p95 = _ms(every, 95)
    lag_p95 = _ms(figures.lags_ms, 95)
    print(f"API p95 latency      {api_p95:8.1f} ms   (goal ≤ {GOALS['api_p95_ms']:.0f} ms)")
    print(
        f"WS event lag p95     {lag_p95:8.1f} ms   (goal ≤ {GOALS['event_lag_p95_ms']:.0f} ms, "
        f"{len(figures.lags_ms)} events)"
    )
    print(f'"database is locked" {locked:8d}      (goal 0)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--browsers", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=10, help="users streaming benchmark jobs")
    parser.add_argument("--history", type=int, default=3, help="imported runs per user")
    parser.add_argument("--runs", type=int, default=60, help="requests per benchmark job")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument(
        "--think-min", type=float, default=0.5, help="seconds a browsing user reads a page (min)"
    )
    parser.add_argument("--think-max", type=float, default=2.5)
    parser.add_argument(
        "--ramp",
        type=float,
        default=5.0,
        help="users arrive over the first RAMP seconds (not all in the same millisecond)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        port = free_port()
        server = start_server(workdir, port)
        try:
            figures = asyncio.run(_drive(args, f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            server.wait(timeout=60)
        log_text = (workdir / "server.log").read_text(errors="replace")
    _report(figures, log_text.count("database is locked"), args.seconds)


if __name__ == "__main__":
    main()
