"""Eval run use cases after submit: history, detail, drill-down, compare, delete.

Runs are the owner's (`ctx.owner_id`); another user's run answers 404 exactly like a missing
one. Statistics are always derived from the stored case results (see `domain.rules`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from benchstudio.audit import service as audit
from benchstudio.core.errors import ConflictError, NotFoundError
from benchstudio.evals.models import EvalCaseResult, EvalRun
from benchstudio.evals.runs import repository
from benchstudio.evals.runs.domain.conversation import build_conversation
from benchstudio.evals.runs.domain.explain import decoded_calls, explain_calls, recorded_calls
from benchstudio.evals.runs.domain.rules import (
    ACTIVE_STATUSES,
    compare_targets,
    pick_compared_targets,
    summaries_by_target,
    within_run_comparisons,
)
from benchstudio.evals.runs.repository import CaseFilters, RunFilters
from benchstudio.evals.runs.schemas import (
    CaseResultDetail,
    CaseResultPage,
    CaseResultRow,
    ComparisonOut,
    EvalRunDetail,
    EvalRunOut,
    EvalRunPage,
    JobState,
    ModelSummaryOut,
    TargetInfo,
)
from benchstudio.evals.runs.service.run_figures import add_judge_pass_rates
from benchstudio.evals.runs.service.submit import refuse
from benchstudio.evals.service import EvalContext
from benchstudio.evals.suites.service import crud as suites
from benchstudio.jobs.service import JobService
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.profiles import Profile, get_profile, with_semantic
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.verdicts import CaseVerdict, recorded_similarities


async def _owned(session: Any, owner_id: str, run_id: str) -> EvalRun:
    run = await repository.get_run(session, owner_id, run_id)
    if run is None:
        raise NotFoundError("No such eval run.")
    return run


async def list_runs(
    ctx: ServiceContext, filters: RunFilters, limit: int, offset: int
) -> EvalRunPage:
    async with ctx.read() as session:
        rows, total = await repository.list_runs(
            session, ctx.require_owner(), filters, limit, offset
        )
        items = [EvalRunOut.model_validate(row) for row in rows]
    await add_judge_pass_rates(ctx, items)
    return EvalRunPage(items=items, total=total, limit=limit, offset=offset)


def labels_of(run: EvalRun) -> list[str]:
    return [target["label"] for target in run.config.get("targets", [])]


async def verdicts_of(
    ctx: ServiceContext, run_id: str
) -> tuple[EvalRun, dict[str, list[CaseVerdict]]]:
    """The run and its stored verdicts per target, in suite case order."""
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
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


async def run_detail(ctx: EvalContext, run_id: str) -> EvalRunDetail:
    run, verdicts = await verdicts_of(ctx, run_id)
    labels = labels_of(run)
    summaries = summaries_by_target(run.id, labels, verdicts)
    comparisons = within_run_comparisons(run.id, labels, verdicts)
    async with ctx.read() as session:
        suite_exists = await repository.suite_exists(session, ctx.require_owner(), run.suite_id)
    out = EvalRunOut.model_validate(run)
    await add_judge_pass_rates(ctx, [out])
    return EvalRunDetail(
        **out.model_dump(),
        job=await _job_state(ctx.jobs, ctx.require_owner(), run.job_id),
        suite_exists=suite_exists,
        targets=[TargetInfo.model_validate(t) for t in run.config.get("targets", [])],
        settings=run.config.get("settings", {}),
        summaries={k: ModelSummaryOut.model_validate(v) for k, v in summaries.items()},
        comparisons=[ComparisonOut.model_validate(c.as_dict()) for c in comparisons],
    )


async def list_case_results(
    ctx: ServiceContext, run_id: str, filters: CaseFilters, limit: int, offset: int
) -> CaseResultPage:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        await _owned(session, owner_id, run_id)
        rows, total = await repository.list_case_results(
            session, owner_id, run_id, filters, limit, offset
        )
        items = [CaseResultRow.model_validate(row) for row in rows]
    return CaseResultPage(items=items, total=total, limit=limit, offset=offset)


async def case_result_detail(ctx: ServiceContext, run_id: str, result_id: str) -> CaseResultDetail:
    """One case for one target: request, response, expected vs actual calls, and why."""
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        run = await _owned(session, owner_id, run_id)
        row = await repository.get_case_result(session, owner_id, run_id, result_id)
        if row is None:
            raise NotFoundError("No such case result.")
        session.expunge_all()
    suite = await suites.snapshot_by_version_id(ctx, run.suite_version_id)
    return build_case_detail(run, row, suite)


def _profile_of(run: EvalRun, row: EvalCaseResult) -> Profile:
    """The run's profile; `semantic` arguments read the similarities the run recorded."""
    profile = get_profile(run.profile)
    semantic = (run.config.get("settings") or {}).get("semantic")
    if not semantic:
        return profile
    known = recorded_similarities(row.verdict)
    return with_semantic(profile, lambda e, a: known.get((e, a)), semantic.get("threshold"))


def build_case_detail(run: EvalRun, row: EvalCaseResult, suite: Suite) -> CaseResultDetail:
    case = next((c for c in suite.cases if c.id == row.case_id), None)
    if case is None:  # a snapshot never loses a case it ran; guard anyway
        raise NotFoundError("The case is not in the run's suite snapshot.")
    profile = _profile_of(run, row)
    tools = suite.tools_for(case)
    calls = decoded_calls(row.exchanges, profile)
    checks = explain_calls(case, tools, calls, profile)
    conversation = None
    if case.multi_turn is not None and row.transcript is not None:
        pairs = {
            c["call_index"]: (c["expected_index"], c["passed"])
            for c in checks
            if c["call_index"] is not None and c["expected_index"] is not None
        }
        conversation = build_conversation(case, row.transcript, row.exchanges, pairs)
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
        argument_checks=checks,
        conversation=conversation,
    )


async def compare(
    ctx: ServiceContext,
    run_a: str,
    run_b: str,
    target_a: str | None,
    target_b: str | None,
) -> list[ComparisonOut]:
    """Pass rates of two runs (or two targets of one run) with a significance test."""
    first, verdicts_a = await verdicts_of(ctx, run_a)
    second, verdicts_b = await verdicts_of(ctx, run_b)
    try:
        pairs = pick_compared_targets(labels_of(first), labels_of(second), target_a, target_b)
    except ValueError as error:
        raise refuse(str(error), "ambiguous_targets") from None
    return [
        ComparisonOut.model_validate(
            compare_targets(
                run_a, a, verdicts_a.get(a, []), run_b, b, verdicts_b.get(b, [])
            ).as_dict()
        )
        for a, b in pairs
    ]


async def delete_run(ctx: EvalContext, run_id: str) -> None:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        run = await _owned(session, owner_id, run_id)
        job_id, tuner_run_id = run.job_id, run.tuner_run_id
    if tuner_run_id is not None:  # its trial row points at it: it goes with its tuner run
        raise ConflictError(
            "This run is a tuner trial: delete its tuner run instead.", code="tuner_trial"
        )
    state = await _job_state(ctx.jobs, owner_id, job_id)
    if state is not None and state.status in ACTIVE_STATUSES:
        raise ConflictError("The run is still going: cancel it first.", code="run_active")
    async with ctx.unit() as session:
        await repository.delete_run(session, owner_id, run_id)
        audit.record(session, "eval.deleted", actor_id=ctx.actor_id, target=run_id)


async def get_run(ctx: ServiceContext, run_id: str) -> EvalRunOut:
    async with ctx.read() as session:
        return EvalRunOut.model_validate(await _owned(session, ctx.require_owner(), run_id))
