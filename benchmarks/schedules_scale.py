"""The schedule dispatcher's pass with 10,000 enabled schedules on PostgreSQL (issue 22).

One user owns 10,000 enabled schedules (an eval of the sample suite on the demo provider), by
default nightly (`--every-hours 24`), their start times spread evenly over the period, each
with its first run decided: a pass every 10 s finds one or two of them due (hourly ones: 28).
In a fresh PostgreSQL schema, migrated to head, through the real app (jobs stay queued: no job
dispatcher):

- an idle pass: nothing due (the `enabled, next_due_at` index answers without a scan);
- a busy pass: the due schedules checked (owner, provider, model, key, budget), decided,
  stored, and their runs submitted through the eval service (limits, spend cap, the job row),
  as the server's dispatcher does every 10 s. The submissions are timed apart: they cost what
  any `POST /api/evals` costs; the dispatcher's own share is the rest.

Each figure is the median of PASSES passes, on the injected clock (each busy pass 10 s later).

Goal: a pass takes at most 100 ms, idle or busy (its runs' submissions included).

    .venv/bin/python benchmarks/schedules_scale.py --check
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import insert

from benchstudio.app import create_app
from benchstudio.config import Environment, Settings
from benchstudio.core.ids import new_id
from benchstudio.schedules.models import Schedule
from benchstudio.schedules.service import ScheduleContext, dispatch
from benchstudio.schedules.service.dispatch import PassReport
from benchstudio.storage.engine import Database, DatabaseConfig
from benchstudio.storage.migrate import upgrade_to_head
from benchstudio.storage.unit_of_work import write_unit

POSTGRES_URL = os.environ.get(
    "BENCHSTUDIO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
SCHEDULES = 10_000
PASS_EVERY = timedelta(seconds=10)
PASSES = 7
BUDGET_MS = 100.0
BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = BASE

    def __call__(self) -> datetime:
        return self.now


def _settings(schema: str, tmp: Path) -> Settings:
    return Settings(
        env=Environment.TEST,
        database_url=POSTGRES_URL,
        database_schema=schema,
        secret_key=SecretStr("s" * 48),
        vault_keys=SecretStr("q2H9c3JkTGVfdGVzdF9rZXlfZm9yX2JlbmNoc3R1ZGk="),
        secrets_file=tmp / "secrets.env",
        web_dist=tmp / "no-web-dist",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        jobs_dispatcher=False,
        schedules_dispatcher=False,
        default_jobs_per_hour=100_000,
    )


def _rows(owner_id: str, config: dict[str, Any], hours: int) -> list[dict[str, Any]]:
    """Schedules every `hours`, starts spread over the period, their first occurrence
    decided."""
    rows = []
    for i in range(SCHEDULES):
        starts = BASE + timedelta(seconds=i * 3600 * hours / SCHEDULES)
        timing = {
            "rule": {"kind": "interval", "every": hours, "unit": "hours"},
            "starts_at": starts.isoformat(),
            "catch_up": "skip",
            "overlap": "queue",  # the first runs stay queued here: the next ones wait
            "max_running": 20,
        }
        rows.append(
            {
                "id": new_id(),
                "owner_id": owner_id,
                "name": f"Hourly eval {i}",
                "kind": "eval",
                "config": config,
                "timing": timing,
                "enabled": True,
                "pause_after_failures": 3,
                "monthly_budget_usd": None,
                "keyed_provider_ids": [],
                "decided_through": starts,
                "runs_so_far": 1,
                "active_since": BASE,
                "consecutive_failures": 0,
                "next_due_at": starts + timedelta(hours=hours),
                "created_at": BASE,
                "updated_at": BASE,
            }
        )
    return rows


async def _insert(database: Database, rows: list[dict[str, Any]]) -> None:
    async with write_unit(database) as session:
        for start in range(0, len(rows), 1000):
            await session.execute(insert(Schedule), rows[start : start + 1000])


class SubmitTimer:
    """Times the run submissions inside a pass (the eval service's work, as for any run),
    so the dispatcher's own share can be told apart."""

    def __init__(self) -> None:
        self.ms = 0.0
        self._start_run = dispatch._start_run

    def install(self) -> None:
        async def timed(*args: Any) -> tuple[str, str]:
            started = time.perf_counter()
            try:
                return await self._start_run(*args)
            finally:
                self.ms += (time.perf_counter() - started) * 1000

        dispatch._start_run = timed  # type: ignore[assignment]


async def _timed(ctx: ScheduleContext, timer: SubmitTimer) -> tuple[float, float, PassReport]:
    """(the pass, its run submissions) in ms, and its report."""
    timer.ms = 0.0
    started = time.perf_counter()
    report = await dispatch.dispatch_pass(ctx)
    return (time.perf_counter() - started) * 1000, timer.ms, report


def _measure(client: TestClient, hours: int) -> int:
    api: dict[str, str] = {}
    response = client.post(
        "/api/auth/register", json={"email": "scale@example.com", "password": "password-123"}
    )
    api["Authorization"] = f"Bearer {response.json()['access_token']}"
    suite = client.post("/api/suites/sample", headers=api).json()
    providers = client.get("/api/providers", headers=api).json()
    demo = next(p for p in providers if p["is_demo"])
    me = client.get("/api/users/me", headers=api).json()
    config = {
        "suite_id": suite["id"],
        "targets": [{"provider_id": demo["id"], "model_id": "benchstudio-sim"}],
    }
    state = client.app.state  # type: ignore[attr-defined]
    clock = Clock()
    ctx = ScheduleContext(
        db=state.database, settings=state.settings, vault=state.vault, jobs=state.jobs, clock=clock
    )
    portal = client.portal
    assert portal is not None
    portal.call(_insert, state.database, _rows(me["id"], config, hours))

    timer = SubmitTimer()
    timer.install()
    idle: list[float] = []
    own: list[float] = []
    submits: list[float] = []
    due: list[int] = []
    clock.now = BASE + timedelta(hours=hours, seconds=-1)  # before the first is due
    for _ in range(PASSES):
        ms, _, report = portal.call(_timed, ctx, timer)
        assert report.due == 0, report
        idle.append(ms)
    clock.now = BASE + timedelta(hours=hours)
    portal.call(_timed, ctx, timer)  # warm-up: the first due schedule, caches, statements
    for _ in range(PASSES):
        clock.now += PASS_EVERY
        ms, submit_ms, report = portal.call(_timed, ctx, timer)
        assert report.due and len(report.dispatched) == report.due, report
        own.append(ms - submit_ms)
        submits.append(submit_ms)
        due.append(report.due)
    idle_ms, own_ms, submit_ms = (statistics.median(x) for x in (idle, own, submits))
    n = statistics.median(due)
    print(
        f"{SCHEDULES} enabled schedules (every {hours} h) on PostgreSQL; "
        f"a pass every {PASS_EVERY.seconds} s"
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"idle pass (none due): {idle_ms:.1f} ms (median of {PASSES})")
    print(
        f"busy pass, {n:.0f} due: the dispatcher's own work {own_ms:.1f} ms "
        f"({own_ms / n:.1f} ms each: select, pause checks, decide, store), median of {PASSES}"
    )
    print(
        f"  plus submitting their {n:.0f} runs through the eval service: {submit_ms:.1f} ms "
        f"({submit_ms / n:.1f} ms each, what any POST /api/evals costs)"
    )
    busy_ms = statistics.median(o + b for o, b in zip(own, submits, strict=True))
    print(f"busy pass in all: {busy_ms:.1f} ms (median of {PASSES})")
    failures = [
        f"{name} {ms:.1f} ms > {BUDGET_MS:.0f} ms"
        for name, ms in (("idle pass", idle_ms), ("busy pass", busy_ms))
        if ms > BUDGET_MS
    ]
    for failure in failures:
        print(f"MISSED: {failure}")
    return len(failures)


async def _drop(schema: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every-hours", type=int, default=24, help="the schedules' period")
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args()
    schema = f"scale_{uuid.uuid4().hex[:10]}"
    try:
        upgrade_to_head(DatabaseConfig(url=POSTGRES_URL, schema=schema))
        with tempfile.TemporaryDirectory() as tmp:
            settings = _settings(schema, Path(tmp))
            with TestClient(create_app(settings)) as client:
                missed = _measure(client, args.every_hours)
    finally:
        asyncio.run(_drop(schema))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
