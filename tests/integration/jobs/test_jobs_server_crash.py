"""A server killed with SIGKILL mid-job: after restart, queued jobs are intact and run, the
running one is interrupted with the units it had finished."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from benchstudio.accounts.models import User
from benchstudio.audit.service import AuditRecorder
from benchstudio.config import Settings
from benchstudio.jobs import repository
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE, UNIT_EVENT
from benchstudio.jobs.domain import UserLimits
from benchstudio.jobs.limits import FixedLimits
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.jobs.runtime import default_registry
from benchstudio.jobs.service import JobService
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.unit_of_work import read_unit, write_unit

# Two server starts: on a loaded two-core machine importing the app alone took 18-24 s
# (7 s of CPU) and a start up to its first job 33 s, so the bounds below only guard against a
# hang. A server that dies fails the test at once, with its log.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
BENCHSTUDIO = str(Path(sys.executable).parent / "benchstudio")
LIVENESS_S = 240


def _server_env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "BENCHSTUDIO_ENV": "test",
            "BENCHSTUDIO_DATABASE_URL": settings.database_url,
            "BENCHSTUDIO_SECRET_KEY": settings.secret_key.get_secret_value(),
            "BENCHSTUDIO_VAULT_KEYS": settings.vault_keys.get_secret_value(),
            "BENCHSTUDIO_SECRETS_FILE": str(tmp_path / "secrets.env"),
            "BENCHSTUDIO_LOG_LEVEL": "WARNING",
            "BENCHSTUDIO_DEMO_SIMULATOR": "false",
            "BENCHSTUDIO_DEFAULT_CONCURRENT_JOBS": "1",
            "BENCHSTUDIO_JOBS_DISPATCH_INTERVAL_S": "0.05",
            "BENCHSTUDIO_WEB_DIST": str(tmp_path / "no-web"),
        }
    )
    return env


def _start_server(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [BENCHSTUDIO, "serve", "--host", "127.0.0.1", "--port", "0"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=sink,
        )


async def _seed(settings: Settings) -> tuple[str, list[str]]:
    db = open_database(DatabaseConfig(settings.database_url))
    try:
        async with write_unit(db) as session:
            user = User(email="crash@example.com", password_hash="x", role="user")
            session.add(user)
            await session.flush()
            owner = user.id
        service = JobService(
            db,
            CollectingPublisher(),
            FixedLimits(UserLimits(jobs_per_hour=None)),
            default_registry(),
            auditor=AuditRecorder(),
        )
        long_job = await service.submit(owner, DEMO_JOB_TYPE, {"units": 3000, "unit_ms": 10})
        short = [
            await service.submit(owner, DEMO_JOB_TYPE, {"units": 3, "unit_ms": 1}) for _ in range(2)
        ]
        return owner, [long_job.id] + [j.id for j in short]
    finally:
        await db.dispose()


async def _state(settings: Settings, owner: str, ids: list[str]) -> list[tuple[str, int]]:
    db = open_database(DatabaseConfig(settings.database_url))
    try:
        async with read_unit(db) as session:
            result = []
            for job_id in ids:
                job = await repository.get_job(session, job_id)
                assert job is not None
                events = await repository.events_after(session, job_id, owner, 0)
                result.append((job.status, sum(e.type == UNIT_EVENT for e in events)))
            return result
    finally:
        await db.dispose()


def _wait(
    settings: Settings,
    owner: str,
    ids: list[str],
    ok: Callable[..., bool],
    server: subprocess.Popen[bytes],
    log: Path,
) -> list[tuple[str, int]]:
    deadline = time.monotonic() + LIVENESS_S
    while True:
        state = asyncio.run(_state(settings, owner, ids))
        if ok(state):
            return state
        assert server.poll() is None, f"server exited {server.returncode}: {log.read_text()}"
        assert time.monotonic() < deadline, f"state never reached: {state}; {log.read_text()}"
        time.sleep(0.1)


def test_sigkilled_server_restarts_with_queue_intact_and_running_job_interrupted(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    owner, ids = asyncio.run(_seed(sqlite_settings))
    env = _server_env(sqlite_settings, tmp_path)
    log = tmp_path / "server.log"
    server = _start_server(env, log)
    try:
        _wait(
            sqlite_settings,
            owner,
            ids,
            lambda s: s[0][0] == "running" and s[0][1] >= 5,
            server,
            log,
        )
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    after_crash = asyncio.run(_state(sqlite_settings, owner, ids))
    assert after_crash[0][0] == "running", "nobody has noticed yet"
    assert [s for s, _ in after_crash[1:]] == ["queued", "queued"]
    kept = after_crash[0][1]
    server = _start_server(env, log)
    try:
        final = _wait(
            sqlite_settings,
            owner,
            ids,
            lambda s: s[0][0] == "interrupted" and all(st == "done" for st, _ in s[1:]),
            server,
            log,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    assert final[0][1] == kept >= 5, "the finished units of the interrupted job are kept"
    assert [n for _, n in final[1:]] == [3, 3]
