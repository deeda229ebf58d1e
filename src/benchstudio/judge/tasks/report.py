"""The `judge_report` job: a cross-case report over one result, by map-reduce.

The grade comes from the latest per-case report's figures (pass rate under the run's policy,
mean judge score); the model's calls only write the findings. The calls are few (one per
chunk plus the merges), so the job records one unit at the end, charging their cost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from benchstudio.catalog.service import CatalogContext
from benchstudio.core.redaction import redact
from benchstudio.credentials.service import Vault
from benchstudio.jobs.context import JobCancelledError, JobContext
from benchstudio.jobs.registry import JobType
from benchstudio.judge.service import comparative, cross_case
from benchstudio.judge.service.judge_models import open_judge_model
from benchstudio.judge.service.report_writer import ReportRun, write_report
from benchstudio.storage.service_context import ServiceContext

JOB_TIMEOUT_S = 3 * 3600.0


async def run_judge_report(ctx: JobContext) -> Mapping[str, Any]:
    service = ServiceContext.for_owner(ctx.database, ctx.owner_id)
    start = await comparative.start_job_report(service, ctx.job_id)
    measured: dict[str, Any] = {}  # the grade, once known: kept if the findings fail
    try:
        summary = await _write(ctx, service, start, measured)
    except (JobCancelledError, asyncio.CancelledError):
        await comparative.finish_job_report(service, start.report_id, "cancelled", measured or None)
        raise
    except Exception as error:
        message = getattr(error, "message", None) or redact(f"{type(error).__name__}: {error}")
        await comparative.finish_job_report(
            service, start.report_id, "failed", measured or None, message[:500]
        )
        raise
    await ctx.record_unit(
        None, [], percent=100.0, detail="report written", charge_usd=summary["cost_usd"] or 0.0
    )
    await comparative.finish_job_report(service, start.report_id, "done", summary)
    return {"report_id": start.report_id, "grade": summary["grade"]}


async def _write(
    ctx: JobContext,
    service: ServiceContext,
    start: comparative.ReportStart,
    measured: dict[str, Any],
) -> dict[str, Any]:
    cases_report_id, pass_rate, mean_score = await cross_case.latest_cases_report(
        service, start.eval_run_id, start.target
    )
    measured.update(cross_case.report_summary(ReportRun(), pass_rate, mean_score))
    measured["cases_report_id"] = cases_report_id
    run = await comparative.load_result(service, start.eval_run_id)
    verdicts = await cross_case.case_verdicts(service, cases_report_id)
    cases = cross_case.judged_cases(run, start.target, verdicts)
    body, _ = await comparative.resolve_prompt_body(
        service, start.prompt_entry_id, start.prompt_version
    )
    catalog = CatalogContext.from_settings(
        ctx.database, Vault(ctx.settings.vault_key_list()), ctx.settings, owner_id=ctx.owner_id
    )
    await ctx.progress(5.0, f"{len(cases)} cases to review", force=True)
    ctx.raise_if_cancelled()
    async with open_judge_model(catalog, start.judge_model_ref_id) as judge:
        figures = cross_case.measured_figures(pass_rate, mean_score, cases)
        written = await write_report(judge, body, cases, figures, judge.tokens)
    summary = cross_case.report_summary(written, pass_rate, mean_score)
    summary["cases_report_id"] = cases_report_id
    return summary


JUDGE_REPORT_JOB = JobType(
    cross_case.JUDGE_REPORT_JOB_TYPE,
    run_judge_report,
    timeout_s=JOB_TIMEOUT_S,
    estimate=comparative.judge_estimate,
)
