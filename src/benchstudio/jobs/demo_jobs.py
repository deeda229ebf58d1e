"""`demo.units`: a job that counts through units. Used by tests and the docs to show the job
machinery without calling any model (its results are its unit events). It measures nothing
and only holds a job slot, so servers offer it only with `demo_jobs` on (test mode)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.jobs import repository
from benchstudio.jobs.context import JobContext
from benchstudio.jobs.registry import JobType, no_cost
from benchstudio.storage.unit_of_work import read_unit

DEMO_JOB_TYPE = "demo.units"
UNIT_EVENT = "unit_result"
MAX_UNITS = 10_000
# At most MAX_UNITS * MAX_UNIT_MS = 1,000 s, under the type's timeout.
MAX_UNIT_MS = 100


class DemoUnitsParams(BaseModel):
    """What `POST /api/jobs` accepts for `demo.units`: every field bounded."""

    model_config = ConfigDict(extra="forbid")

    units: int = Field(default=10, ge=1, le=MAX_UNITS)
    unit_ms: int = Field(default=50, ge=0, le=MAX_UNIT_MS)
    fail_at: int | None = Field(default=None, ge=0, le=MAX_UNITS)


async def _finished_units(context: JobContext) -> int:
    """On resume, units already stored are skipped."""
    async with read_unit(context.database) as session:
        events = await repository.events_after(session, context.job_id, context.owner_id, 0)
    return sum(1 for e in events if e.type == UNIT_EVENT)


async def run_demo_units(context: JobContext) -> Mapping[str, Any]:
    units = min(int(context.params.get("units", 10)), MAX_UNITS)
    unit_s = min(float(context.params.get("unit_ms", 50)), MAX_UNIT_MS) / 1000
    fail_at = context.params.get("fail_at")
    start = await _finished_units(context) if context.attempt > 1 else 0
    for index in range(start, units):
        context.raise_if_cancelled()
        await asyncio.sleep(unit_s)
        if fail_at is not None and index == int(fail_at):
            raise RuntimeError(f"demo unit {index} failed on purpose")
        await context.record_unit(
            None,
            [(UNIT_EVENT, {"index": index, "value": index * index})],
            percent=100 * (index + 1) / units,
            detail=f"unit {index + 1} of {units}",
        )
    return {"units": units}


# Registered by the composition root only when `demo_jobs` is on (test mode by default).
DEMO_JOB = JobType(
    DEMO_JOB_TYPE,
    run_demo_units,
    timeout_s=3600,
    estimate=no_cost,
    public_submit=True,
    params_model=DemoUnitsParams,
    label="Demo job",
)
