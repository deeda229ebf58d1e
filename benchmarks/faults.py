"""Fault-injection suite: kill or stop one piece of a running platform and check that no job is
lost, stuck or failed and that no measured request row is lost or stored twice.

    .venv/bin/python benchmarks/faults.py --check          # every fault, exit 1 on any FAIL
    .venv/bin/python benchmarks/faults.py --only worker_kill
    .venv/bin/python benchmarks/faults.py --list

Not in `make test` (it takes minutes). Each fault starts its own scale-out platform: its own
redis-server on a free port, a fresh database of its own in the PostgreSQL at
`BENCHSTUDIO_FAULTS_POSTGRES` (default the local test server; only a database is created and
dropped there, the server itself is never stopped), its own `benchstudio simulate`, one
`benchstudio serve` and two `benchstudio worker` processes. Workdirs (logs) are kept under
`--workdir` when given. `sqlite_readonly` instead runs `serve` alone in embedded mode (SQLite)
and makes its database immutable (`chattr +i`: needs root or CAP_LINUX_IMMUTABLE).

Rows: "lost" counts request ids seen in a `benchmark_result` event (`/api/jobs/{id}/events`)
that are not stored at the end; "dup" counts request ids stored more than once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import psutil

sys.path.insert(0, str(Path(__file__).parent))
from platform_server import (
    BENCHSTUDIO,
    FINAL_JOB_STATUSES,
    Client,
    api_session,
    free_port,
    sign_up,
    start_server,
    wait_healthy,
)

POSTGRES = os.environ.get("BENCHSTUDIO_FAULTS_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
JOB_TIMEOUT_S = 240.0
FAST = {
    "BENCHSTUDIO_JOBS_HEARTBEAT_S": "0.5",
    "BENCHSTUDIO_JOBS_LEASE_S": "4",
    "BENCHSTUDIO_JOBS_DISPATCH_INTERVAL_S": "0.2",
    "BENCHSTUDIO_JOBS_UNCLAIMED_REQUEUE_S": "5",
    "BENCHSTUDIO_DEFAULT_JOBS_PER_HOUR": "100000",
    "BENCHSTUDIO_DEFAULT_CONCURRENT_JOBS": "6",
    "BENCHSTUDIO_JOBS_MAX_RUNNING": "6",
    "BENCHSTUDIO_WORKER_CONCURRENCY": "3",
}


def _wait_port(port: int, timeout_s: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on {port}") from None
            time.sleep(0.05)


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


NO_DISK = ("--appendonly", "no")
SIMULATOR = ("--ttft-ms", "40", "--itl-ms", "4", "--output-tokens", "40")


class Redis:
    """A redis-server of our own on a free port (the shared one is never touched)."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.workdir = free_port(), workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *NO_DISK],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


PG_BIN = Path("/usr/lib/postgresql/15/bin")


class OwnPostgres:
    """A PostgreSQL cluster of our own (initdb in a temp dir, run as the postgres user when
    this script runs as root) on a free port, which a fault may stop and start again."""

    def __init__(self, workdir: Path) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"
        self.log = workdir / "postgres.log"

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*prefix, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres")
        self._run_ctl("start")

    def _run_ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        ctl = [str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-l", str(self.log)]
        if action == "start":
            self._run(*ctl, "-o", options, "start")
        else:
            self._run(*ctl, "-m", "immediate", "stop")

    def stop(self) -> None:
        self._run_ctl("stop")

    def start(self) -> None:
        self._run_ctl("start")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class Platform:
    """Scale-out: own Redis, a fresh PostgreSQL database, simulator, serve, two workers."""

    def __init__(self, workdir: Path, own_postgres: bool = False) -> None:
        self.workdir = workdir
        self.redis = Redis(workdir)
        self.pg = OwnPostgres(workdir) if own_postgres else None
        self.postgres = self.pg.url if self.pg else POSTGRES
        self.dbname = f"faults_{uuid.uuid4().hex[:10]}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.sim: subprocess.Popen[bytes] | None = None
        self.serve: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self._logs = 0

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        url = self.postgres.replace("postgresql://", "postgresql+asyncpg://")
        env.update(
            {
                "BENCHSTUDIO_ENV": "dev",
                "BENCHSTUDIO_DATABASE_URL": f"{url}/{self.dbname}",
                "BENCHSTUDIO_BROKER_URL": self.redis.url,
                "BENCHSTUDIO_SECRETS_FILE": str(self.workdir / "secrets.env"),
                "BENCHSTUDIO_SIGNUP_POLICY": "open",
                "BENCHSTUDIO_DEMO_SIMULATOR": "false",
                "BENCHSTUDIO_DEMO_SIMULATOR_URL": f"http://127.0.0.1:{self.sim_port}",
                "BENCHSTUDIO_ARGON2_TIME_COST": "1",
                "BENCHSTUDIO_ARGON2_MEMORY_KIB": "8192",
                "BENCHSTUDIO_LOG_LEVEL": "WARNING",
                "BENCHSTUDIO_WEB_DIST": str(self.workdir / "no-web"),
                **FAST,
            }
        )
        return env

    def _log(self, name: str) -> Any:
        self._logs += 1
        return (self.workdir / f"{self._logs:02d}-{name}.log").open("wb")

    async def start(self) -> None:
        self.redis.start()
        if self.pg is not None:
            self.pg.init()
        conn = await asyncpg.connect(f"{self.postgres}/postgres")
        try:
            await conn.execute(f'CREATE DATABASE "{self.dbname}"')
        finally:
            await conn.close()
        self.sim_port = free_port()
        self.sim = subprocess.Popen(
            [BENCHSTUDIO, "simulate", "--port", str(self.sim_port), *SIMULATOR],
            stdout=self._log("simulate"),
            stderr=subprocess.STDOUT,
        )
        _wait_port(self.sim_port)
        subprocess.run(
            [BENCHSTUDIO, "db", "upgrade"],
            env=self.env(),
            check=True,
            stdout=self._log("upgrade"),
            stderr=subprocess.STDOUT,
        )
        await self.start_serve()
        for _ in range(2):
            self.start_worker()
        await self.wait_workers()

    async def start_serve(self) -> None:
        self.serve = subprocess.Popen(
            [BENCHSTUDIO, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env(),
            stdout=self._log("serve"),
            stderr=subprocess.STDOUT,
        )
        async with api_session(30) as http:
            await wait_healthy(http, self.base)

    def start_worker(self) -> None:
        log = self.workdir / f"worker-{len(self.workers)}.log"
        proc = subprocess.Popen(
            [BENCHSTUDIO, "worker"], env=self.env(), stdout=log.open("wb"), stderr=subprocess.STDOUT
        )
        proc.log = log  # type: ignore[attr-defined]
        self.workers.append(proc)

    async def wait_workers(self, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        for proc in self.workers:
            while b"worker ready" not in proc.log.read_bytes():  # type: ignore[attr-defined]
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker {proc.pid} did not start")
                await asyncio.sleep(0.1)

    async def close(self) -> None:
        for proc in [*self.workers, self.serve, self.sim]:
            _stop(proc)
        self.redis.kill()
        if self.pg is not None:
            self.pg.remove()
            return
        try:
            conn = await asyncpg.connect(f"{POSTGRES}/postgres")
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            finally:
                await conn.close()
        except (OSError, asyncpg.PostgresError) as exc:
            print(f"  (could not drop {self.dbname}: {exc})", file=sys.stderr)


# ---------------------------------------------------------------- jobs and rows


async def submit(
    client: Client, requests: int, concurrency: int = 4, steps: int = 3
) -> dict[str, str]:
    """A benchmark of `steps` steps (context sizes) of `requests` requests each: a step's rows
    are stored, and its `benchmark_result` events published, when the step ends."""
    body = {
        "title": f"faults n={requests}",
        "targets": [await client.demo_target()],
        "mode": "concurrency",
        "concurrency": concurrency,
        "num_requests": requests,
        "warmup": 0,
        "max_tokens": 40,
        "context_tokens": [16 * i for i in range(steps)],
    }
    return dict(await client.ok("POST", "/api/benchmarks", json=body))


async def events(client: Client, job_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = 0
    while True:
        page = await client.ok("GET", f"/api/jobs/{job_id}/events?after={after}")
        if not page:
            return out
        out.extend(page)
        after = page[-1]["seq"]


async def seen_ids(client: Client, job_id: str) -> set[str]:
    return {
        str(e["data"]["request_id"])
        for e in await events(client, job_id)
        if e["type"] == "benchmark_result"
    }


async def stored_rows(client: Client, run_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        page = await client.ok(
            "GET", f"/api/benchmarks/{run_id}/requests?limit=1000&offset={len(rows)}"
        )
        rows.extend(page["items"])
        if len(rows) >= page["total"] or not page["items"]:
            return rows


async def row_count(client: Client, run_id: str) -> int:
    return int((await client.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=1"))["total"])


async def runner_pid(client: Client, job_id: str) -> int:
    """The pid of the worker running the job (its last `job_started` event)."""
    started = [e for e in await events(client, job_id) if e["type"] == "job_started"]
    return int(str(started[-1]["data"]["worker"]).split(":")[1])


async def wait_seen(client: Client, job_id: str, at_least: int, timeout_s: float = 120) -> None:
    """Until `at_least` requests were published live (`benchmark_result` events)."""
    deadline = time.monotonic() + timeout_s
    while len(await seen_ids(client, job_id)) < at_least:
        if time.monotonic() > deadline:
            raise RuntimeError(f"job {job_id} has not published {at_least} results")
        await asyncio.sleep(0.2)


@dataclass
class Ending:
    statuses: list[str]  # every final status seen, in order (interrupted, then done...)
    resumes: int


async def drive_to_end(client: Client, job_id: str, timeout_s: float = JOB_TIMEOUT_S) -> Ending:
    """Wait for the job to end; resume it (POST /resume) when it ends interrupted."""
    deadline = time.monotonic() + timeout_s
    statuses: list[str] = []
    resumes = 0
    while True:
        status, job = await client.call("GET", f"/api/jobs/{job_id}")
        if status == 200 and job["status"] in FINAL_JOB_STATUSES:
            statuses.append(job["status"])
            if job["status"] != "interrupted" or resumes >= 5:
                return Ending(statuses, resumes)
            if (await client.call("POST", f"/api/jobs/{job_id}/resume"))[0] < 300:
                resumes += 1
        if time.monotonic() > deadline:
            statuses.append(f"stuck {job.get('status') if status == 200 else status}")
            return Ending(statuses, resumes)
        await asyncio.sleep(0.3)


@dataclass
class RowCheck:
    lost: int
    dup: int
    stored: int
    planned: int


async def check_rows(client: Client, job_id: str, run_id: str) -> RowCheck:
    rows = await stored_rows(client, run_id)
    ids = Counter(str(r["request_id"]) for r in rows)
    seen = await seen_ids(client, job_id)
    job = await client.ok("GET", f"/api/jobs/{job_id}")
    return RowCheck(
        lost=len(seen - set(ids)),
        dup=sum(n - 1 for n in ids.values() if n > 1),
        stored=len(rows),
        planned=int(job["params"].get("planned_requests", 0)),
    )


@dataclass
class Result:
    fault: str
    expected: str
    observed: str
    lost: int
    ok: bool


# ---------------------------------------------------------------- faults


async def _one_job_kill(
    platform: Platform, client: Client, pick: Callable[[int], list[int]], what: str
) -> tuple[str, int, bool]:
    """Submit a benchmark, kill -9 the processes `pick(worker_pid)` chooses, drive it to done."""
    sub = await submit(client, 100)
    await wait_seen(client, sub["job_id"], 1)  # step 1 stored, step 2 measuring
    victims = pick(await runner_pid(client, sub["job_id"]))
    before = await row_count(client, sub["run_id"])
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    ending = await drive_to_end(client, sub["job_id"])
    rows = await check_rows(client, sub["job_id"], sub["run_id"])
    ok = (
        ending.statuses[-1] == "done"
        and "interrupted" in ending.statuses
        and rows.lost == 0
        and rows.dup == 0
        and rows.stored >= rows.planned
    )
    observed = (
        f"killed {what} with {before} rows stored; {' → '.join(ending.statuses)} "
        f"({ending.resumes} resume); {rows.stored}/{rows.planned} rows, {rows.dup} dup"
    )
    return observed, rows.lost, ok


async def fault_worker_kill(platform: Platform, client: Client) -> Result:
    observed, lost, ok = await _one_job_kill(platform, client, lambda pid: [pid], "its worker")
    return Result("worker_kill", "interrupted → resume → done, no dup/lost", observed, lost, ok)


def _measuring_children(worker_pid: int, before: set[int]) -> list[int]:
    return [
        p.pid for p in psutil.Process(worker_pid).children(recursive=True) if p.pid not in before
    ]


async def fault_child_kill(platform: Platform, client: Client) -> Result:
    helpers = {
        p.pid for w in platform.workers for p in psutil.Process(w.pid).children(recursive=True)
    }

    def pick(worker_pid: int) -> list[int]:
        children = _measuring_children(worker_pid, helpers)
        if not children:
            raise RuntimeError("no measuring child found under the worker")
        return children

    observed, lost, ok = await _one_job_kill(platform, client, pick, "the measuring child")
    return Result("child_kill", "interrupted → resume → done, rows kept", observed, lost, ok)


async def _many_to_end(
    client: Client, subs: list[dict[str, str]]
) -> tuple[Counter[str], int, int, int, int]:
    """final statuses, interruptions (each then resumed: by the API call here or queued again
    by the platform), rows lost, duplicate rows, runs with fewer rows than planned."""
    endings = await asyncio.gather(*(drive_to_end(client, s["job_id"]) for s in subs))
    final: Counter[str] = Counter(e.statuses[-1] for e in endings)
    interruptions = 0
    for sub in subs:
        kinds = Counter(e["type"] for e in await events(client, sub["job_id"]))
        interruptions += kinds["job_interrupted"]
    lost = dup = short = 0
    for sub in subs:
        rows = await check_rows(client, sub["job_id"], sub["run_id"])
        lost, dup = lost + rows.lost, dup + rows.dup
        short += rows.stored < rows.planned
    return final, interruptions, lost, dup, short


async def fault_api_kill(platform: Platform, client: Client) -> Result:
    subs = [await submit(client, 40) for _ in range(8)]  # 6 run, 2 wait queued
    await wait_seen(client, subs[0]["job_id"], 1)
    assert platform.serve is not None
    platform.serve.kill()
    platform.serve.wait(timeout=10)
    await asyncio.sleep(3)
    await platform.start_serve()
    final, interrupted, lost, dup, short = await _many_to_end(client, subs)
    ok = final == Counter({"done": len(subs)}) and lost == dup == short == 0
    observed = f"8 jobs: {dict(final)}, {interrupted} interrupted+resumed, dup {dup}, {short} short"
    return Result("api_kill", "restart → all 8 done, no dup", observed, lost, ok)


async def fault_redis_outage(platform: Platform, client: Client) -> Result:
    subs = [await submit(client, 50) for _ in range(4)]
    await wait_seen(client, subs[0]["job_id"], 1)
    jobs_before = (await client.ok("GET", "/api/jobs?limit=1"))["total"]
    runs_before = (await client.ok("GET", "/api/benchmarks?limit=1"))["total"]
    platform.redis.kill()
    await asyncio.sleep(2)
    try:
        status, _ = await client.call(
            "POST", "/api/benchmarks", json=await _body(client), timeout=aiohttp.ClientTimeout(30)
        )
    except (aiohttp.ClientError, TimeoutError) as exc:
        status = f"{type(exc).__name__}"  # type: ignore[assignment]
    await asyncio.sleep(18)
    platform.redis.start()  # same port, empty
    final, interrupted, lost, dup, short = await _many_to_end(client, subs)
    jobs_after = (await client.ok("GET", "/api/jobs?limit=1"))["total"]
    runs_after = (await client.ok("GET", "/api/benchmarks?limit=1"))["total"]
    ghosts = (jobs_after - jobs_before) + (runs_after - runs_before)
    ok = (
        final == Counter({"done": len(subs)})
        and status == 503
        and ghosts == 0
        and lost == dup == short == 0
    )
    observed = (
        f"submit in outage → {status}; 4 jobs {dict(final)}, {interrupted} interrupted+resumed, "
        f"{ghosts} ghost, dup {dup}"
    )
    return Result("redis_outage", "503 in outage, no ghost, all done", observed, lost, ok)


async def fault_postgres_outage(platform: Platform, client: Client) -> Result:
    assert platform.pg is not None
    subs = [await submit(client, 50) for _ in range(4)]
    await wait_seen(client, subs[0]["job_id"], 1)
    platform.pg.stop()  # -m immediate: as a crash
    await asyncio.sleep(15)
    platform.pg.start()
    final, interrupted, lost, dup, short = await _many_to_end(client, subs)
    ok = final == Counter({"done": len(subs)}) and lost == dup == short == 0
    observed = f"4 jobs: {dict(final)}, {interrupted} interrupted+resumed, dup {dup}, {short} short"
    return Result("postgres_outage", "all done after resumes, no dup", observed, lost, ok)


async def _body(client: Client) -> dict[str, Any]:
    return {
        "title": "faults outage submit",
        "targets": [await client.demo_target()],
        "mode": "concurrency",
        "concurrency": 2,
        "num_requests": 10,
        "warmup": 0,
        "max_tokens": 40,
        "context_tokens": [0],
    }


RUN_STATUS_OF = {"done": ("completed", "stopped"), "cancelled": ("cancelled",)}


async def fault_cancel_storm(platform: Platform, client: Client) -> Result:
    rng = random.Random(16)
    subs = [await submit(client, 20, 2, steps=2) for _ in range(30)]
    doomed = rng.sample(range(30), 15)
    for i in doomed:
        await asyncio.sleep(rng.uniform(0, 0.8))
        await client.call("POST", f"/api/jobs/{subs[i]['job_id']}/cancel")
    endings = await asyncio.gather(
        *(drive_to_end(client, s["job_id"], timeout_s=400) for s in subs)
    )
    final = [e.statuses[-1] for e in endings]
    bad: Counter[str] = Counter()
    lost = dup = 0
    for i, (sub, status) in enumerate(zip(subs, final, strict=True)):
        run = await client.ok("GET", f"/api/benchmarks/{sub['run_id']}")
        wanted = ("cancelled", "done") if i in doomed else ("done",)
        if status not in wanted or run["status"] not in RUN_STATUS_OF.get(status, ()):
            bad[f"{status}/{run['status']}"] += 1
        rows = await check_rows(client, sub["job_id"], sub["run_id"])
        lost, dup = lost + rows.lost, dup + rows.dup
    ok = not bad and lost == 0 and dup == 0
    observed = f"{dict(Counter(final))}; inconsistent job/run {dict(bad)}, dup {dup}"
    return Result("cancel_storm", "15 cancelled/done, 15 done, none stuck", observed, lost, ok)


async def _embedded(platform: Platform, client: Client) -> Result:
    raise NotImplementedError  # sqlite_readonly runs without a scale-out platform


FAULTS: dict[str, tuple[str, Callable[[Platform, Client], Awaitable[Result]]]] = {
    "worker_kill": ("kill -9 the worker running a benchmark", fault_worker_kill),
    "child_kill": ("kill -9 the measuring child of a benchmark", fault_child_kill),
    "api_kill": ("kill -9 `serve` with 8 jobs queued/running, restart it", fault_api_kill),
    "redis_outage": ("kill own Redis for 20 s during 4 runs, submit in it", fault_redis_outage),
    "postgres_outage": ("stop own PostgreSQL 15 s during 4 runs", fault_postgres_outage),
    "cancel_storm": ("30 jobs, 15 cancelled at random moments", fault_cancel_storm),
    "sqlite_readonly": ("embedded: SQLite file immutable 5 s mid-run", _embedded),
}


def _immutable(paths: list[Path], on: bool) -> None:
    """`chattr +i` (root is not stopped by chmod 0444): nobody can write the files."""
    for path in paths:
        if path.exists():
            subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True)


async def fault_sqlite_readonly(workdir: Path) -> Result:
    """Embedded mode: the SQLite file (and its directory, -wal and -shm) made immutable."""
    import sqlite3

    port = free_port()
    server = start_server(workdir, port, settings={k: v for k, v in FAST.items() if "_JOBS_" in k})
    db = workdir / "load.db"
    frozen = [db, Path(f"{db}-wal"), Path(f"{db}-shm"), workdir]
    base = f"http://127.0.0.1:{port}"
    try:
        async with api_session(600) as http:
            await wait_healthy(http, base)
            client = await sign_up(http, base, 1)
            sub = await submit(client, 100, 2)
            await wait_seen(client, sub["job_id"], 1)
            _immutable(frozen, True)
            try:
                await asyncio.sleep(2)
                status, _ = await client.call("POST", "/api/benchmarks", json=await _body(client))
                await asyncio.sleep(3)
            finally:
                _immutable(frozen, False)
            ending = await drive_to_end(client, sub["job_id"])
            rows = await check_rows(client, sub["job_id"], sub["run_id"])
        with sqlite3.connect(db) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        _immutable(frozen, False)
        _stop(server)
    ok = (
        status == 503
        and ending.statuses[-1] == "done"
        and "interrupted" in ending.statuses
        and integrity == "ok"
        and rows.lost == rows.dup == 0
        and rows.stored >= rows.planned
    )
    observed = (
        f"submit → {status}; {' → '.join(ending.statuses)}; {rows.stored}/{rows.planned} rows, "
        f"{rows.dup} dup; integrity_check {integrity}"
    )
    return Result(
        "sqlite_readonly", "503, interrupted → resume → done, integrity ok", observed, rows.lost, ok
    )


async def run_fault(name: str, root: Path) -> Result:
    workdir = root / name
    workdir.mkdir(parents=True, exist_ok=True)
    if name == "sqlite_readonly":
        try:
            return await fault_sqlite_readonly(workdir)
        except Exception as exc:
            text = f"error: {type(exc).__name__}: {exc}"[:160]
            return Result(name, FAULTS[name][0], text, -1, False)
    platform = Platform(workdir, own_postgres=name == "postgres_outage")
    expected = FAULTS[name][0]
    try:
        await platform.start()
        async with api_session(600) as http:
            client = await sign_up(http, platform.base, 1)
            return await FAULTS[name][1](platform, client)
    except Exception as exc:  # a fault that breaks the harness is a FAIL, not a crash
        return Result(name, expected, f"error: {type(exc).__name__}: {exc}"[:160], -1, False)
    finally:
        await platform.close()


def table(results: list[Result]) -> str:
    lines = [
        "| fault | expected | observed | rows lost | verdict |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        verdict = "PASS" if r.ok else "FAIL"
        lost = "?" if r.lost < 0 else str(r.lost)
        lines.append(f"| {r.fault} | {r.expected} | {r.observed} | {lost} | {verdict} |")
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 on any FAIL")
    parser.add_argument("--only", choices=sorted(FAULTS), action="append")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--workdir", type=Path, help="keep logs here (default: a temp dir)")
    args = parser.parse_args()
    if args.list:
        for name, (what, _) in FAULTS.items():
            print(f"{name:14} {what}")
        return 0
    root = args.workdir or Path(tempfile.mkdtemp(prefix="faults-"))
    results = []
    for name in args.only or list(FAULTS):
        started = time.monotonic()
        print(f"{name} ...", file=sys.stderr, flush=True)
        results.append(await run_fault(name, root))
        print(f"  {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    print(table(results))
    if args.workdir is None and all(r.ok for r in results):
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"logs: {root}", file=sys.stderr)
    return 1 if args.check and not all(r.ok for r in results) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
