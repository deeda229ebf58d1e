"""A finished run's per-request samples, for the schedules' regression alerts: TTFT, output
tokens/s and cost of the measured requests (no warm-up, no superseded retry), and how many of
them failed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sqlalchemy import select

from benchstudio.benchruns.models import BenchmarkRequest, BenchmarkRun
from benchstudio.storage.service_context import ServiceContext


@dataclass(frozen=True)
class RequestSamples:
    run_id: str
    ttft_ms: list[float] = field(default_factory=list)
    output_tps: list[float] = field(default_factory=list)
    cost_usd: list[float] = field(default_factory=list)
    errors: int = 0
    requests: int = 0


async def request_samples(ctx: ServiceContext, run_id: str) -> RequestSamples | None:
    """The owner's run's samples; None for a run that is not theirs (or is gone)."""
    owner = select(BenchmarkRun.id).where(
        BenchmarkRun.id == run_id, BenchmarkRun.owner_id == ctx.require_owner()
    )
    query = select(
        BenchmarkRequest.ttft_ms,
        BenchmarkRequest.output_tokens_per_s,
        BenchmarkRequest.cost_usd,
        BenchmarkRequest.error_category,
    ).where(
        BenchmarkRequest.run_id == run_id,
        BenchmarkRequest.warmup.is_(False),
        BenchmarkRequest.superseded.is_(False),
    )
    async with ctx.read() as session:
        if (await session.execute(owner)).scalar_one_or_none() is None:
            return None
        rows = (await session.execute(query)).all()
    samples = RequestSamples(run_id=run_id, requests=len(rows))
    for ttft, tps, cost, error in rows:
        if error is not None:
            continue  # counted below; a failed request has no speed to compare
        if ttft is not None:
            samples.ttft_ms.append(float(ttft))
        if tps is not None:
            samples.output_tps.append(float(tps))
        if cost is not None:
            samples.cost_usd.append(float(cost))
    errors = sum(1 for row in rows if row[3] is not None)
    return dataclasses.replace(samples, errors=errors)
