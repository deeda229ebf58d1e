"""Scale-out through a Redis outage, on a redis-server of the test's own that it stops and
starts: submissions and tickets answer 503 and write nothing, health says so, the first call
after the restart succeeds, a running job rides the outage out, and each outage is logged once
per process (a line when it starts, one when it ends)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from benchstudio.accounts.models import User
from benchstudio.app import create_app
from benchstudio.audit.service import AuditRecorder
from benchstudio.config import Settings
from benchstudio.core import outages
from benchstudio.core.clock import utcnow
from benchstudio.core.tokens import TokenKeys, encode_access_token
from benchstudio.jobs import repository
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE, UNIT_EVENT
from benchstudio.jobs.limits import FixedLimits, settings_defaults
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.realtime.hub import RedisEventHub
from benchstudio.realtime.tickets import RedisTicketStore, TicketGrant
from benchstudio.storage.engine import Database, DatabaseConfig, open_database
from benchstudio.storage.migrate import upgrade_to_head
from benchstudio.storage.unit_of_work import read_unit, write_unit
from platform_settings import make_settings

if TYPE_CHECKING:
    from jobs_fixtures import Eventually
    from redis_server import RedisServer

pytest_plugins = ["jobs_fixtures", "redis_server"]
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(autouse=True)
def outage_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    outages.reset()
    caplog.set_level(logging.WARNING, logger="benchstudio.core.outages")
    yield caplog
    outages.reset()


def _lines(caplog: pytest.LogCaptureFixture, phrase: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "benchstudio.core.outages" and phrase in r.getMessage()
    ]


@pytest.fixture
def outage_settings(
    postgres_database: DatabaseConfig, own_redis: RedisServer, tmp_path: Path
) -> Settings:
    upgrade_to_head(postgres_database)
    return make_settings(
        postgres_database,
        tmp_path,
        broker_url=own_redis.url,
        jobs_heartbeat_s=0.2,
        jobs_dispatch_interval_s=0.1,
        default_jobs_per_hour=100_000,
    )


def _headers(settings: Settings, user_id: str) -> dict[str, str]:
    keys = TokenKeys(settings.secret_key.get_secret_value())
    token, _ = encode_access_token(
        keys, user_id=user_id, role="user", token_version=0, now=utcnow(), ttl_s=900
    )
    return {"Authorization": f"Bearer {token}"}


async def add_user(db: Database, email: str) -> str:
    async with write_unit(db) as session:
        user = User(email=email, password_hash="not-a-real-hash", role="user")
        session.add(user)
        await session.flush()
        return user.id


async def _new_user(settings: Settings, email: str) -> str:
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    try:
        return await add_user(db, email)
    finally:
        await db.dispose()


def _event_arrives(ws: Any, job_id: str, kind: str) -> None:
    """Reads the socket (answering with pings, so it stays open) until `kind` for `job_id`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message = ws.receive_json()
        if message.get("job_id") == job_id and message.get("type") == kind:
            return
        ws.send_json({"type": "ping"})
    raise AssertionError(f"no {kind} for the job on the socket")


def test_submit_and_ticket_answer_503_during_an_outage_and_work_at_once_after(
    outage_settings: Settings, own_redis: RedisServer, outage_log: pytest.LogCaptureFixture
) -> None:
    alice = _headers(outage_settings, asyncio.run(_new_user(outage_settings, "a@example.com")))
    body = {"type": DEMO_JOB_TYPE, "params": {"units": 1, "unit_ms": 1}}
    settings = outage_settings.model_copy(update={"ws_heartbeat_s": 0.5})
    with TestClient(create_app(settings)) as client:
        queued = client.post("/api/jobs", json=body, headers=alice)  # no worker: stays queued
        assert queued.status_code == 202
        job_id = queued.json()["id"]
        ticket = client.post("/api/realtime/ticket", headers=alice).json()["ticket"]
        assert client.get("/healthz").json()["redis"] == "ok"
        assert client.get("/readyz").status_code == 200
        with client.websocket_connect(f"/ws?ticket={ticket}") as ws:
            assert ws.receive_json()["type"] == "hello"
            ws.send_json({"type": "resume", "last_seq": {job_id: 0}})
            _event_arrives(ws, job_id, "job_created")

            own_redis.stop()
            refused = client.post("/api/jobs", json=body, headers=alice)
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["code"] == "queue_unavailable"
            assert int(refused.headers["Retry-After"]) > 0
            assert client.get("/api/jobs", headers=alice).json()["total"] == 1, "no ghost"
            no_ticket = client.post("/api/realtime/ticket", headers=alice)
            assert no_ticket.status_code == 503, no_ticket.text
            assert no_ticket.json()["error"]["code"] == "realtime_unavailable"
            assert int(no_ticket.headers["Retry-After"]) > 0
            live = client.get("/healthz")
            assert live.status_code == 200
            assert live.json() | {"version": "x"} == {
                "status": "degraded",
                "version": "x",
                "database": "ok",
                "redis": "unreachable",
            }
            assert client.get("/readyz").status_code == 503
            # Stored while Redis is down, so not published: the socket gets it after.
            cancel = client.post(f"/api/jobs/{job_id}/cancel", headers=alice)
            assert cancel.status_code == 200, cancel.text

            own_redis.start()
            assert client.post("/api/realtime/ticket", headers=alice).status_code == 200
            assert client.post("/api/jobs", json=body, headers=alice).status_code == 202
            assert client.get("/healthz").json()["redis"] == "ok"
            assert client.get("/readyz").status_code == 200
            _event_arrives(ws, job_id, "job_cancelled")
    assert len(_lines(outage_log, "redis unavailable")) == 1
    assert len(_lines(outage_log, "redis available again")) == 1


async def test_the_first_call_on_an_old_connection_after_a_restart_succeeds(
    own_redis: RedisServer,
) -> None:
    store = RedisTicketStore(own_redis.url, 30)
    try:
        await store.issue(TicketGrant("user-1", None))  # opens the pooled connection
        own_redis.stop()
        own_redis.start()
        ticket = await store.issue(TicketGrant("user-1", None))  # on the connection Redis cut
        grant = await store.consume(ticket)
        assert grant is not None and grant.owner_id == "user-1"
    finally:
        await store.close()


async def test_a_running_job_rides_out_a_redis_outage(
    outage_settings: Settings,
    own_redis: RedisServer,
    eventually: Eventually,
    outage_log: pytest.LogCaptureFixture,
) -> None:
    database = open_database(
        DatabaseConfig(outage_settings.database_url, outage_settings.database_schema)
    )
    owner = await add_user(database, "a@example.com")
    hub = RedisEventHub(own_redis.url)
    await hub.start()
    runtime = JobRuntime(
        outage_settings,
        database,
        hub,
        limits=FixedLimits(settings_defaults(outage_settings)),
        auditor=AuditRecorder(),
        execute=True,
        dispatch=True,
    )
    await runtime.start()

    async def units() -> int:
        async with read_unit(database) as session:
            events = await repository.events_after(session, job.id, owner, 0, 10_000)
        return sum(1 for e in events if e.type == UNIT_EVENT)

    async def status() -> str:
        return (await runtime.service.get(owner, job.id)).status

    try:
        job = await runtime.service.submit(owner, DEMO_JOB_TYPE, {"units": 150, "unit_ms": 50})
        await eventually(lambda: _at_least(units, 5))
        own_redis.stop()
        # The job keeps storing units with Redis gone (about 5 s of them at 50 ms a unit).
        await eventually(lambda: _at_least(units, 100))
        own_redis.start()
        await eventually(lambda: _is(status, {"done", "failed", "interrupted"}))
        assert await status() == "done"
        assert await units() == 150
    finally:
        await runtime.stop()
        await hub.stop()
        await database.dispose()
    assert len(_lines(outage_log, "redis unavailable")) == 1
    assert len(_lines(outage_log, "redis available again")) == 1
    # The receive loop, the dispatcher, the event relay and publishing: no traceback at all.
    tracebacks = [r.getMessage() for r in outage_log.records if r.exc_info]
    assert tracebacks == []


async def _at_least(count: object, least: int) -> bool:
    assert callable(count)
    return int(await count()) >= least


async def _is(value: object, wanted: set[str]) -> bool:
    assert callable(value)
    return str(await value()) in wanted
