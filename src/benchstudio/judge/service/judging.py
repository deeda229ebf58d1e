"""Judging cases into a report, one stored unit per case (post-eval, auto and live share it).

Each case is estimated first: under a budget, a case whose estimate would take the spend past
it is not sent, and the report stops (`stopped`, the verdicts so far kept). Each verdict row is
stored with its `judge_case_verdict` event and its cost charged to the job's spend ledger in
one unit. A request that fails is recorded with the reason and never scored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.core.redaction import redact
from benchstudio.evals.runs.service.judging import JudgedResult
from benchstudio.jobs.context import JobContext
from benchstudio.judge.domain.transcript import CaseForJudge, case_from_detail
from benchstudio.judge.models import JudgeCaseVerdict
from benchstudio.judge.service.verdict_call import (
    CaseJudgement,
    JudgeModel,
    estimate_case,
    judge_case,
)

log = logging.getLogger(__name__)
VERDICT_EVENT = "judge_case_verdict"
UnitWriter = Callable[[AsyncSession], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class CaseItem:
    """One case to judge: what the judge sees, and the automated verdict to compare with."""

    case: CaseForJudge
    category: str | None
    automated_pass: bool


@dataclass(slots=True)
class ReportPlan:
    """A report being filled: its prompt, options, and the spend against its budget."""

    report_id: str
    owner_id: str
    prompt_body: str
    show_automated: bool
    budget_usd: float | None
    total: int = 0
    done: int = 0
    spent: float = 0.0
    reserved: float = 0.0
    unpriced: bool = False
    stop_reason: str | None = None

    def admit(self, cost_usd: float | None) -> bool:
        """Reserve a case's estimated cost; False (and the stop reason) past the budget."""
        if self.stop_reason is not None:
            return False
        if self.budget_usd is None or cost_usd is None:
            return True
        if self.spent + self.reserved + cost_usd > self.budget_usd:
            self.stop_reason = (
                f"budget reached: ${self.spent:.4f} spent of ${self.budget_usd:.4f}; "
                f"the next case (about ${cost_usd:.4f}) would exceed it"
            )
            return False
        self.reserved += cost_usd
        return True

    @property
    def cost_usd(self) -> float | None:
        return None if self.unpriced else round(self.spent, 8)


def items_of(result: JudgedResult, *, scope: str, category: str | None) -> list[CaseItem]:
    """The result's cases in scope (all, failed only, one category), ready for the judge."""
    by_id = {case.id: case for case in result.suite.cases}
    items = []
    for detail in result.cases:
        if scope == "failed" and detail.passed:
            continue
        if scope == "category" and detail.category != category:
            continue
        tools = result.suite.tools_for(by_id[detail.case_id])
        case = case_from_detail(detail.model_dump(mode="json"), tools, hide=[result.target])
        items.append(CaseItem(case, detail.category, detail.passed))
    return items


def verdict_writer(plan: ReportPlan, item: CaseItem, judgement: CaseJudgement) -> UnitWriter:
    verdict = judgement.verdict
    row = JudgeCaseVerdict(
        report_id=plan.report_id,
        owner_id=plan.owner_id,
        case_id=item.case.case_id,
        category=item.category,
        score=verdict.score if verdict else None,
        verdict=verdict.verdict if verdict else None,
        tool_selection=verdict.tool_selection.model_dump() if verdict else None,
        arguments=[a.model_dump() for a in verdict.arguments] if verdict else None,
        reasoning=verdict.reasoning if verdict else None,
        parse_error=judgement.parse_error,
        skipped_reason=judgement.skipped_reason,
        automated_pass=item.automated_pass,
        mode=judgement.mode,
        repaired=judgement.repaired,
        cost_usd=judgement.cost_usd,
        latency_ms=judgement.latency_ms,
        input_tokens=judgement.input_tokens,
        output_tokens=judgement.output_tokens,
    )

    async def write(session: AsyncSession) -> None:
        session.add(row)

    return write


def _event(plan: ReportPlan, item: CaseItem, judgement: CaseJudgement) -> dict[str, Any]:
    verdict = judgement.verdict
    return {
        "report_id": plan.report_id,
        "case_id": item.case.case_id,
        "verdict": verdict.verdict if verdict else None,
        "score": verdict.score if verdict else None,
        "automated_pass": item.automated_pass,
        "parse_error": judgement.parse_error is not None,
        "skipped": judgement.skipped_reason is not None,
        "cost_usd": judgement.cost_usd,
        "judged": plan.done,
        "total": plan.total,
    }


async def _call(judge: JudgeModel, plan: ReportPlan, item: CaseItem) -> CaseJudgement:
    try:
        return await judge_case(
            judge, plan.prompt_body, item.case, show_automated=plan.show_automated
        )
    except Exception as error:  # the provider failed: recorded, never scored
        message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        reason = f"judge request failed: {redact(str(message))}"[:1000]
        return CaseJudgement(case_id=item.case.case_id, verdict=None, skipped_reason=reason)


async def _record(
    ctx: JobContext, plan: ReportPlan, write: UnitWriter, event: Mapping[str, Any], cost: float
) -> None:
    """One verdict's unit in the job: its row, its event, its cost on the job's ledger."""
    percent = 100 * plan.done / plan.total if plan.total else 100.0
    detail = f"{plan.done} of {plan.total} cases judged"
    await ctx.record_unit(
        write, [(VERDICT_EVENT, event)], percent=percent, detail=detail, charge_usd=cost
    )


async def judge_item(ctx: JobContext, judge: JudgeModel, plan: ReportPlan, item: CaseItem) -> bool:
    """Judge one case and store it in the job `ctx` (its cost charged to that job); False
    when the budget stopped the report instead."""
    estimate = estimate_case(judge, plan.prompt_body, item.case, show_automated=plan.show_automated)
    reserve = None if estimate.too_long else estimate.cost_usd
    if not plan.admit(reserve):
        return False
    try:
        judgement = await _call(judge, plan, item)
    finally:
        plan.reserved -= reserve or 0.0
    cost = judgement.cost_usd or 0.0
    if judgement.cost_usd is None and judgement.input_tokens:
        plan.unpriced = True  # a call was sent but the judge has no price
    plan.spent += cost
    plan.done += 1
    event = _event(plan, item, judgement)
    await _record(ctx, plan, verdict_writer(plan, item, judgement), event, cost)
    return True


async def judge_items(
    ctx: JobContext,
    judge: JudgeModel,
    plan: ReportPlan,
    items: Sequence[CaseItem],
    *,
    concurrency: int,
) -> None:
    """Judge `items` with `concurrency` workers, in order, until done, the job is cancelled,
    or over budget (no new case starts then; cases in flight finish and are stored)."""
    queue: asyncio.Queue[CaseItem] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)

    async def worker() -> None:
        while not queue.empty() and not ctx.cancelled and plan.stop_reason is None:
            item = queue.get_nowait()
            if not await judge_item(ctx, judge, plan, item):
                return

    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, min(concurrency, len(items)))):
            group.create_task(worker())
