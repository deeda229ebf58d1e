"""Scale-out: PostgreSQL + Redis, an API replica and two `benchstudio worker` processes.

Jobs from two users all finish on some worker with their events on the API's sockets; a worker
killed with SIGKILL leaves its job interrupted after the lease, and the other worker goes on.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from benchstudio.accounts.models import User
from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.core.tokens import TokenKeys, encode_access_token
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.migrate import upgrade_to_head
from benchstudio.storage.unit_of_work import write_unit
from platform_settings import make_settings

# Two worker processes start per test: on a loaded two-core machine their start alone took
# 55 s and a whole test 148 s, too close to the suite's 180 s hang guard.
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.timeout(600)]
BENCHSTUDIO = str(Path(sys.executable).parent / "benchstudio")
FAST = {
    "jobs_heartbeat_s": 0.2,
    "jobs_lease_s": 2.0,
    "jobs_dispatch_interval_s": 0.1,
    "default_jobs_per_hour": 100_000,
    "default_concurrent_jobs": 3,
    "jobs_max_running": 6,
}


@pytest.fixture
def cluster_settings(postgres_database: DatabaseConfig, redis_url: str, tmp_path: Path) -> Settings:
    upgrade_to_head(postgres_database)
    Redis.from_url(redis_url).flushdb()
    return make_settings(postgres_database, tmp_path, broker_url=redis_url, **FAST)


def _worker_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "BENCHSTUDIO_ENV": "test",
            "BENCHSTUDIO_DATABASE_URL": settings.database_url,
            "BENCHSTUDIO_DATABASE_SCHEMA": settings.database_schema or "",
            "BENCHSTUDIO_BROKER_URL": settings.broker_url,
            "BENCHSTUDIO_SECRET_KEY": settings.secret_key.get_secret_value(),
            "BENCHSTUDIO_VAULT_KEYS": settings.vault_keys.get_secret_value(),
            "BENCHSTUDIO_SECRETS_FILE": str(settings.secrets_file),
            "BENCHSTUDIO_LOG_LEVEL": "WARNING",
            "BENCHSTUDIO_WORKER_CONCURRENCY": "3",
        }
    )
    env.update({f"BENCHSTUDIO_{k.upper()}": str(v) for k, v in FAST.items()})
    return env


@pytest.fixture
def workers(cluster_settings: Settings) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = _worker_env(cluster_settings)
    procs = [
        subprocess.Popen([BENCHSTUDIO, "worker"], env=env, stderr=subprocess.PIPE) for _ in range(2)
    ]
    try:
        for proc in procs:
            assert proc.stderr is not None
            line = proc.stderr.readline().decode()
            assert "worker ready" in line, line
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _users(settings: Settings, emails: list[str]) -> list[str]:
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        async with write_unit(db) as session:
            users = [User(email=e, password_hash="x", role="user") for e in emails]
            session.add_all(users)
            await session.flush()
            return [u.id for u in users]
    finally:
        await db.dispose()


def _headers(settings: Settings, user_id: str) -> dict[str, str]:
    keys = TokenKeys(settings.secret_key.get_secret_value())
    token, _ = encode_access_token(
        keys, user_id=user_id, role="user", token_version=0, now=utcnow(), ttl_s=900
    )
    return {"Authorization": f"Bearer {token}"}


def _submit(client: TestClient, headers: dict[str, str], units: int, unit_ms: int) -> str:
    body = {"type": DEMO_JOB_TYPE, "params": {"units": units, "unit_ms": unit_ms}}
    response = client.post("/api/jobs", json=body, headers=headers)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _job(client: TestClient, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    return dict(client.get(f"/api/jobs/{job_id}", headers=headers).json())


def _wait(predicate: Any, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _open_socket(client: TestClient, headers: dict[str, str]) -> Any:
    ticket = client.post("/api/realtime/ticket", headers=headers).json()["ticket"]
    return client.websocket_connect(f"/ws?ticket={ticket}")


def test_jobs_from_two_users_finish_on_workers_with_events_on_the_api_socket(
    cluster_settings: Settings, workers: list[subprocess.Popen[bytes]]
) -> None:
    alice_id, bob_id = asyncio.run(_users(cluster_settings, ["a@example.com", "b@example.com"]))
    alice, bob = _headers(cluster_settings, alice_id), _headers(cluster_settings, bob_id)
    api_settings = cluster_settings.model_copy(update={"jobs_dispatcher": True})
    with TestClient(create_app(api_settings)) as client, _open_socket(client, alice) as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_json({"type": "resume", "last_seq": {}})
        jobs = {_submit(client, alice, 5, 20): alice for _ in range(3)}
        jobs.update({_submit(client, bob, 5, 20): bob for _ in range(3)})
        alice_jobs = {j for j, h in jobs.items() if h is alice}
        completed: set[str] = set()
        while completed != alice_jobs:
            message = ws.receive_json()
            if message.get("type") == "job_completed":
                completed.add(message["job_id"])
        _wait(lambda: all(_job(client, h, j)["status"] == "done" for j, h in jobs.items()))
        runners = set()
        for job_id, headers in jobs.items():
            events = client.get(f"/api/jobs/{job_id}/events", headers=headers).json()
            started = [e for e in events if e["type"] == "job_started"]
            assert len(started) == 1
            runners.add(started[0]["data"]["worker"])
            units = [e["data"]["index"] for e in events if e["type"] == "unit_result"]
            assert units == [0, 1, 2, 3, 4]
    worker_pids = {str(p.pid) for p in workers}
    assert {r.split(":")[1] for r in runners} <= worker_pids, "jobs ran only on the workers"


def test_a_worker_killed_mid_job_leaves_it_interrupted_and_the_other_goes_on(
    cluster_settings: Settings, workers: list[subprocess.Popen[bytes]]
) -> None:
    (alice_id,) = asyncio.run(_users(cluster_settings, ["a@example.com"]))
    alice = _headers(cluster_settings, alice_id)
    with TestClient(create_app(cluster_settings)) as client:
        long_job = _submit(client, alice, 2000, 20)

        def units_of(job_id: str) -> list[dict[str, Any]]:
            events = client.get(f"/api/jobs/{job_id}/events", headers=alice).json()
            return [e for e in events if e["type"] == "unit_result"]

        _wait(lambda: len(units_of(long_job)) >= 5)
        events = client.get(f"/api/jobs/{long_job}/events", headers=alice).json()
        runner = next(e for e in events if e["type"] == "job_started")["data"]["worker"]
        victim = next(p for p in workers if str(p.pid) == runner.split(":")[1])
        before_kill = len(units_of(long_job))
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        # Not counted right after the kill: a COMMIT the worker sent just before dying can
        # still land in PostgreSQL after its process is gone. Once the job is interrupted
        # (a lease later) the count is final.
        _wait(lambda: _job(client, alice, long_job)["status"] == "interrupted")
        kept = [unit["data"]["index"] for unit in units_of(long_job)]
        assert len(kept) >= before_kill >= 5, "finished units are kept"
        assert kept == list(range(len(kept)))
        next_job = _submit(client, alice, 3, 5)
        _wait(lambda: _job(client, alice, next_job)["status"] == "done")


def _job_events_until_done(ws: Any, job_ids: set[str]) -> dict[str, list[int]]:
    """Every (job, seq) a socket receives until each of `job_ids` has completed."""
    seen: dict[str, list[int]] = {job_id: [] for job_id in job_ids}
    completed: set[str] = set()
    while completed != job_ids:
        message = ws.receive_json()
        job_id = message.get("job_id")
        if job_id in seen:
            seen[job_id].append(int(message["seq"]))
            if message.get("type") == "job_completed":
                completed.add(job_id)
    return seen


def test_two_api_replicas_and_two_workers_run_each_job_once_with_every_event_on_both_sockets(
    cluster_settings: Settings, workers: list[subprocess.Popen[bytes]]
) -> None:
    """Issue 16 item 6: both replicas dispatch (one at a time, under the Redis lock), each job is
    claimed once, and a socket on either replica gets every event of the owner's jobs in order."""
    (alice_id,) = asyncio.run(_users(cluster_settings, ["a@example.com"]))
    alice = _headers(cluster_settings, alice_id)
    api_settings = cluster_settings.model_copy(update={"jobs_dispatcher": True})
    with (
        TestClient(create_app(api_settings)) as first,
        TestClient(create_app(api_settings)) as second,
        _open_socket(first, alice) as ws_first,
        _open_socket(second, alice) as ws_second,
    ):
        for ws in (ws_first, ws_second):
            assert ws.receive_json()["type"] == "hello"
            ws.send_json({"type": "resume", "last_seq": {}})
        jobs = {_submit(client, alice, 4, 20) for client in (first, second, first, second)}
        on_first = _job_events_until_done(ws_first, jobs)
        on_second = _job_events_until_done(ws_second, jobs)
        for job_id in jobs:
            stored = [
                e["seq"] for e in first.get(f"/api/jobs/{job_id}/events", headers=alice).json()
            ]
            events = second.get(f"/api/jobs/{job_id}/events", headers=alice).json()
            assert [e["seq"] for e in events] == stored
            assert len([e for e in events if e["type"] == "job_started"]) == 1  # claimed once
            # Both sockets were open before the job existed: every event, in order, once.
            assert on_first[job_id] == stored, (job_id, on_first[job_id], stored)
            assert on_second[job_id] == stored, (job_id, on_second[job_id], stored)
