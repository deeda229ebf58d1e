"""The `tune` job: run a tuner run's study (`study_loop.run_study`) with trials evaluated as
hidden eval runs and stored as trial rows (`service.job_trials`).

Cancel stops the trials in flight (a trial that finished a case is kept as pruned, one that had
none runs again) and ends the job *interrupted*, so `POST /api/jobs/{id}/resume` continues the
study: the handler runs again, rebuilds the strategy from the stored trials and continues their
numbering. The run itself shows `cancelled` until then."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from benchstudio.catalog.service import CatalogContext
from benchstudio.core.redaction import redact
from benchstudio.credentials.service import Vault
from benchstudio.jobs.context import JobCancelledError, JobContext, ResumableError, is_resumable
from benchstudio.jobs.domain import JobEstimate
from benchstudio.jobs.registry import JobType
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning.service import lifecycle
from benchstudio.tuning.service.job_trials import DbStudySink, EvalTrialEvaluator
from benchstudio.tuning.service.plan import study_plan
from benchstudio.tuning.service.study_loop import run_study
from benchstudio.tuning.service.submit import DEFAULT_TIMEOUT_S, TUNE_JOB_TYPE

log = logging.getLogger(__name__)


def _service_context(ctx: JobContext) -> ServiceContext:
    return ServiceContext.for_owner(ctx.database, ctx.owner_id)


async def _finish_quietly(ctx: JobContext, run_id: str, status: str, error: str | None) -> None:
    """Best effort: the job's `on_ended` hook makes the run follow the job anyway."""
    try:
        await lifecycle.finish_run(_service_context(ctx), run_id, status, None, error)
    except Exception:
        log.exception("could not store a tuner run's final state", extra={"run_id": run_id})


async def run_tune(ctx: JobContext) -> Mapping[str, Any]:
    settings = ctx.settings
    catalog = CatalogContext.from_settings(
        ctx.database, Vault(settings.vault_key_list()), settings, owner_id=ctx.owner_id
    )
    run_id = str(ctx.params["run_id"])
    setup = await lifecycle.start_run(_service_context(ctx), run_id)
    plan, target = study_plan(setup, ctx.budget)
    evaluator = EvalTrialEvaluator(ctx, catalog, setup, target)
    try:
        outcome = await run_study(plan, evaluator, DbStudySink(ctx, setup), cancel=ctx.cancel_event)
    except (JobCancelledError, asyncio.CancelledError):
        await _finish_quietly(ctx, run_id, "cancelled", None)
        raise
    except Exception as error:
        message = getattr(error, "message", None) or redact(f"{type(error).__name__}: {error}")
        status = "interrupted" if is_resumable(error) else "failed"
        await _finish_quietly(ctx, run_id, status, message[:500])
        raise
    service = _service_context(ctx)
    kept = len(outcome.trials)
    if outcome.stop_reason == "cancelled":
        await lifecycle.finish_run(
            service, run_id, "cancelled", "cancelled", merged_points=outcome.merged_points
        )
        raise ResumableError(f"Cancelled with {kept} trials kept: resume to continue the study.")
    await lifecycle.finish_run(
        service, run_id, "completed", outcome.stop_reason, merged_points=outcome.merged_points
    )
    return {
        "run_id": run_id,
        "trials": kept,
        "stop_reason": outcome.stop_reason,
        "calls": outcome.calls_used,
        "cost_usd": outcome.cost_usd,
    }


def tune_estimate(params: Mapping[str, Any]) -> JobEstimate:
    """The run's estimate at submit: its planned calls and, when the model is priced, the most
    it may cost (the ledger reserves that under a spend cap)."""
    unpriced = tuple(str(m) for m in params.get("unpriced_models") or ())
    cost = params.get("planned_cost_usd")
    return JobEstimate(
        requests=int(params.get("planned_requests") or 0),
        cost_usd=None if unpriced or cost is None else float(cost),
        unpriced=unpriced,
        noun="model calls",
    )


TUNE_JOB = JobType(TUNE_JOB_TYPE, run_tune, timeout_s=DEFAULT_TIMEOUT_S, estimate=tune_estimate)
