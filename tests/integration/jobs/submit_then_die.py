"""Run as a script by `test_jobs_atomic_submit`: submit one job, then die by SIGKILL right
after the commit, before the hand-off (publishing `job_created`, waking the dispatcher).

    python submit_then_die.py DATABASE_URL SCHEMA OWNER_ID
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

import benchstudio.all_models  # noqa: F401 (every table, for the foreign keys)
from benchstudio.audit import service as audit
from benchstudio.audit.service import AuditRecorder
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE
from benchstudio.jobs.domain import JobEventMessage, UserLimits
from benchstudio.jobs.limits import FixedLimits
from benchstudio.jobs.runtime import default_registry
from benchstudio.jobs.service import JobService
from benchstudio.storage.engine import DatabaseConfig, open_database

RUN_ROW_ACTION = "test.run_row"


class DieOnPublish:
    async def publish(self, events: Sequence[JobEventMessage]) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


async def main(database_url: str, schema: str, owner_id: str) -> None:
    db = open_database(DatabaseConfig(database_url, schema or None))
    service = JobService(
        db,
        DieOnPublish(),
        FixedLimits(UserLimits(jobs_per_hour=100)),
        default_registry(),
        auditor=AuditRecorder(),
    )

    async def write_run(session: AsyncSession, job_id: str) -> None:
        # Stands in for a domain's run row, written in the same unit of work as the job.
        audit.record(session, RUN_ROW_ACTION, actor_id=owner_id, target=job_id)

    await service.submit(owner_id, DEMO_JOB_TYPE, {"units": 3, "unit_ms": 1}, write=write_run)
    raise SystemExit("the hand-off should have killed this process")


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
