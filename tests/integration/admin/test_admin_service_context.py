"""Admin and accounts use cases called with a `ServiceContext` (ADR 0011): a joined context
shares the caller's unit of work, and admin reads users through `accounts.service` only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from benchstudio.accounts import service as accounts
from benchstudio.accounts.schemas import NewUser
from benchstudio.admin import service as admin
from benchstudio.admin.schemas import LimitsIn
from benchstudio.admin.service import AdminSettings
from benchstudio.admin.service.job_limits import AdminLimits
from benchstudio.audit.models import AuditEvent
from benchstudio.config import Settings
from benchstudio.core.errors import NotFoundError
from benchstudio.core.passwords import Argon2Params, PasswordHasher
from benchstudio.storage.engine import Database, DatabaseConfig, open_database
from benchstudio.storage.service_context import ServiceContext

HASHER = PasswordHasher(Argon2Params(1, 1024))


class RollbackError(Exception):
    """Raised to roll the outer unit back."""


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    yield db
    await db.dispose()


async def _new_user(ctx: ServiceContext, email: str) -> str:
    user = await accounts.create_user(
        ctx, NewUser(email=email, password="plain-sailing-words"), hasher=HASHER
    )
    return user.id


async def test_a_joined_context_shares_the_callers_unit(database: Database) -> None:
    ctx = ServiceContext.system(database)
    created: list[str] = []

    async def create_then_fail() -> None:
        async with ctx.unit() as session:
            joined = ctx.with_session(session)
            created.append(await _new_user(joined, "joined@example.com"))
            assert await accounts.user_exists(joined, created[0])
            assert (await accounts.user_counts(joined)).total == 1
            raise RollbackError  # the outer unit rolls back: nothing the joined calls did stays

    with pytest.raises(RollbackError):
        await create_then_fail()
    assert not await accounts.user_exists(ctx, created[0])
    assert (await accounts.user_counts(ctx)).total == 0


async def test_limits_are_set_by_the_acting_admin_and_read_by_the_job_runtime(
    database: Database, settings: Settings
) -> None:
    system = ServiceContext.system(database)
    admin_id = await _new_user(system, "admin@example.com")  # the first user is admin
    member_id = await _new_user(system, "member@example.com")
    as_admin = ServiceContext(db=database, actor_id=admin_id)

    data = LimitsIn(jobs_per_hour=7, monthly_spend_cap_usd=Decimal("12.5"))
    out = await admin.set_limits(as_admin, member_id, data, settings=AdminSettings.of(settings))
    assert out.effective.jobs_per_hour == 7
    assert out.effective.concurrent_jobs == settings.default_concurrent_jobs

    async with system.read() as session:
        query = select(AuditEvent).where(AuditEvent.action == "user.limits_changed")
        event = (await session.execute(query)).scalar_one()
        assert (event.actor_id, event.target) == (admin_id, member_id)

    limits = await AdminLimits(database, settings).limits_for(member_id)
    assert (limits.jobs_per_hour, limits.monthly_spend_cap_usd) == (7, 12.5)

    with pytest.raises(NotFoundError):
        await admin.get_limits(as_admin, "no-such-user", settings=AdminSettings.of(settings))
    view = await admin.system_view(as_admin, settings=AdminSettings.of(settings))
    assert (view.users, view.admins) == (2, 1)
