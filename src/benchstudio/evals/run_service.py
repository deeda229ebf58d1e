"""Eval run use cases: submit as a `tool_eval` job, history, detail, drill-down, compare, delete.

Runs are the owner's; another user's run answers 404 exactly like a missing one. Statistics
are always derived from the stored case results (see `domain.py`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit import service as audit
from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.service import CatalogContext
from benchstudio.core.errors import AppError, ConflictError, NotFoundError
from benchstudio.core.ids import new_id
from benchstudio.evals import run_repository as repository
from benchstudio.evals import suite_service
from benchstudio.evals.domain import (
    ACTIVE_STATUSES,
    MAX_CASES_PER_RUN,
    TOOL_EVAL_JOB_TYPE,
    compare_targets,
    pick_compared_targets,
    summaries_by_target,
    within_run_comparisons,
)
from benchstudio.evals.explain import decoded_calls, explain_calls, recorded_calls
from benchstudio.evals.models import EvalCaseResult, EvalRun
from benchstudio.evals.run_repository import CaseFilters, RunFilters
from benchstudio.evals.run_schemas import (
    CaseResultDetail,
    CaseResultPage,
    CaseResultRow,
    ComparisonOut,
    EvalCreate,
    EvalRunDetail,
    EvalRunOut,
    EvalRunPage,
    EvalSubmitted,
    JobState,
    ModelSummaryOut,
    TargetInfo,
)
from benchstudio.evals.targets import preview_plans, resolve_targets, runner_target
from benchstudio.jobs.service import JobService
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import read_unit, write_unit
from benchstudio.toolcall.live.conversation import TOOL_CHOICE_MODES
from benchstudio.toolcall.live.runner import suite_uses_semantic
from benchstudio.toolcall.profiles import ProfileName, get_profile
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.verdicts import CaseVerdict


@dataclass(frozen=True, slots=True)
class EvalContext:
    db: Database
    catalog: CatalogContext
    jobs: JobService


def _refuse(message: str, code: str = "invalid_eval") -> AppError:
    return AppError(message, code=code, status_code=422)


def _check_suite(suite: Suite, data: EvalCreate) -> None:
    if not suite.cases:
        raise _refuse("The suite has no cases.")
    if data.profile is not ProfileName.BFCL and suite_uses_semantic(suite):
        raise _refuse("The suite uses semantic matching, which needs a semantic scorer.")
    choice = data.tool_choice
    if choice and choice not in TOOL_CHOICE_MODES:
        names = {tool.function.name for tool in suite.tools}
        names |= {t.function.name for case in suite.cases for t in case.tools or []}
        if choice not in names:
            raise _refuse(f"tool_choice {choice!r} is neither a mode nor a tool of the suite.")


def _settings_of(data: EvalCreate) -> dict[str, Any]:
    return data.model_dump(
        mode="json",
        include={
            "temperature",
            "max_tokens",
            "tool_choice",
            "system_prompt",
            "params",
            "concurrency",
            "timeout_s",
        },
    )


async def submit_eval(ctx: EvalContext, owner_id: str, data: EvalCreate) -> EvalSubmitted:
    snapshot = await suite_service.load_snapshot(
        ctx.db, owner_id, data.suite_id, data.suite_version
    )
    _check_suite(snapshot.suite, data)
    resolved = await resolve_targets(ctx.catalog, owner_id, data)
    total = len(resolved) * len(snapshot.suite.cases)
    if total > MAX_CASES_PER_RUN:
        raise _refuse(f"{total} case runs exceed the limit of {MAX_CASES_PER_RUN} per run.")
    settings = _settings_of(data)
    overrides = [t.model_dump(include={"system_prompt", "params"}) for t in data.targets]
    plans = preview_plans(
        [
            runner_target(info.model_dump(), settings, base_url, extra)
            for (info, base_url), extra in zip(resolved, overrides, strict=True)
        ]
    )
    targets: list[dict[str, Any]] = []
    for (info, _), plan, extra in zip(resolved, plans, overrides, strict=True):
        info.concurrency = plan.concurrency
        info.adjustments = [a.model_dump() for a in plan.adjustments]
        targets.append({**info.model_dump(), **extra})
    search = " ".join(
        [
            snapshot.suite.name,
            *(f"{t['label']} {t['model_id']} {t['provider_name']}" for t in targets),
        ]
    ).lower()
    run_id = new_id()
    out: EvalRunOut | None = None

    async def write_run(session: AsyncSession, job_id: str) -> None:
        nonlocal out
        run = EvalRun(
            id=run_id,
            owner_id=owner_id,
            suite_id=snapshot.suite_id,
            suite_version_id=snapshot.version_id,
            suite_name=snapshot.suite.name,
            suite_version=snapshot.version,
            profile=data.profile.value,
            config={"targets": targets, "settings": settings},
            search_text=search,
            total_cases=total,
            job_id=job_id,
        )
        session.add(run)
        await session.flush()
        out = EvalRunOut.model_validate(run)

    # The run and its job in one unit of work: a refused submit leaves no run behind.
    # Case results carry no cost: only the built-in simulator's targets are known to be free.
    unpriced = [
        info.display_name
        for info, _ in resolved
        if not (await catalog_service.get_provider(ctx.catalog, owner_id, info.provider_id)).is_demo
    ]
    params = {"run_id": run_id, "planned_requests": total, "unpriced_models": unpriced}
    job = await ctx.jobs.submit(owner_id, TOOL_EVAL_JOB_TYPE, params, write=write_run)
    assert out is not None
    return EvalSubmitted(run=out, job_id=job.id)


async def _owned(session: Any, owner_id: str, run_id: str) -> EvalRun:
    run = await repository.get_run(session, owner_id, run_id)
    if run is None:
        raise NotFoundError("No such eval run.")
    return run


async def list_runs(
    db: Database, owner_id: str, filters: RunFilters, limit: int, offset: int
) -> EvalRunPage:
    async with read_unit(db) as session:
        rows, total = await repository.list_runs(session, owner_id, filters, limit, offset)
        items = [EvalRunOut.model_validate(row) for row in rows]
    return EvalRunPage(items=items, total=total, limit=limit, offset=offset)


def labels_of(run: EvalRun) -> list[str]:
    return [target["label"] for target in run.config.get("targets", [])]


async def verdicts_of(
    db: Database, owner_id: str, run_id: str
) -> tuple[EvalRun, dict[str, list[CaseVerdict]]]:
    """The run and its stored verdicts per target, in suite case order."""
    async with read_unit(db) as session:
        run = await _owned(session, owner_id, run_id)
        rows, _ = await repository.list_case_results(session, owner_id, run_id, CaseFilters(), None)
        session.expunge_all()
    verdicts: dict[str, list[CaseVerdict]] = defaultdict(list)
    for row in rows:
        verdicts[row.target].append(CaseVerdict.model_validate(row.verdict))
    return run, dict(verdicts)


async def _job_state(jobs: JobService, owner_id: str, job_id: str | None) -> JobState | None:
    if job_id is None:
        return None
    try:
        job = await jobs.get(owner_id, job_id)
    except NotFoundError:
        return None
    return JobState(
        id=job.id,
        status=job.status,
        progress_percent=job.progress_percent,
        eta_s=job.eta_s,
        error=job.error,
    )


async def run_detail(ctx: EvalContext, owner_id: str, run_id: str) -> EvalRunDetail:
    run, verdicts = await verdicts_of(ctx.db, owner_id, run_id)
    labels = labels_of(run)
    summaries = summaries_by_target(run.id, labels, verdicts)
    comparisons = within_run_comparisons(run.id, labels, verdicts)
    return EvalRunDetail(
        **EvalRunOut.model_validate(run).model_dump(),
        job=await _job_state(ctx.jobs, owner_id, run.job_id),
        targets=[TargetInfo.model_validate(t) for t in run.config.get("targets", [])],
        settings=run.config.get("settings", {}),
        summaries={k: ModelSummaryOut.model_validate(v) for k, v in summaries.items()},
        comparisons=[ComparisonOut.model_validate(c.as_dict()) for c in comparisons],
    )


async def list_case_results(
    db: Database, owner_id: str, run_id: str, filters: CaseFilters, limit: int, offset: int
) -> CaseResultPage:
    async with read_unit(db) as session:
        await _owned(session, owner_id, run_id)
        rows, total = await repository.list_case_results(
            session, owner_id, run_id, filters, limit, offset
        )
        items = [CaseResultRow.model_validate(row) for row in rows]
    return CaseResultPage(items=items, total=total, limit=limit, offset=offset)


async def case_result_detail(
    db: Database, owner_id: str, run_id: str, result_id: str
) -> CaseResultDetail:
    """One case for one target: request, response, expected vs actual calls, and why."""
    async with read_unit(db) as session:
        run = await _owned(session, owner_id, run_id)
        row = await repository.get_case_result(session, owner_id, run_id, result_id)
        if row is None:
            raise NotFoundError("No such case result.")
        session.expunge_all()
    suite = await suite_service.snapshot_by_version_id(db, owner_id, run.suite_version_id)
    return build_case_detail(run, row, suite)


def build_case_detail(run: EvalRun, row: EvalCaseResult, suite: Suite) -> CaseResultDetail:
    case = next((c for c in suite.cases if c.id == row.case_id), None)
    if case is None:  # a snapshot never loses a case it ran; guard anyway
        raise NotFoundError("The case is not in the run's suite snapshot.")
    profile = get_profile(run.profile)
    tools = suite.tools_for(case)
    calls = decoded_calls(row.exchanges, profile)
    return CaseResultDetail(
        **CaseResultRow.model_validate(row).model_dump(),
        verdict=row.verdict,
        case=case.model_dump(mode="json", exclude_defaults=True),
        exchanges=row.exchanges,
        transcript=row.transcript,
        expected_calls=[
            c.model_dump(mode="json", exclude_defaults=True) for c in case.expected_calls
        ],
        actual_calls=[c.model_dump() for c in recorded_calls(row.exchanges)],
        argument_checks=explain_calls(case, tools, calls, profile),
    )


async def compare(
    db: Database,
    owner_id: str,
    run_a: str,
    run_b: str,
    target_a: str | None,
    target_b: str | None,
) -> list[ComparisonOut]:
    """Pass rates of two runs (or two targets of one run) with a significance test."""
    first, verdicts_a = await verdicts_of(db, owner_id, run_a)
    second, verdicts_b = await verdicts_of(db, owner_id, run_b)
    try:
        pairs = pick_compared_targets(labels_of(first), labels_of(second), target_a, target_b)
    except ValueError as error:
        raise _refuse(str(error), "ambiguous_targets") from None
    return [
        ComparisonOut.model_validate(
            compare_targets(
                run_a, a, verdicts_a.get(a, []), run_b, b, verdicts_b.get(b, [])
            ).as_dict()
        )
        for a, b in pairs
    ]


async def delete_run(ctx: EvalContext, owner_id: str, run_id: str) -> None:
    async with read_unit(ctx.db) as session:
        run = await _owned(session, owner_id, run_id)
        job_id = run.job_id
    state = await _job_state(ctx.jobs, owner_id, job_id)
    if state is not None and state.status in ACTIVE_STATUSES:
        raise ConflictError("The run is still going: cancel it first.", code="run_active")
    async with write_unit(ctx.db) as session:
        await repository.delete_run(session, owner_id, run_id)
        audit.record(session, "eval.deleted", actor_id=owner_id, target=run_id)


async def get_run(db: Database, owner_id: str, run_id: str) -> EvalRunOut:
    async with read_unit(db) as session:
        return EvalRunOut.model_validate(await _owned(session, owner_id, run_id))
