"""Exactly once per occurrence on PostgreSQL: two dispatchers passing at the same instant, on
two connection pools (two API replicas), start each due occurrence once; the uniqueness rule
on (schedule, occurrence) turns the loser's claim away. With Redis, the leader lock lets one
of two dispatchers pass at a time."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from schedules_driver import START, Clock, Platform, benchmark_body, interval_timing, platform
from schedules_driver import quiet_settings as quiet

from benchstudio.config import Settings
from benchstudio.jobs.dispatcher import NoLock
from benchstudio.jobs.queue import RedisDispatchLock, redis_client
from benchstudio.schedules.schemas import ScheduleIn
from benchstudio.schedules.service import crud
from benchstudio.schedules.service import dispatch as dispatch_module
from benchstudio.schedules.service.dispatch import PassReport, dispatch_pass
from benchstudio.schedules.service.periodic import SCHEDULES_LOCK_KEY, ScheduleDispatcher
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.migrate import upgrade_to_head
from platform_settings import make_settings

SCHEDULES = 12


@pytest.fixture
def p(postgres_database: DatabaseConfig, tmp_path: Path) -> Iterator[Platform]:
    upgrade_to_head(postgres_database)
    settings: Settings = make_settings(postgres_database, tmp_path)
    yield from platform(quiet(settings), Clock(START - timedelta(minutes=1)))


def _schedules(p: Platform) -> list[str]:
    api = p.api.sign_up("owner@example.com")
    owner = p.context(p.user_id(api))
    ids = []
    for n in range(SCHEDULES):
        body = {
            "name": f"S{n}",
            "kind": "benchmark",
            "benchmark": benchmark_body(api),
            "timing": interval_timing(),
        }
        ids.append(p.run(crud.create, owner, ScheduleIn.model_validate(body)).id)
    return ids


def _occurrences(p: Platform, schedule_ids: list[str]) -> list[tuple[str, str, int]]:
    found = []
    for schedule_id in schedule_ids:
        log = p.api.ok("GET", f"/api/schedules/{schedule_id}/occurrences")["items"]
        found += [(i["status"], i["occurrence_at"], i["run_number"]) for i in log]
    return found


def test_two_dispatchers_at_once_start_each_occurrence_once(p: Platform) -> None:
    schedule_ids = _schedules(p)
    p.clock.now = START + timedelta(seconds=3)
    first = p.context()
    config = DatabaseConfig(p.context().settings.database_url, first.settings.database_schema)

    async def race() -> tuple[PassReport, PassReport]:
        replica = open_database(config)  # another API replica: its own pool
        try:
            second = dataclasses.replace(first, db=replica)
            a, b = await asyncio.gather(dispatch_pass(first), dispatch_pass(second))
        finally:
            await replica.dispose()
        return a, b

    for _ in range(3):  # again at the same instant: still nothing new
        a, b = p.run(race)
        if _ == 0:
            assert sorted(a.dispatched + b.dispatched) == sorted(set(a.dispatched + b.dispatched))
            assert len(a.dispatched) + len(b.dispatched) == SCHEDULES
    assert _occurrences(p, schedule_ids) == [("dispatched", "2026-03-02T09:00:00Z", 1)] * SCHEDULES
    runs = p.api.ok("GET", "/api/benchmarks?limit=100")
    assert runs["total"] == SCHEDULES
    assert {r["schedule"]["schedule_id"] for r in runs["items"]} == set(schedule_ids)


def test_a_second_dispatcher_deciding_the_same_occurrence_loses_on_the_unique_rule(
    p: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both dispatchers read the schedule before either stores its decision (held at a
    barrier): both decide the same occurrence, and only one insert of it can commit."""
    schedule_id = _one_schedule(p)
    p.clock.now = START + timedelta(seconds=3)
    first = p.context()
    config = DatabaseConfig(first.settings.database_url, first.settings.database_schema)
    read_active = dispatch_module.repository.active_occurrences

    async def race() -> tuple[PassReport, PassReport]:
        barrier = asyncio.Barrier(2)

        async def held(session: object, sid: str) -> object:
            async with asyncio.timeout(10):
                await barrier.wait()
            return await read_active(session, sid)  # type: ignore[arg-type]

        monkeypatch.setattr(dispatch_module.repository, "active_occurrences", held)
        replica = open_database(config)
        try:
            second = dataclasses.replace(first, db=replica)
            return tuple(await asyncio.gather(dispatch_pass(first), dispatch_pass(second)))  # type: ignore[return-value]
        finally:
            monkeypatch.setattr(dispatch_module.repository, "active_occurrences", read_active)
            await replica.dispose()

    a, b = p.run(race)
    assert (len(a.dispatched) + len(b.dispatched), a.lost + b.lost) == (1, 1)
    log = p.api.ok("GET", f"/api/schedules/{schedule_id}/occurrences")["items"]
    assert [(i["status"], i["run_number"]) for i in log] == [("dispatched", 1)]
    assert p.api.ok("GET", f"/api/schedules/{schedule_id}")["runs_so_far"] == 1
    assert p.api.ok("GET", "/api/benchmarks")["total"] == 1


def _one_schedule(p: Platform) -> str:
    api = p.api.sign_up("solo@example.com")
    body = {
        "name": "Solo",
        "kind": "benchmark",
        "benchmark": benchmark_body(api),
        "timing": interval_timing(),
    }
    return p.run(crud.create, p.context(p.user_id(api)), ScheduleIn.model_validate(body)).id


def test_the_redis_leader_lock_lets_one_dispatcher_pass(p: Platform, redis_url: str) -> None:
    schedule_ids = _schedules(p)
    p.clock.now = START + timedelta(seconds=3)

    async def race() -> list[PassReport | None]:
        clients = [redis_client(redis_url), redis_client(redis_url)]
        await clients[0].delete(SCHEDULES_LOCK_KEY)
        dispatchers = [
            ScheduleDispatcher(
                p.context(),
                interval_s=1,
                lock=RedisDispatchLock(client, holder, 30, key=SCHEDULES_LOCK_KEY),
            )
            for client, holder in zip(clients, ("replica-a", "replica-b"), strict=True)
        ]
        try:
            reports = list(await asyncio.gather(*(d.run_once() for d in dispatchers)))
            # The holder passes again; the other still waits for the lock.
            reports += await asyncio.gather(*(d.run_once() for d in dispatchers))
        finally:
            for dispatcher in dispatchers:
                await dispatcher.stop()
            for client in clients:
                await client.aclose()
        return reports

    reports = p.run(race)
    passed = [r for r in reports if r is not None]
    assert len(passed) == 2  # one leader, twice
    assert (reports[0] is None) != (reports[1] is None)
    assert (reports[0] is None) == (reports[2] is None)
    assert sum(len(r.dispatched) for r in passed) == SCHEDULES
    assert len(_occurrences(p, schedule_ids)) == SCHEDULES
    # Embedded mode has no lock to take: every pass goes ahead.
    alone = ScheduleDispatcher(p.context(), interval_s=1, lock=NoLock())
    assert p.run(alone.run_once) is not None
