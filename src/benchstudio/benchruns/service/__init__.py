"""Benchmark use cases: preview, submit, history, detail, rows, compare, re-run, delete."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.benchruns import repository
from benchstudio.benchruns.domain import (
    BENCHMARK_JOB_TYPE,
    FINAL_RUN_STATUSES,
    SUMMARY_VERSION,
    TargetIdentity,
    counted,
    pair_targets,
    record_from_row,
    search_text,
)
from benchstudio.benchruns.domain.rerun_titles import rerun_base_title, rerun_title
from benchstudio.benchruns.domain.summaries import headline
from benchstudio.benchruns.models import BenchmarkRun, BenchmarkRunTarget
from benchstudio.benchruns.repository import RunFilters
from benchstudio.benchruns.schemas import (
    BenchmarkCreate,
    BenchmarkPreview,
    BenchmarkSubmitted,
    CompareIn,
    CompareOut,
    RequestPage,
    RunDetail,
    RunOut,
    RunPage,
    RunTargetOut,
    SignificanceOut,
    StepOut,
)
from benchstudio.benchruns.service.finishing import live_summaries, load_records
from benchstudio.benchruns.service.planning import Plan, plan_benchmark, preview_of
from benchstudio.catalog.service import CatalogContext
from benchstudio.catalog.service.providers import demo_provider_ids
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import AppError, ConflictError, NotFoundError
from benchstudio.core.ids import new_id
from benchstudio.core.stats import compare_samples
from benchstudio.jobs import repository as job_repository
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.jobs.schemas import ScheduledBy
from benchstudio.prompts import service as prompts
from benchstudio.speed.output import planned_requests
from benchstudio.storage.paging import total_from_page
from benchstudio.storage.service_context import ServiceContext

ACTIVE_RUN_STATUSES = ("queued", "running")


@dataclass(frozen=True, kw_only=True)
class BenchContext(ServiceContext):
    """What planning and submitting need besides the base context: the owner's catalog (with
    the vault that unseals their keys) and the job runtime."""

    catalog: CatalogContext
    jobs: JobRuntime


async def _plan_and_preview(
    ctx: BenchContext, owner_id: str, data: BenchmarkCreate, run_key: str
) -> tuple[Plan, BenchmarkPreview, float]:
    limits = await ctx.jobs.service.limits_for(owner_id)
    plan = await plan_benchmark(ctx.catalog, owner_id, data, run_key)
    spent = await ctx.jobs.service.month_spend(owner_id)  # the ledger: deletes never lower it
    preview = preview_of(
        plan,
        month_spent_usd=spent,
        spend_cap_usd=limits.monthly_spend_cap_usd,
        max_runs=limits.max_runs_per_benchmark,
    )
    return plan, preview, spent


async def preview(ctx: BenchContext, owner_id: str, data: BenchmarkCreate) -> BenchmarkPreview:
    """Effective parameters, adjustments and the request/token/cost estimate; nothing runs."""
    return (await _plan_and_preview(ctx, owner_id, data, "preview"))[1]


def _run_row(
    owner_id: str,
    run_id: str,
    data: BenchmarkCreate,
    plan: Plan,
    scheduled: ScheduledBy | None = None,
) -> BenchmarkRun:
    words = [t.model_id for t in plan.targets] + [t.model_display for t in plan.targets]
    words += [t.provider.name for t in plan.targets]
    return BenchmarkRun(
        id=run_id,
        owner_id=owner_id,
        run_key=run_id,
        source="platform",
        title=data.title,
        mode=plan.config.mode,
        status="queued",
        request=_stored_request(data),
        config=plan.config.public_dict(),
        steps=[],
        slo_search=[],
        search_text=search_text([data.title, *words]),
        created_at=utcnow(),
        schedule_id=scheduled.schedule_id if scheduled else None,
        schedule_occurrence_at=scheduled.occurrence_at if scheduled else None,
        schedule_run_number=scheduled.run_number if scheduled else None,
    )


def _stored_request(data: BenchmarkCreate) -> dict[str, Any]:
    """The request a re-run starts from. A defaulted max_tokens stays out when a parameter set
    is used, so the re-run applies the set's max_tokens again rather than the default."""
    stored = data.model_dump(mode="json")
    uses_sets = any(t.parameter_set_id for t in data.targets)
    if uses_sets and "max_tokens" not in data.model_fields_set:
        stored.pop("max_tokens", None)
    return stored


def _target_rows(run_id: str, plan: Plan) -> list[BenchmarkRunTarget]:
    return [
        BenchmarkRunTarget(
            run_id=run_id,
            target_key=t.key,
            provider_id=t.provider.id,
            provider_name=t.provider.name,
            model_ref_id=t.model_ref_id,
            model_id=t.model_id,
            model_display=t.model_display,
            protocol=t.provider.protocol,
            base_url=t.provider.base_url,
            parameter_set_id=t.parameter_set.parameter_set_id if t.parameter_set else None,
            parameter_set_name=t.parameter_set.parameter_set_name if t.parameter_set else None,
            parameter_set_params=t.parameter_set.applied_params if t.parameter_set else None,
        )
        for t in plan.targets
    ]


async def submit(
    ctx: BenchContext,
    owner_id: str,
    data: BenchmarkCreate,
    *,
    scheduled: ScheduledBy | None = None,
) -> BenchmarkSubmitted:
    """Write the run and its job in one unit of work (limits checked by the job type at submit):
    a refused or failed submit leaves no run behind, and a committed run always has its job.
    `scheduled`: the schedule occurrence that starts this run (its history metadata)."""
    run_id = new_id()
    plan, preview_out, _ = await _plan_and_preview(ctx, owner_id, data, run_id)
    params = {
        "run_id": run_id,
        "planned_requests": plan.planned_requests,
        # A duration or an SLO search decides the count as it runs; otherwise it is the plan.
        "planned_requests_exact": planned_requests(plan.config)[1],
        "estimated_cost_usd": plan.cost_bound_usd,
        "unpriced_models": plan.unpriced_models,
        "overrides": {
            t.key: {"temperature": t.override.temperature, "max_tokens": t.override.max_tokens}
            for t in plan.targets
        },
    }

    async def write_run(session: AsyncSession, job_id: str) -> None:
        run = _run_row(owner_id, run_id, data, plan, scheduled)
        run.job_id = job_id
        session.add(run)
        await session.flush()
        session.add_all(_target_rows(run_id, plan))
        if plan.template is not None:  # the library's used-by list, committed with the run
            await prompts.record_use(
                ServiceContext(db=ctx.db, owner_id=owner_id, session=session),
                plan.template.entry_id,
                plan.template.version,
                "benchmark_run",
                run_id,
                data.title or "Benchmark run",
            )

    job = await ctx.jobs.service.submit(owner_id, BENCHMARK_JOB_TYPE, params, write=write_run)
    return BenchmarkSubmitted(run_id=run_id, job_id=job.id, preview=preview_out)


def _display_status(run: BenchmarkRun, job_statuses: dict[str, str]) -> str:
    """A run whose handler never finished (process killed) shows its job's final state."""
    if run.status in ACTIVE_RUN_STATUSES and run.job_id:
        job_status = job_statuses.get(run.job_id)
        if job_status in ("failed", "cancelled", "interrupted"):
            return job_status
    return run.status


async def _job_statuses(session: AsyncSession, runs: Sequence[BenchmarkRun]) -> dict[str, str]:
    """Job statuses `_display_status` needs: only runs still marked active look at their job."""
    job_ids = [r.job_id for r in runs if r.status in ACTIVE_RUN_STATUSES and r.job_id]
    return await job_repository.statuses_of(session, job_ids) if job_ids else {}


def _target_out(target: BenchmarkRunTarget, demo_ids: set[str]) -> RunTargetOut:
    out = RunTargetOut.model_validate(target)
    return out.model_copy(update={"is_demo": target.provider_id in demo_ids})


def _run_out(
    run: BenchmarkRun,
    targets: Sequence[BenchmarkRunTarget],
    job_statuses: dict[str, str],
    demo_ids: set[str],
) -> RunOut:
    summary = (run.summary or {}).get("summary") if run.summary else None
    return RunOut(
        id=run.id,
        job_id=run.job_id,
        run_key=run.run_key,
        source=run.source,
        title=run.title,
        mode=run.mode,
        status=_display_status(run, job_statuses),
        stop_reason=run.stop_reason,
        error=run.error,
        request_count=run.request_count,
        error_count=run.error_count,
        cost_usd=run.cost_usd,
        wall_s=run.wall_s,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        targets=[_target_out(t, demo_ids) for t in targets],
        headline=headline(summary),
        schedule=ScheduledBy.of(
            run.schedule_id, run.schedule_occurrence_at, run.schedule_run_number
        ),
    )


async def list_runs(ctx: ServiceContext, filters: RunFilters, limit: int, offset: int) -> RunPage:
    async with ctx.read() as session:
        runs, total = await repository.list_runs(
            session, ctx.require_owner(), filters, limit, offset
        )
        targets = await repository.targets_of(session, [r.id for r in runs])
        statuses = await _job_statuses(session, runs)
        demo_ids = await demo_provider_ids(ctx.with_session(session))
        items = [_run_out(r, targets[r.id], statuses, demo_ids) for r in runs]
    return RunPage(items=items, total=total, limit=limit, offset=offset)


async def owned_run(ctx: ServiceContext, run_id: str) -> tuple[BenchmarkRun, RunOut]:
    async with ctx.read() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            raise NotFoundError("No such benchmark run.")
        targets = (await repository.targets_of(session, [run_id]))[run_id]
        statuses = await _job_statuses(session, [run])
        demo_ids = await demo_provider_ids(ctx.with_session(session))
        session.expunge_all()
    return run, _run_out(run, targets, statuses, demo_ids)


async def summaries_of(ctx: ServiceContext, run: BenchmarkRun) -> dict[str, Any]:
    """The cached summaries when current, else computed from the stored rows now."""
    cached = run.summary
    final = run.status in FINAL_RUN_STATUSES
    if cached and run.summary_version == SUMMARY_VERSION and final:
        return cached
    summaries = await live_summaries(ctx, run)
    if final:  # stored by an older version of the statistics: refresh the cache once
        async with ctx.unit() as session:
            await repository.set_run_fields(
                session, run.id, summary=summaries, summary_version=SUMMARY_VERSION
            )
    return summaries


async def get_detail(ctx: ServiceContext, run_id: str) -> RunDetail:
    run, out = await owned_run(ctx, run_id)
    summaries = await summaries_of(ctx, run)
    step_blocks = summaries.get("steps", {})
    steps = [
        StepOut(
            **{k: v for k, v in meta.items() if k in StepOut.model_fields},
            summary=step_blocks.get(meta["name"]),
        )
        for meta in run.steps or []
    ]
    return RunDetail(
        **out.model_dump(),
        config=run.config,
        request=run.request,
        environment=run.environment or {},
        diagnostics=run.diagnostics or {},
        summary=summaries.get("summary"),
        target_summaries=summaries.get("targets", {}),
        steps=steps,
        slo_search=list(run.slo_search or []),
        spend=summaries.get("spend") or {},
    )


async def request_page(
    ctx: ServiceContext,
    run_id: str,
    *,
    step: str | None,
    target: str | None,
    limit: int,
    offset: int,
) -> RequestPage:
    async with ctx.read() as session:
        if not await repository.owns_run(session, ctx.require_owner(), run_id):
            raise NotFoundError("No such benchmark run.")
        rows = await repository.request_rows(
            session, run_id, step=step, target=target, limit=limit, offset=offset
        )
        total = total_from_page(len(rows), limit, offset)
        if total is None:
            total = await repository.count_rows(session, run_id, step=step, target=target)
        items = [record_from_row(r) for r in rows]
    return RequestPage(items=items, total=total, limit=limit, offset=offset)


def _measured_values(records: Sequence[dict[str, Any]], target: str, metric: str) -> list[float]:
    return [
        float(r[metric])
        for r in counted(records)
        if r.get("target") == target
        and not r.get("warmup")
        and not r.get("error")
        and r.get(metric) is not None
    ]


async def compare(ctx: ServiceContext, data: CompareIn) -> CompareOut:
    """Per-target summaries side by side, and the first run against each other run (Mann-
    Whitney U and a bootstrap interval of the median difference, from core.stats)."""
    if len(set(data.run_ids)) != len(data.run_ids):
        raise AppError("Compare distinct runs.", code="duplicate_runs")
    owned = [await owned_run(ctx, run_id) for run_id in data.run_ids]
    summaries = {run.id: (await summaries_of(ctx, run)).get("targets", {}) for run, _ in owned}
    records = {run.id: await load_records(ctx, run.id) for run, _ in owned}
    identities = {
        run.id: [TargetIdentity(t.target_key, t.provider_id, t.model_id) for t in out.targets]
        for run, out in owned
    }
    base = owned[0][0]
    tests: list[SignificanceOut] = []
    for other, _ in owned[1:]:
        for base_target, other_target in pair_targets(identities[base.id], identities[other.id]):
            for metric in data.metrics:
                result = compare_samples(
                    _measured_values(records[base.id], base_target, metric),
                    _measured_values(records[other.id], other_target, metric),
                    run_id=f"{base.run_key}:{other.run_key}:{metric}",
                )
                tests.append(
                    SignificanceOut(
                        metric=metric,
                        baseline_run=base.id,
                        baseline_target=base_target,
                        other_run=other.id,
                        other_target=other_target,
                        test=dataclasses.asdict(result),
                    )
                )
    return CompareOut(runs=[out for _, out in owned], summaries=summaries, significance=tests)


async def rerun(ctx: BenchContext, run_id: str) -> BenchmarkSubmitted:
    run, out = await owned_run(ctx, run_id)
    if run.request is None:
        raise ConflictError(
            "Imported runs have no platform configuration to re-run.", code="not_rerunnable"
        )
    data = BenchmarkCreate.model_validate(run.request)
    # An untitled run's re-run is named after its models, as its page heading reads.
    base = rerun_base_title(run.title) or " vs ".join(t.model_display for t in out.targets)
    async with ctx.read() as session:
        titles = await repository.titles_starting_with(session, ctx.require_owner(), base)
    # History must tell a re-run from its original: "Title (re-run N)", N one past the last.
    data = data.model_copy(update={"title": rerun_title(base, titles)})
    return await submit(ctx, ctx.require_owner(), data)


async def delete(ctx: ServiceContext, run_id: str) -> None:
    run, out = await owned_run(ctx, run_id)
    if out.status in ACTIVE_RUN_STATUSES:
        raise ConflictError("Cancel the benchmark before deleting it.", code="run_active")
    async with ctx.unit() as session:
        await repository.delete_run(session, ctx.require_owner(), run.id)
        audit.record(session, "benchmark.deleted", actor_id=ctx.actor_id, target=run.id)
