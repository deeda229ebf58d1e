"""Soak the platform's measuring path: many benchmark runs through the real API and child.

Starts `benchstudio serve` (embedded: SQLite, jobs in the server process on uvloop, each
benchmark measured in its own child process) with the built-in demo simulator, signs up one
user and adds a second provider on the same simulator that sends `X-Sim-Quirk: no_usage`
(streams without usage, so the child's tokenizer path runs). Then it submits `--runs`
concurrency benchmarks (1 to `--max-requests` requests, concurrency 1 to 128, with and without
usage, with or without a warm-up), `--parallel` at a time, and checks each one: the job is
done, the run completed, and exactly requests + warm-ups rows are stored.

    .venv/bin/python benchmarks/platform_soak.py --check            # 50 runs, up to 1,000 requests

Exits 1 with `--check` on any failed run or missing row.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from platform_server import Client, api_session, free_port, start_server, wait_healthy

# Limits high enough that the soak is never refused (the rest as `platform_server` sets them).
SOAK_SETTINGS = {
    "BENCHSTUDIO_DEFAULT_JOBS_PER_HOUR": "100000",
    "BENCHSTUDIO_DEFAULT_CONCURRENT_JOBS": "4",
    "BENCHSTUDIO_DEFAULT_MAX_RUNS_PER_BENCHMARK": "100000",
}
CONCURRENCY = (1, 2, 4, 8, 16, 32, 64, 128)
REQUESTS = (1, 2, 5, 10, 30, 100, 200, 500, 1000)
# Rounds of requests per stream at most (the demo model answers in ~0.1-0.7 s), so a run of
# 1,000 requests goes with high concurrency and the soak stays a few minutes long.
MAX_ROUNDS = 25
RUN_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Plan:
    requests: int
    concurrency: int
    usage: bool
    warmup: int


@dataclass
class Outcome:
    plan: Plan
    job_status: str
    run_status: str
    stored: int
    error: str | None
    seconds: float

    @property
    def expected(self) -> int:
        return self.plan.requests + self.plan.warmup

    @property
    def failed(self) -> bool:
        return self.job_status != "done" or self.run_status != "completed"


def plans(runs: int, max_requests: int, seed: int) -> list[Plan]:
    """The extremes first (1 request at c=1, the most requests at c=128), then random mixes."""
    rng = random.Random(seed)
    counts = [n for n in REQUESTS if n <= max_requests] or [max_requests]
    chosen = [Plan(1, 1, False, 0), Plan(counts[-1], 128, False, 1), Plan(counts[-1], 128, True, 0)]
    while len(chosen) < runs:
        requests = rng.choice(counts)
        fitting = [c for c in CONCURRENCY if requests / c <= MAX_ROUNDS]
        concurrency = rng.choice(fitting)
        chosen.append(Plan(requests, concurrency, rng.random() < 0.5, rng.choice((0, 1))))
    return chosen[:runs]


async def _targets(client: Client) -> dict[bool, dict[str, str]]:
    """usage → target: the demo provider, and a copy of it whose streams carry no usage."""
    body = {"email": "soak@example.com", "password": "measure-every-endpoint-1!"}
    data = await client.ok("POST", "/api/auth/register", json=body)
    client.headers = {"Authorization": f"Bearer {data['access_token']}"}
    providers = await client.ok("GET", "/api/providers")
    items = providers["items"] if isinstance(providers, dict) else providers
    demo = next(p for p in items if p["is_demo"])
    quiet = await client.ok(
        "POST",
        "/api/providers",
        json={
            "name": "Simulator without usage",
            "protocol": "openai",
            "base_url": demo["base_url"],
            "extra_headers": {"X-Sim-Quirk": "no_usage"},
        },
    )
    model = "benchstudio-sim"
    return {
        True: {"provider_id": demo["id"], "model_id": model},
        False: {"provider_id": quiet["id"], "model_id": model},
    }


async def _one(client: Client, target: dict[str, str], plan: Plan, max_tokens: int) -> Outcome:
    started = time.monotonic()
    body = {
        "title": f"soak n={plan.requests} c={plan.concurrency} usage={plan.usage}",
        "targets": [target],
        "mode": "concurrency",
        "concurrency": plan.concurrency,
        "num_requests": plan.requests,
        "warmup": plan.warmup,
        "max_tokens": max_tokens,
        "context_tokens": [0],
    }
    submitted = await client.ok("POST", "/api/benchmarks", json=body)
    deadline = started + RUN_TIMEOUT_S
    while True:
        job = await client.ok("GET", f"/api/jobs/{submitted['job_id']}")
        if job["status"] in ("done", "failed", "cancelled", "interrupted"):
            break
        if time.monotonic() > deadline:  # a hung run is a failed run, not a hung soak
            job = {**job, "error": f"still {job['status']} after {RUN_TIMEOUT_S:.0f} s"}
            break
        await asyncio.sleep(0.1)
    run = await client.ok("GET", f"/api/benchmarks/{submitted['run_id']}")
    rows = await client.ok("GET", f"/api/benchmarks/{submitted['run_id']}/requests?limit=1")
    return Outcome(
        plan,
        job["status"],
        run["status"],
        int(rows["total"]),
        run.get("error") or job.get("error"),
        time.monotonic() - started,
    )


async def _drive(args: argparse.Namespace, base: str) -> list[Outcome]:
    async with api_session() as http:
        await wait_healthy(http, base)
        client = Client(http, base, {})
        targets = await _targets(client)
        queue = list(plans(args.runs, args.max_requests, args.seed))
        outcomes: list[Outcome] = []

        async def worker() -> None:
            while queue:
                plan = queue.pop(0)
                try:
                    outcome = await _one(client, targets[plan.usage], plan, args.max_tokens)
                except RuntimeError as exc:  # refused or unreadable: a failed run all the same
                    outcome = Outcome(plan, "not run", "not run", 0, str(exc), 0.0)
                outcomes.append(outcome)
                if not args.quiet:
                    mark = "FAIL" if outcome.failed or outcome.stored != outcome.expected else "ok"
                    print(
                        f"  {mark:4} n={plan.requests:<5} c={plan.concurrency:<4} "
                        f"usage={'yes' if plan.usage else 'no ':3} warmup={plan.warmup} "
                        f"rows {outcome.stored}/{outcome.expected} "
                        f"{outcome.seconds:5.1f} s {outcome.error or ''}",
                        flush=True,
                    )

        await asyncio.gather(*(worker() for _ in range(args.parallel)))
        return outcomes


def _report(outcomes: list[Outcome], wall_s: float) -> tuple[int, int]:
    failures = [o for o in outcomes if o.failed]
    missing = sum(max(0, o.expected - o.stored) for o in outcomes)
    extra = sum(max(0, o.stored - o.expected) for o in outcomes)
    requests = sum(o.plan.requests for o in outcomes)
    no_usage = sum(1 for o in outcomes if not o.plan.usage)
    load = os.getloadavg()[0]
    print(
        f"platform soak: {len(outcomes)} runs ({no_usage} without usage), {requests} requests, "
        f"concurrency {min(o.plan.concurrency for o in outcomes)}-"
        f"{max(o.plan.concurrency for o in outcomes)}, {wall_s:.0f} s, load average {load:.1f}"
    )
    print(f"  failed runs:   {len(failures)} (goal 0)")
    print(f"  missing rows:  {missing} (goal 0)")
    print(f"  extra rows:    {extra} (goal 0)")
    for outcome in failures:
        print(f"  - n={outcome.plan.requests} c={outcome.plan.concurrency}: {outcome.error}")
    return len(failures), missing + extra


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--max-requests", type=int, default=1000)
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--parallel", type=int, default=2, help="runs measured at once")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 on a failed run or row miss")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server = start_server(workdir, port, settings=SOAK_SETTINGS)
        started = time.monotonic()
        try:
            outcomes = asyncio.run(_drive(args, f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
        failed, wrong_rows = _report(outcomes, time.monotonic() - started)
        if (failed or wrong_rows) and not args.quiet:
            print((workdir / "server.log").read_text(errors="replace")[-3000:])
    if args.check and (failed or wrong_rows or len(outcomes) < args.runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
