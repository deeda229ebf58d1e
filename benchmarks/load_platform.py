"""Platform load: 50 users browsing job history while 10 jobs stream events to sockets.

Starts `benchstudio serve` on a fresh SQLite database (embedded mode), signs users up, then
for `--seconds`: 10 users each run a job and follow it on `/ws`, 50 users browse
`GET /api/jobs` and job details. Prints API p95 latency, WebSocket event lag p95 (event
timestamp → received) and the number of "database is locked" lines in the server log.

Until the benchmark runs land (benchruns), the streaming jobs are `demo.units` jobs with one
stored-then-published event per 25 ms unit; pass `--unit-ms` to change the rate.

    .venv/bin/python benchmarks/load_platform.py --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

GOALS = {"api_p95_ms": 150.0, "event_lag_p95_ms": 250.0}
BENCHSTUDIO = str(Path(sys.executable).parent / "benchstudio")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("nan")


def _start_server(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        {
            "BENCHSTUDIO_ENV": "dev",
            "BENCHSTUDIO_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'load.db'}",
            "BENCHSTUDIO_SECRETS_FILE": str(workdir / "secrets.env"),
            "BENCHSTUDIO_SIGNUP_POLICY": "open",
            "BENCHSTUDIO_DEMO_SIMULATOR": "false",
            "BENCHSTUDIO_ARGON2_TIME_COST": "1",
            "BENCHSTUDIO_ARGON2_MEMORY_KIB": "8192",
            "BENCHSTUDIO_DEFAULT_JOBS_PER_HOUR": "10000",
            "BENCHSTUDIO_DEFAULT_CONCURRENT_JOBS": "2",
            "BENCHSTUDIO_JOBS_MAX_RUNNING": "20",
            "BENCHSTUDIO_LOG_LEVEL": "WARNING",
            "BENCHSTUDIO_WEB_DIST": str(workdir / "no-web"),
        }
    )
    log = (workdir / "server.log").open("wb")
    return subprocess.Popen(
        [BENCHSTUDIO, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def _wait_healthy(http: aiohttp.ClientSession, base: str) -> None:
    for _ in range(200):
        try:
            async with http.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


async def _sign_up(http: aiohttp.ClientSession, base: str, index: int) -> dict[str, str]:
    body = {"email": f"load{index}@example.com", "password": f"load-test-password-{index}!"}
    async with http.post(f"{base}/api/auth/register", json=body) as response:
        data = await response.json()
        if response.status != 201:
            raise RuntimeError(f"sign-up failed: {response.status} {data}")
    return {"Authorization": f"Bearer {data['access_token']}"}


async def _browse(
    http: aiohttp.ClientSession, base: str, headers: dict[str, str], stop: float, out: list[float]
) -> None:
    job_ids: list[str] = []
    while time.monotonic() < stop:
        if job_ids and random.random() < 0.5:
            url = f"{base}/api/jobs/{random.choice(job_ids)}"
        else:
            url = f"{base}/api/jobs?limit=20&offset={random.choice((0, 0, 20))}"
        started = time.perf_counter()
        async with http.get(url, headers=headers) as response:
            body = await response.json()
        out.append((time.perf_counter() - started) * 1000)
        if isinstance(body, dict) and "items" in body:
            job_ids = [item["id"] for item in body["items"]] or job_ids
        await asyncio.sleep(random.uniform(0.05, 0.25))


async def _follow_jobs(
    http: aiohttp.ClientSession,
    base: str,
    headers: dict[str, str],
    args: argparse.Namespace,
    stop: float,
    lags: list[float],
) -> None:
    async with http.post(f"{base}/api/realtime/ticket", headers=headers) as response:
        ticket = (await response.json())["ticket"]
    async with http.ws_connect(f"{base.replace('http', 'ws')}/ws?ticket={ticket}") as ws:
        await ws.send_json({"type": "resume", "last_seq": {}})
        while time.monotonic() < stop:
            body = {"type": "demo.units", "params": {"units": args.units, "unit_ms": args.unit_ms}}
            async with http.post(f"{base}/api/jobs", json=body, headers=headers) as response:
                job_id = (await response.json())["id"]
            while time.monotonic() < stop:
                try:
                    message = await ws.receive_json(timeout=max(0.1, stop - time.monotonic()))
                except TimeoutError:
                    return
                if "seq" in message:
                    sent = datetime.fromisoformat(message["at"])
                    lags.append((datetime.now(UTC) - sent).total_seconds() * 1000)
                if message.get("job_id") == job_id and message["type"] in (
                    "job_completed",
                    "job_failed",
                    "job_cancelled",
                    "job_interrupted",
                ):
                    break


async def _drive(args: argparse.Namespace, base: str) -> dict[str, Any]:
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        await _wait_healthy(http, base)
        users = [await _sign_up(http, base, i) for i in range(args.browsers)]
        api_ms: list[float] = []
        lags: list[float] = []
        stop = time.monotonic() + args.seconds
        tasks = [_browse(http, base, h, stop, api_ms) for h in users]
        tasks += [_follow_jobs(http, base, h, args, stop, lags) for h in users[: args.jobs]]
        await asyncio.gather(*tasks)
    return {"api": api_ms, "lags": lags}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--browsers", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--unit-ms", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        port = _free_port()
        server = _start_server(workdir, port)
        try:
            figures = asyncio.run(_drive(args, f"http://127.0.0.1:{port}"))
        finally:
            server.terminate()
            server.wait(timeout=30)
        locked = (workdir / "server.log").read_text(errors="replace").count("database is locked")
    api_p95, lag_p95 = _p95(figures["api"]), _p95(figures["lags"])
    print(f"API requests: {len(figures['api'])}, job events received: {len(figures['lags'])}")
    print(f"API p95 latency      {api_p95:8.1f} ms   (goal ≤ {GOALS['api_p95_ms']:.0f} ms)")
    print(f"WS event lag p95     {lag_p95:8.1f} ms   (goal ≤ {GOALS['event_lag_p95_ms']:.0f} ms)")
    print(f'"database is locked" {locked:8d}      (goal 0)')


if __name__ == "__main__":
    main()
