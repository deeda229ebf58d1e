"""What the `tool_eval` job handler does to a run: start it, store each case, finish it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.clock import utcnow
from benchstudio.core.errors import NotFoundError
from benchstudio.core.ids import new_id
from benchstudio.evals.models import EvalCaseResult, EvalRun
from benchstudio.evals.runs import repository
from benchstudio.evals.runs.domain.rules import compact_summary, summaries_by_target
from benchstudio.evals.runs.service.history import labels_of, verdicts_of
from benchstudio.evals.suites.service import crud as suites
from benchstudio.jobs import repository as job_repository
from benchstudio.jobs.domain import (
    UNFINISHED_BY_DONE_JOB,
    JobEnding,
    JobStatus,
    repaired_run_state,
    run_status_after,
)
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.live.records import LiveCaseResult
from benchstudio.toolcall.schemas import Suite


@dataclass(slots=True)
class RunPlan:
    run_id: str
    owner_id: str
    profile: str
    suite: Suite
    targets: list[dict[str, Any]]
    settings: dict[str, Any]
    total: int
    finished: set[tuple[str, str]] = field(default_factory=set)
    passed: int = 0

    @property
    def remaining_suite(self) -> Suite:
        """Cases some target has not finished yet (a resumed job skips the rest)."""
        labels = [target["label"] for target in self.targets]
        cases = [
            case
            for case in self.suite.cases
            if any((label, case.id) not in self.finished for label in labels)
        ]
        return self.suite.model_copy(update={"cases": cases})


async def start_run(ctx: ServiceContext, run_id: str) -> RunPlan:
    """Mark the run running and load what it needs (its snapshot, what is already stored)."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        run = await repository.get_run(session, owner_id, run_id)
        if run is None:
            raise NotFoundError("The eval run was deleted.")
        run.status = "running"
        run.started_at = run.started_at or utcnow()
        run.finished_at, run.error = None, None
        finished = await repository.finished_keys(session, run_id)
        plan = RunPlan(
            run_id=run.id,
            owner_id=owner_id,
            profile=run.profile,
            suite=Suite.model_validate({"name": "-"}),
            targets=list(run.config.get("targets", [])),
            settings=dict(run.config.get("settings", {})),
            total=run.total_cases,
            finished=finished,
            passed=run.passed_cases,
        )
        version_id = run.suite_version_id
    plan.suite = await suites.snapshot_by_version_id(ctx, version_id)
    return plan


def result_writer(
    plan: RunPlan, result: LiveCaseResult
) -> tuple[str, Callable[[AsyncSession], Awaitable[None]]]:
    """The row for one finished case and a writer that stores it and counts it."""
    target_index = next(i for i, t in enumerate(plan.targets) if t["label"] == result.target)
    case_index = next(i for i, c in enumerate(plan.suite.cases) if c.id == result.case_id)
    verdict = result.verdict
    row = EvalCaseResult(
        id=new_id(),
        run_id=plan.run_id,
        owner_id=plan.owner_id,
        target=result.target,
        target_index=target_index,
        case_index=case_index,
        case_id=result.case_id,
        category=verdict.category,
        passed=verdict.passed,
        error_category=verdict.error_category.value if verdict.error_category else None,
        latency_ms=verdict.latency_ms,
        prompt_tokens=verdict.prompt_tokens,
        completion_tokens=verdict.completion_tokens,
        verdict=verdict.model_dump(mode="json", by_alias=True),
        exchanges=[e.model_dump(mode="json") for e in result.exchanges],
        transcript=result.transcript.model_dump(mode="json") if result.transcript else None,
        started_at=result.started_at,
        finished_at=result.finished_at,
    )

    async def write(session: AsyncSession) -> None:
        session.add(row)
        await repository.count_result(session, plan.run_id, verdict.passed)

    return row.id, write


async def finish_run(
    ctx: ServiceContext, run_id: str, status: str, error: str | None = None
) -> dict[str, Any]:
    """Store the final status and the cached per-target summary (from the stored rows)."""
    run, verdicts = await verdicts_of(ctx, run_id)
    summary = compact_summary(summaries_by_target(run.id, labels_of(run), verdicts))
    async with ctx.unit() as session:
        stored = await repository.get_run(session, ctx.require_owner(), run_id)
        if stored is not None:
            stored.status, stored.error = status, error
            stored.summary = summary
            stored.finished_at = utcnow()
    return summary


def _follow(run: EvalRun, status: str, error: str | None) -> None:
    """The run (loaded in the unit that commits it) takes its job's final state."""
    run.status, run.error = status, error or run.error
    run.finished_at = run.finished_at or utcnow()


async def run_follows_job(ctx: ServiceContext, ending: JobEnding) -> None:
    """`on_ended` of the eval job: in the unit that ends the job, its run follows it."""
    async with ctx.unit() as session:
        run = await repository.get_run(session, ctx.require_owner(), str(ending.params["run_id"]))
        if run is None or run.job_id != ending.job_id:
            return
        status = run_status_after(ending.status, run.status)
        if status is not None:
            error = UNFINISHED_BY_DONE_JOB if ending.status is JobStatus.DONE else ending.error
            _follow(run, status, error)


async def repair_runs(ctx: ServiceContext) -> int:
    """At start-up: runs still marked active whose job has ended take its final state; runs
    whose job is gone fail. Returns how many."""
    repaired = 0
    async with ctx.unit() as session:
        runs = await repository.active_runs(session)
        job_ids = [run.job_id for run in runs if run.job_id]
        present = await job_repository.statuses_of(session, job_ids)
        endings = await job_repository.endings_of(session, job_ids, lock=True)
        for run in runs:
            ending = endings.get(run.job_id or "")
            state = repaired_run_state(run.status, ending, run.job_id in present)
            if state is not None:
                _follow(run, *state)
                repaired += 1
    return repaired
