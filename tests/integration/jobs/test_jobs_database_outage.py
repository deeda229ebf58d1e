"""The dispatcher through a PostgreSQL outage (a cuttable proxy in front of the shared
server): one log line when it starts, one when it ends, no traceback per tick, and it ticks
normally again afterwards."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import make_url
from tcp_proxy import CuttableProxy

from benchstudio.core import outages
from benchstudio.jobs.dispatcher import Dispatcher, DispatcherTiming, TickReport
from benchstudio.jobs.limits import FixedLimits, settings_defaults
from benchstudio.jobs.publishing import CollectingPublisher
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.migrate import upgrade_to_head
from platform_settings import make_settings

if TYPE_CHECKING:
    from jobs_fixtures import Eventually

pytest_plugins = ["jobs_fixtures"]
pytestmark = [pytest.mark.postgres]


@pytest.fixture(autouse=True)
def fresh_outage_state() -> Iterator[None]:
    outages.reset()
    yield
    outages.reset()


@pytest.fixture
def migrated_postgres(postgres_database: DatabaseConfig) -> DatabaseConfig:
    upgrade_to_head(postgres_database)
    return postgres_database


async def test_the_dispatcher_logs_a_database_outage_once_and_ticks_again_after(
    migrated_postgres: DatabaseConfig,
    tmp_path: Path,
    eventually: Eventually,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    postgres_database = migrated_postgres
    target = make_url(postgres_database.url)
    proxy = CuttableProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    proxied = target.set(host="127.0.0.1", port=proxy.port)
    database = open_database(
        DatabaseConfig(proxied.render_as_string(hide_password=False), postgres_database.schema)
    )

    async def kick(job_id: str) -> None:
        return None

    settings = make_settings(postgres_database, tmp_path)
    dispatcher = Dispatcher(
        database,
        CollectingPublisher(),
        FixedLimits(settings_defaults(settings)),
        kick,
        timing=DispatcherTiming(interval_s=0.02, maintenance_every_s=0.0),
    )
    state = outages.dependency("database")
    ticks = {"ok": 0, "down": 0}
    real_tick = dispatcher.tick

    async def counting_tick(*, maintenance: bool = True) -> TickReport:
        ticks["ok" if state.up else "down"] += 1
        return await real_tick(maintenance=maintenance)

    dispatcher.tick = counting_tick  # type: ignore[method-assign]
    dispatcher.start()
    try:
        await eventually(lambda: _over(ticks, "ok", 3))
        await proxy.cut()
        await eventually(lambda: _over(ticks, "down", 10))
        await proxy.restore()
        await eventually(lambda: _holds(state.up))
        after = ticks["ok"]
        await eventually(lambda: _over(ticks, "ok", after + 3))
    finally:
        await dispatcher.stop()
        await database.dispose()
        await proxy.cut()
    outage_lines = [r.getMessage() for r in caplog.records if r.name == "benchstudio.core.outages"]
    assert [line.split(":")[0].split(" after")[0] for line in outage_lines] == [
        "database unavailable",
        "database available again",
    ]
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []


async def _over(ticks: dict[str, int], key: str, least: int) -> bool:
    return ticks[key] >= least


async def _holds(value: bool) -> bool:
    return value
