"""The `judge_cases` job: judge a finished eval result case by case into its report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from benchstudio.catalog.service import CatalogContext
from benchstudio.credentials.service import Vault
from benchstudio.jobs.context import JobContext
from benchstudio.jobs.domain import JobEstimate
from benchstudio.jobs.registry import JobType
from benchstudio.judge.service.report_jobs import run_cases_job
from benchstudio.judge.service.submit import JUDGE_CASES_JOB_TYPE

JOB_TIMEOUT_S = 6 * 3600.0


async def run_judge_cases(ctx: JobContext) -> Mapping[str, Any]:
    settings = ctx.settings
    catalog = CatalogContext.from_settings(
        ctx.database, Vault(settings.vault_key_list()), settings, owner_id=ctx.owner_id
    )
    return await run_cases_job(ctx, catalog)


def judge_cases_estimate(params: Mapping[str, Any]) -> JobEstimate:
    """One judge request per case (a repair may add one); the cost from the judge's price,
    None (the judge named as unpriced) when it has none."""
    cost = params.get("cost_usd")
    return JobEstimate(
        requests=int(params.get("planned_requests") or 0),
        cost_usd=None if cost is None else float(cost),
        unpriced=tuple(str(name) for name in params.get("unpriced") or ()),
        noun="judge requests",
    )


JUDGE_CASES_JOB = JobType(
    JUDGE_CASES_JOB_TYPE, run_judge_cases, timeout_s=JOB_TIMEOUT_S, estimate=judge_cases_estimate
)
