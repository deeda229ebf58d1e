"""A benchmark run follows its job however the job ends: a measuring child killed with SIGKILL
interrupts both (rows kept, resumable), and a server start repairs runs left active whose job
had ended or is gone."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from typing import Any

from benchruns_driver import Api, running_api
from sqlalchemy import delete, update

from benchstudio.benchruns.models import BenchmarkRun
from benchstudio.config import Settings
from benchstudio.jobs.models import Job
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.unit_of_work import read_unit, write_unit

SLOW_BODY: dict[str, Any] = {"runs": 15, "warmup": 0, "max_tokens": 64}


def _measuring_pid(run_id: str, timeout_s: float = 60.0) -> int:
    """The pid of the run's measuring child (named after the run)."""
    deadline = time.monotonic() + timeout_s
    while True:
        for child in multiprocessing.active_children():
            if child.name == f"benchmark-{run_id}" and child.pid is not None:
                return child.pid
        assert time.monotonic() < deadline, "no measuring child"
        time.sleep(0.05)


def _submit(api: Api) -> tuple[str, str]:
    body = {**SLOW_BODY, "targets": [api.demo_target("slow-sim")]}
    submitted = api.ok("POST", "/api/benchmarks", 202, json=body)
    return submitted["run_id"], submitted["job_id"]


def test_a_killed_measuring_child_interrupts_job_and_run_and_resume_finishes(
    api: Api,
) -> None:
    api.sign_up("killed-child@example.com")
    run_id, job_id = _submit(api)
    api.wait_rows(run_id, 2)
    os.kill(_measuring_pid(run_id), signal.SIGKILL)
    job = api.wait_job(job_id)
    assert job["status"] == "interrupted", job
    assert "stopped unexpectedly" in job["error"]
    run = api.ok("GET", f"/api/benchmarks/{run_id}")
    stored = api.ok("GET", f"/api/benchmarks/{run_id}/requests?limit=1")["total"]
    assert run["status"] == "interrupted" and run["error"] == job["error"]
    assert run["request_count"] == stored >= 2
    api.ok("POST", f"/api/jobs/{job_id}/resume")
    assert api.wait_job(job_id)["status"] == "done"
    assert api.ok("GET", f"/api/benchmarks/{run_id}")["status"] == "completed"


async def _set(config: DatabaseConfig, run_id: str, job_id: str, job: dict[str, Any]) -> None:
    """Leave the run marked running while its job ended (`job`), or with its job gone."""
    db = open_database(config)
    try:
        async with write_unit(db) as session:
            await session.execute(
                update(BenchmarkRun).where(BenchmarkRun.id == run_id).values(status="running")
            )
            if job:
                await session.execute(update(Job).where(Job.id == job_id).values(**job))
            else:
                await session.execute(delete(Job).where(Job.id == job_id))
    finally:
        await db.dispose()


async def _stored_run(config: DatabaseConfig, run_id: str) -> tuple[str, str | None]:
    db = open_database(config)
    try:
        async with read_unit(db) as session:
            run = await session.get(BenchmarkRun, run_id)
            assert run is not None
            return run.status, run.error
    finally:
        await db.dispose()


def test_a_server_start_repairs_runs_whose_job_ended_or_is_gone(
    api: Api, settings: Settings
) -> None:
    api.sign_up("repair@example.com")
    body = {"runs": 1, "warmup": 0, "max_tokens": 8, "targets": [api.demo_target()]}
    ended = api.ok("POST", "/api/benchmarks", 202, json=body)
    gone = api.ok("POST", "/api/benchmarks", 202, json=body)
    for submitted in (ended, gone):
        assert api.wait_job(submitted["job_id"])["status"] == "done"
    config = DatabaseConfig(settings.database_url, settings.database_schema)
    reason = "The measuring process stopped unexpectedly (exit code -9)."
    asyncio.run(
        _set(config, ended["run_id"], ended["job_id"], {"status": "failed", "error": reason})
    )
    asyncio.run(_set(config, gone["run_id"], gone["job_id"], {}))
    # A new server process on the same database: its start repairs both runs.
    for fresh in running_api(api.client.app.state.settings):
        fresh.token = api.token
        assert asyncio.run(_stored_run(config, ended["run_id"])) == ("failed", reason)
        status, error = asyncio.run(_stored_run(config, gone["run_id"]))
        assert status == "failed" and "deleted" in (error or "")
