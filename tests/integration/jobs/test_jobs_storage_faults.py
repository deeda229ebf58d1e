"""Embedded mode on a full disk or a read-only SQLite file: clear 507/503 errors, reads keep
working (an API token's last-use write is skipped), a running job ends interrupted and
resumes once space is back, and the file stays intact.

A full disk is SQLite's `max_page_count` held at the file's current size on every connection
(writes that need a new page fail with SQLITE_FULL, "database or disk is full"); a read-only
file is opened with `?mode=ro` (the tests run as root, so `chmod 0444` would not stop writes).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from job_runtimes import running_runtime
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from benchstudio.app import create_app
from benchstudio.config import Settings
from benchstudio.core.errors import StorageUnavailableError
from benchstudio.jobs import repository
from benchstudio.jobs.context import JobContext
from benchstudio.jobs.registry import JobType, no_cost
from benchstudio.jobs.runtime import JobRuntime, default_registry
from benchstudio.storage.engine import Database, DatabaseConfig, open_database
from benchstudio.storage.unit_of_work import read_unit

pytest_plugins = ["jobs_fixtures"]

BULKY_UNIT = "bulky_unit"
# SQLite's own ceiling: "no limit" for the tests' purposes.
NO_LIMIT_PAGES = 1_073_741_823


class DiskLimit:
    """While `full`, every connection checked out cannot grow the file (a full disk)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.full = False
        event.listen(engine.sync_engine, "checkout", self._apply)

    def _apply(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Below the current size SQLite clamps it to the current size: not one page more.
        cursor.execute(f"PRAGMA max_page_count={1 if self.full else NO_LIMIT_PAGES}")
        cursor.close()


async def _integrity(db: Database) -> str:
    async with read_unit(db) as session:
        return str((await session.execute(text("PRAGMA integrity_check"))).scalar_one())


async def _unit_indexes(db: Database, job_id: str, owner_id: str) -> list[int]:
    async with read_unit(db) as session:
        events = await repository.events_after(session, job_id, owner_id, 0)
    return [int(e.data["index"]) for e in events if e.type == BULKY_UNIT]


async def _run_bulky(context: JobContext) -> Mapping[str, Any]:
    """Each unit stores an event too big for a page's free space: every unit needs new pages."""
    units = int(context.params["units"])
    done = await _unit_indexes(context.database, context.job_id, context.owner_id)
    for index in range(len(done), units):
        context.raise_if_cancelled()
        await asyncio.sleep(0.01)
        padding = f"{index:06d}" * 4000
        await context.record_unit(None, [(BULKY_UNIT, {"index": index, "pad": padding})])
    return {"units": units}


@pytest.fixture
async def database(sqlite_settings: Settings) -> AsyncIterator[Database]:
    db = open_database(DatabaseConfig(sqlite_settings.database_url))
    yield db
    await db.dispose()


@pytest.fixture
async def runtime(sqlite_settings: Settings, database: Database) -> AsyncIterator[JobRuntime]:
    fast = sqlite_settings.model_copy(
        update={"jobs_heartbeat_s": 0.1, "jobs_lease_s": 10.0, "jobs_dispatch_interval_s": 0.05}
    )
    registry = default_registry()
    registry.register(JobType("test.bulky", _run_bulky, timeout_s=600, estimate=no_cost))
    async with running_runtime(fast, database, registry) as jobs:
        yield jobs


async def _fill_the_disk_mid_job(
    runtime: JobRuntime,
    database: Database,
    owner: str,
    disk: DiskLimit,
    eventually: Any,
    units_first: int,
) -> tuple[Any, Any]:
    """A bulky job that fills the disk once `units_first` units are stored: (job, ended job)."""
    job = await runtime.service.submit(owner, "test.bulky", {"units": 30})

    async def some_units() -> bool:
        return len(await _unit_indexes(database, job.id, owner)) >= units_first

    await eventually(some_units)
    disk.full = True

    async def stopped() -> bool:
        return (await runtime.service.get(owner, job.id)).status not in {"queued", "running"}

    await eventually(stopped)
    return job, await runtime.service.get(owner, job.id)


async def test_a_full_disk_interrupts_the_job_and_it_resumes_once_space_is_back(
    runtime: JobRuntime, database: Database, alice: str, eventually: Any
) -> None:
    disk = DiskLimit(database.engine)
    job, ended = await _fill_the_disk_mid_job(runtime, database, alice, disk, eventually, 2)
    assert (ended.status, ended.error) == ("interrupted", "storage: disk full")
    stored = await _unit_indexes(database, job.id, alice)
    assert 2 <= len(stored) < 30 and stored == list(range(len(stored)))
    assert await _integrity(database) == "ok"

    disk.full = False
    await runtime.service.resume(alice, job.id)

    async def done() -> bool:
        return (await runtime.service.get(alice, job.id)).status == "done"

    await eventually(done)
    assert await _unit_indexes(database, job.id, alice) == list(range(30))
    assert await _integrity(database) == "ok"


def _sign_up(client: TestClient) -> tuple[dict[str, str], dict[str, str]]:
    """A new user: (session headers, read-only API token headers); the token never used."""
    response = client.post(
        "/api/auth/register", json={"email": "ada@example.com", "password": "correct horse ok"}
    )
    assert response.status_code == 201, response.text
    session = {"Authorization": f"Bearer {response.json()['access_token']}"}
    created = client.post(
        "/api/auth/tokens", json={"name": "ci", "scopes": ["read"]}, headers=session
    )
    assert created.status_code == 201, created.text
    return session, {"Authorization": f"Bearer {created.json()['token']}"}


def _big_template(name: str) -> dict[str, str]:
    return {"name": name, "user_prompt": "lorem ipsum " * 12_000}


@pytest.fixture
def client(sqlite_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_full_disk_answers_507_and_reads_with_an_api_token_still_work(
    client: TestClient,
) -> None:
    session, token = _sign_up(client)
    database: Database = client.app.state.database  # type: ignore[attr-defined]
    disk = DiskLimit(database.engine)
    disk.full = True

    refused = client.post("/api/prompt-templates", json=_big_template("t1"), headers=session)
    assert refused.status_code == 507, refused.text
    error = refused.json()["error"]
    assert error["code"] == "insufficient_storage" and "disk is full" in error["message"]
    assert error["request_id"] == refused.headers["x-request-id"]
    for path in ("/api/prompt-templates", "/api/jobs", "/api/benchmarks"):
        assert client.get(path, headers=token).status_code == 200, path

    disk.full = False
    assert (
        client.post("/api/prompt-templates", json=_big_template("t1"), headers=session).status_code
        == 201
    )
    assert client.portal.call(_integrity, database) == "ok"  # type: ignore[union-attr]


def _read_only(settings: Settings) -> Settings:
    path = make_url(settings.database_url).database
    return settings.model_copy(
        update={"database_url": f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"}
    )


def test_a_read_only_database_answers_503_and_reads_still_work(
    sqlite_settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(sqlite_settings), raise_server_exceptions=False) as writable:
        session, token = _sign_up(writable)
        assert (
            writable.post(
                "/api/prompt-templates", json={"name": "kept", "user_prompt": "hi"}, headers=session
            ).status_code
            == 201
        )

    with TestClient(create_app(_read_only(sqlite_settings)), raise_server_exceptions=False) as ro:
        # The token's first use would record it: a write the read must survive, twice.
        for _ in range(2):
            listed = ro.get("/api/prompt-templates", headers=token)
            assert listed.status_code == 200, listed.text
            assert [t["name"] for t in listed.json()] == ["kept"]
        refused = ro.post(
            "/api/prompt-templates", json={"name": "new", "user_prompt": "hi"}, headers=session
        )
        assert refused.status_code == 503, refused.text
        error = refused.json()["error"]
        assert error["code"] == "storage_unavailable" and "read-only" in error["message"]
    touch_warnings = [r for r in caplog.records if "last use" in r.getMessage()]
    assert len(touch_warnings) == 1, "logged once per outage, not per request"


async def test_the_job_ends_interrupted_even_when_its_final_event_does_not_fit(
    runtime: JobRuntime,
    database: Database,
    alice: str,
    eventually: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    disk = DiskLimit(database.engine)
    store_events = repository.append_events

    async def no_room_for_the_final_event(
        session: Any, job_id: str, owner_id: str, events: Any, at: Any
    ) -> Any:
        if any(e.type == "job_interrupted" for e in events):
            raise StorageUnavailableError("no room", reason="disk full", full=True)
        return await store_events(session, job_id, owner_id, events, at)

    monkeypatch.setattr(repository, "append_events", no_room_for_the_final_event)
    _, ended = await _fill_the_disk_mid_job(runtime, database, alice, disk, eventually, 1)
    assert (ended.status, ended.error) == ("interrupted", "storage: disk full")
    assert ended.lease_owner is None
