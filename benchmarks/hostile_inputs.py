"""Hostile request bodies against a real `benchstudio serve` (issue 15 item 2).

Starts the server (embedded mode, SQLite, no demo simulator) and, for each attack, probes
`/healthz` on its own connection every 10 ms while the attack repeats for `--seconds`:

- `login-20mb`: a 20 MB anonymous login body with its Content-Length (refused before reading);
- `stream-300mb`: a 300 MB body sent chunked to the login route (cut off at the 2 MB cap);
- `suite-upload-300mb`: a 300 MB multipart suite upload, chunked (cut off at its 20 MB cap);
- `nested-json`: JSON nested 1,000,000 deep (1 MB of brackets) and 500 deep, in login bodies;
- `import-300mb`: a signed-in 300 MB chunked benchmark import (spooled to disk, cut off at its
  256 MB cap);
- `import-valid-50k`: a valid results file of 50,000 requests (about 12 MB), decoded, checked
  and stored while `/healthz` is probed (the decoding runs in a worker thread).

Prints, per attack, the `/healthz` p50/p99/max latency, the attack's answers and the server's
RSS growth (peak during the attack minus the RSS before it). Goals (issue 15): during each
attack `/healthz` p99 ≤ 100 ms and max ≤ 500 ms; RSS grows ≤ 50 MB for a 300 MB body.

Run: `.venv/bin/python benchmarks/hostile_inputs.py [--seconds 3] [--check]` (about 20 s);
`--check` exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil

from platform_server import free_port, sign_up, start_server, wait_healthy

P99_GOAL_MS = 100.0
MAX_GOAL_MS = 500.0
RSS_GOAL_MB = 50.0
MB = 1024 * 1024
CHUNK = 64 * 1024
PROBE_EVERY_S = 0.01


@dataclass
class Figures:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_goal: bool = False

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def growth_mb(self) -> float:
        return self.rss_peak_mb - self.rss_before_mb

    def misses(self) -> list[str]:
        found = []
        if not self.latencies_ms:
            found.append("no /healthz answers")
        if self.percentile(0.99) > P99_GOAL_MS:
            found.append(f"p99 {self.percentile(0.99):.1f} ms > {P99_GOAL_MS:.0f} ms")
        if max(self.latencies_ms, default=0.0) > MAX_GOAL_MS:
            found.append(f"max {max(self.latencies_ms):.1f} ms > {MAX_GOAL_MS:.0f} ms")
        if self.rss_goal and self.growth_mb > RSS_GOAL_MB:
            found.append(f"RSS +{self.growth_mb:.1f} MB > {RSS_GOAL_MB:.0f} MB")
        return found

    def line(self) -> str:
        answers = ", ".join(f"{k}×{v}" for k, v in sorted(self.answers.items()))
        return (
            f"{self.name:<20} healthz n={len(self.latencies_ms):<4} "
            f"p50 {self.percentile(0.5):6.1f} ms  p99 {self.percentile(0.99):6.1f} ms  "
            f"max {max(self.latencies_ms, default=float('nan')):6.1f} ms  "
            f"RSS {self.rss_before_mb:6.1f} → {self.rss_peak_mb:6.1f} MB "
            f"(+{self.growth_mb:5.1f})  answers: {answers}"
        )


async def _stream(total: int, head: bytes = b"", tail: bytes = b"") -> AsyncIterator[bytes]:
    if head:
        yield head
    block = b" " * CHUNK
    sent = 0
    while sent < total:
        yield block
        sent += CHUNK
    if tail:
        yield tail


def _multipart_parts() -> tuple[str, bytes, bytes]:
    boundary = "hostileboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()
    return f"multipart/form-data; boundary={boundary}", head, f"\r\n--{boundary}--\r\n".encode()


Attack = Callable[[aiohttp.ClientSession, str], Awaitable[str]]


async def _post(
    http: aiohttp.ClientSession, url: str, data: object, content_type: str, length: int | None
) -> str:
    headers = {"Content-Type": content_type}
    if length is not None:
        headers["Content-Length"] = str(length)
    try:
        async with http.post(url, data=data, headers=headers) as response:
            await response.read()
            return str(response.status)
    except (aiohttp.ClientError, ConnectionError) as exc:
        # The server answered 413 and closed the connection while we were still sending.
        return type(exc).__name__


async def login_20mb(http: aiohttp.ClientSession, base: str) -> str:
    body = b'{"email": "a@example.com", "password": "' + b"x" * (20 * MB) + b'"}'
    return await _post(http, f"{base}/api/auth/login", body, "application/json", len(body))


async def stream_300mb(http: aiohttp.ClientSession, base: str) -> str:
    body = _stream(300 * MB, b'{"email": "a@example.com", "password": "')
    return await _post(http, f"{base}/api/auth/login", body, "application/json", None)


async def suite_upload_300mb(http: aiohttp.ClientSession, base: str) -> str:
    content_type, head, tail = _multipart_parts()
    body = _stream(300 * MB, head, tail)
    return await _post(http, f"{base}/api/suites/import", body, content_type, None)


async def nested_json(http: aiohttp.ClientSession, base: str) -> str:
    deep = b'{"email": ' + b"[" * MB + b"}"
    first = await _post(http, f"{base}/api/auth/login", deep, "application/json", len(deep))
    nested = b'{"email": ' + b"[" * 500 + b"1" + b"]" * 500 + b', "password": "x"}'
    second = await _post(http, f"{base}/api/auth/login", nested, "application/json", len(nested))
    return f"{first}/{second}"


BEARER: dict[str, str] = {}


async def _post_signed_in(http: aiohttp.ClientSession, url: str, data: object) -> str:
    headers = {"Content-Type": "application/json", **BEARER}
    try:
        async with http.post(url, data=data, headers=headers) as response:
            await response.read()
            return str(response.status)
    except (aiohttp.ClientError, ConnectionError) as exc:
        return type(exc).__name__


async def import_300mb(http: aiohttp.ClientSession, base: str) -> str:
    body = _stream(300 * MB, b'{"schema": "benchstudio.bench/1", "requests": ["')
    return await _post_signed_in(http, f"{base}/api/benchmarks/import", body)


def results_file(requests: int) -> bytes:
    record = {
        "ttft_ms": 10.0,
        "itl_ms": [1.0, 1.5, 0.8, 1.2],
        "e2e_ms": 16.0,
        "output_tokens": 5,
        "target": "a",
        "model": "a-model",
        "context_tokens": 1000,
        "run_index": 0,
        "warmup": False,
        "error": None,
    }
    document = {
        "schema": "benchstudio.bench/1",
        "run_id": "hostile-import",
        "status": "completed",
        "config": {"targets": [{"name": "a", "model": "a-model", "base_url": "http://x"}]},
        "summary": {"duration_s": 60.0},
        "requests": [record | {"request_id": f"r{i}", "run_index": i} for i in range(requests)],
    }
    return json.dumps(document).encode()


VALID_IMPORT = results_file(50_000)


async def import_valid_50k(http: aiohttp.ClientSession, base: str) -> str:
    return await _post_signed_in(http, f"{base}/api/benchmarks/import", VALID_IMPORT)


ATTACKS: dict[str, tuple[Attack, bool]] = {
    "login-20mb": (login_20mb, False),
    "stream-300mb": (stream_300mb, True),
    "suite-upload-300mb": (suite_upload_300mb, True),
    "nested-json": (nested_json, False),
    "import-300mb": (import_300mb, True),
    "import-valid-50k": (import_valid_50k, False),
}


async def _probe(base: str, stop: asyncio.Event, figures: Figures) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        while not stop.is_set():
            started = time.perf_counter()
            async with http.get(f"{base}/healthz") as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"/healthz answered {response.status}")
            figures.latencies_ms.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(PROBE_EVERY_S)


async def _watch_rss(process: psutil.Process, stop: asyncio.Event, figures: Figures) -> None:
    while not stop.is_set():
        figures.rss_peak_mb = max(figures.rss_peak_mb, process.memory_info().rss / MB)
        await asyncio.sleep(0.005)


async def run_attack(
    base: str, process: psutil.Process, name: str, attack: Attack, rss_goal: bool, seconds: float
) -> Figures:
    figures = Figures(name, rss_goal=rss_goal)
    figures.rss_before_mb = figures.rss_peak_mb = process.memory_info().rss / MB
    stop = asyncio.Event()
    probe = asyncio.create_task(_probe(base, stop, figures))
    watch = asyncio.create_task(_watch_rss(process, stop, figures))
    deadline = time.perf_counter() + seconds
    timeout = aiohttp.ClientTimeout(total=120)
    try:
        while time.perf_counter() < deadline:
            # A fresh connection each time: the server closes it after refusing a body.
            async with aiohttp.ClientSession(timeout=timeout) as http:
                figures.answers[await attack(http, base)] += 1
    finally:
        stop.set()
        await asyncio.gather(probe, watch)
    return figures


async def main_async(seconds: float) -> list[Figures]:
    workdir = Path(tempfile.mkdtemp(prefix="hostile-"))
    port = free_port()
    server = start_server(workdir, port, settings={"BENCHSTUDIO_DEMO_SIMULATOR": "false"})
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        async with aiohttp.ClientSession() as http:
            await wait_healthy(http, base)
            BEARER.update((await sign_up(http, base, 1)).headers)
        process = psutil.Process(server.pid)
        quiet = await run_attack(base, process, "no attack", _idle, False, seconds)
        results.append(quiet)
        for name, (attack, rss_goal) in ATTACKS.items():
            results.append(await run_attack(base, process, name, attack, rss_goal, seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


async def _idle(_http: aiohttp.ClientSession, _base: str) -> str:
    await asyncio.sleep(0.1)
    return "idle"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per attack")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    results = asyncio.run(main_async(args.seconds))
    print(
        f"goals: /healthz p99 ≤ {P99_GOAL_MS:.0f} ms, max ≤ {MAX_GOAL_MS:.0f} ms during each "
        f"attack; RSS growth ≤ {RSS_GOAL_MB:.0f} MB for a 300 MB body"
    )
    missed = False
    for figures in results:
        print(figures.line())
        if figures.name != "no attack":
            for miss in figures.misses():
                print(f"  MISSED: {miss}")
                missed = True
    print("all goals met" if not missed else "goals missed")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
