"""Submitting an eval run: check the suite and targets, then write the run and its
`tool_eval` job in one unit of work (a refused submit leaves no run behind)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.catalog import service as catalog_service
from benchstudio.core.errors import AppError
from benchstudio.core.ids import new_id
from benchstudio.evals.models import EvalRun
from benchstudio.evals.runs.domain.placeholders import (
    PLACEHOLDER_WARNING,
    placeholder_case_ids,
    placeholder_message,
)
from benchstudio.evals.runs.domain.rules import MAX_CASES_PER_RUN, TOOL_EVAL_JOB_TYPE
from benchstudio.evals.runs.schemas import EvalCreate, EvalRunOut, EvalSubmitted, EvalWarning
from benchstudio.evals.runs.service.experiment_check import check_experiment
from benchstudio.evals.runs.service.semantic import semantic_settings
from benchstudio.evals.runs.service.targets import preview_plans, resolve_targets, runner_target
from benchstudio.evals.service import EvalContext
from benchstudio.evals.suites.service import crud as suites
from benchstudio.jobs.schemas import ScheduledBy
from benchstudio.toolcall.live.conversation import TOOL_CHOICE_MODES
from benchstudio.toolcall.schemas import Suite


def refuse(message: str, code: str = "invalid_eval") -> AppError:
    return AppError(message, code=code, status_code=422)


def _check_suite(suite: Suite, data: EvalCreate) -> None:
    if not suite.cases:
        raise refuse("The suite has no cases.")
    choice = data.tool_choice
    if choice and choice not in TOOL_CHOICE_MODES:
        names = {tool.function.name for tool in suite.tools}
        names |= {t.function.name for case in suite.cases for t in case.tools or []}
        if choice not in names:
            raise refuse(f"tool_choice {choice!r} is neither a mode nor a tool of the suite.")


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
            "judge",
        },
        # A run without judging stores no judge key (its settings read as before judging).
        exclude={"judge"} if data.judge is None else set(),
    )


async def submit_eval(
    ctx: EvalContext, data: EvalCreate, *, scheduled: ScheduledBy | None = None
) -> EvalSubmitted:
    """`scheduled`: the schedule occurrence that starts this run (its history metadata)."""
    owner_id = ctx.require_owner()
    snapshot = await suites.load_snapshot(ctx, data.suite_id, data.suite_version)
    _check_suite(snapshot.suite, data)
    semantic = await semantic_settings(ctx, snapshot.suite, data)
    resolved = await resolve_targets(ctx, data)
    if data.experiment_id is not None:  # the caller's experiment (404 otherwise)
        await check_experiment(ctx, data.experiment_id)
    if data.judge is not None:  # the judge model must be the caller's (404 otherwise)
        await catalog_service.get_model(
            ctx.catalog.for_tenant(owner_id), data.judge.judge_model_ref_id
        )
    total = len(resolved) * len(snapshot.suite.cases)
    if total > MAX_CASES_PER_RUN:
        raise refuse(f"{total} case runs exceed the limit of {MAX_CASES_PER_RUN} per run.")
    settings = _settings_of(data)
    if semantic:
        settings["semantic"] = semantic
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
            experiment_id=data.experiment_id,
        )
        if scheduled is not None:
            run.schedule_id = scheduled.schedule_id
            run.schedule_occurrence_at = scheduled.occurrence_at
            run.schedule_run_number = scheduled.run_number
        session.add(run)
        await session.flush()
        out = EvalRunOut.model_validate(run)

    # The run and its job in one unit of work: a refused submit leaves no run behind.
    # Case results carry no cost: only the built-in simulator's targets are known to be free.
    catalog = ctx.catalog.for_tenant(owner_id)
    unpriced = [
        info.display_name
        for info, _ in resolved
        if not (await catalog_service.get_provider(catalog, info.provider_id)).is_demo
    ]
    params = {"run_id": run_id, "planned_requests": total, "unpriced_models": unpriced}
    job = await ctx.jobs.submit(owner_id, TOOL_EVAL_JOB_TYPE, params, write=write_run)
    assert out is not None
    return EvalSubmitted(run=out, job_id=job.id, warnings=_warnings(snapshot.suite))


def _warnings(suite: Suite) -> list[EvalWarning]:
    held = placeholder_case_ids(suite)
    if not held:
        return []
    message = placeholder_message(held)
    return [EvalWarning(code=PLACEHOLDER_WARNING, message=message, case_ids=held)]
