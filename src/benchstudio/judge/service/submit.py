"""Estimating and submitting a per-case judge (post-eval and auto): a new report version and
its `judge_cases` job, written in one unit of work (a refused submit leaves no report).

The estimate is cases × tokens × the judge's price: each case is rendered as the judge would
see it and counted with the judge's tokenizer; cases longer than its window are counted apart
(they would be skipped, at no cost).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.errors import AppError, ConflictError
from benchstudio.evals.runs.service import judging as eval_judging
from benchstudio.judge.repository import case_verdicts, reports
from benchstudio.judge.schemas import JudgeCasesIn, JudgeEstimateOut, JudgeSubmitted
from benchstudio.judge.service.context import JudgeContext
from benchstudio.judge.service.experiment_filing import experiment_of
from benchstudio.judge.service.judge_models import open_judge_model
from benchstudio.judge.service.judging import CaseItem, items_of
from benchstudio.judge.service.prompt_source import record_prompt_use, resolve_judge_prompt
from benchstudio.judge.service.verdict_call import estimate_case

JUDGE_CASES_JOB_TYPE = "judge_cases"
ACTIVE_RUN_STATUSES = ("queued", "running")


@dataclass(frozen=True, slots=True)
class _Planned:
    items: list[CaseItem]
    estimate: JudgeEstimateOut
    judge_name: str
    prompt_version: int


def refuse(message: str, code: str = "invalid_judge") -> AppError:
    return AppError(message, code=code, status_code=422)


async def _plan(ctx: JudgeContext, data: JudgeCasesIn, exclude: set[str] | None = None) -> _Planned:
    if data.scope == "category" and not data.category:
        raise refuse("Scope 'category' needs a category.")
    prompt = await resolve_judge_prompt(ctx, data.prompt_entry_id, data.prompt_version)
    result = await eval_judging.result_for_judge(ctx, data.eval_run_id, data.target)
    if result.run.status in ACTIVE_RUN_STATUSES:
        raise ConflictError(
            "The eval run is still going: judge it once it has finished.", code="run_active"
        )
    items = [
        item
        for item in items_of(result, scope=data.scope, category=data.category)
        if exclude is None or item.case.case_id not in exclude
    ]
    cases = skipped = input_tokens = output_tokens = 0
    cost: float | None = 0.0
    async with open_judge_model(ctx.catalog, data.judge_model_ref_id) as judge:
        for item in items:
            one = estimate_case(judge, prompt.body, item.case, show_automated=data.show_automated)
            if one.too_long:
                skipped += 1
                continue
            cases += 1
            input_tokens += one.input_tokens
            output_tokens += one.output_tokens
            cost = None if cost is None or one.cost_usd is None else cost + one.cost_usd
        name = judge.display_name
        unpriced = [name] if judge.price is None and cases else []
    if unpriced:
        cost = None
    estimate = JudgeEstimateOut(
        cases=cases,
        skipped_too_long=skipped,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=None if cost is None else round(cost, 6),
        unpriced=unpriced,
    )
    return _Planned(items, estimate, name, prompt.version)


async def estimate_cases(ctx: JudgeContext, data: JudgeCasesIn) -> JudgeEstimateOut:
    return (await _plan(ctx, data)).estimate


async def judged_cases(ctx: JudgeContext, eval_run_id: str, target: str) -> set[str]:
    async with ctx.read() as session:
        return await case_verdicts.judged_case_ids(
            session, ctx.require_owner(), eval_run_id, target
        )


async def submit_cases(
    ctx: JudgeContext,
    data: JudgeCasesIn,
    *,
    mode: str = "post",
    exclude: Sequence[str] = (),
) -> JudgeSubmitted:
    """A new report version and its job. `mode` 'auto' with `exclude`: the cases some report
    already judged are left out (never judged twice)."""
    owner_id = ctx.require_owner()
    planned = await _plan(ctx, data, set(exclude))
    if data.budget_usd is not None and planned.estimate.cost_usd is None and planned.items:
        raise refuse(
            "A budget needs a judge model with a price (set its prices in the catalog).",
            "judge_unpriced",
        )
    policy = await eval_judging.judge_policy(ctx, data.eval_run_id)
    experiment_id = await experiment_of(ctx, data.experiment_id, data.eval_run_id)
    report_id = ""

    async def write(session: AsyncSession, job_id: str) -> None:
        nonlocal report_id
        report = await reports.create_report(
            session,
            owner_id=owner_id,
            kind="cases",
            eval_run_id=data.eval_run_id,
            target=data.target,
            mode=mode,
            judge_model_ref_id=data.judge_model_ref_id,
            judge_model_name=planned.judge_name,
            prompt_entry_id=data.prompt_entry_id,
            prompt_version=planned.prompt_version,
            scope=data.scope,
            category=data.category,
            show_automated=data.show_automated,
            verdict_policy=policy,
            budget_usd=data.budget_usd,
            experiment_id=experiment_id,
        )
        report.job_id = job_id
        report_id = report.id

    estimate = planned.estimate
    params = {
        "eval_run_id": data.eval_run_id,
        "target": data.target,
        "planned_requests": estimate.cases,
        "cost_usd": estimate.cost_usd,
        "unpriced": estimate.unpriced,
    }
    job = await ctx.jobs.submit(owner_id, JUDGE_CASES_JOB_TYPE, params, write=write)
    await _record_use(ctx, data, planned.prompt_version, report_id)
    return JudgeSubmitted(report_id=report_id, job_id=job.id)


async def _record_use(ctx: JudgeContext, data: JudgeCasesIn, version: int, report_id: str) -> None:
    prompt = await resolve_judge_prompt(ctx, data.prompt_entry_id, version)
    try:
        await record_prompt_use(ctx, prompt, report_id, f"Judge report ({data.target})")
    except Exception:  # best effort: the used-by list is a convenience
        return
