"""The judge objective's case scores: a trial run is judged live (the eval job's live judge
follows its cases into one report per repeat), and each judged case scores its judge score
(1 to 5) as (score - 1) / 4 in [0, 1]. A case the judge could not score (a parse failure, a
skipped case) counts for no side: the trial's mean is over the judged cases. The mapping is
`tuning.domain.judge_objective`'s, which a local tune (`local_judging`) shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from benchstudio.judge.service import reports as judge_reports
from benchstudio.storage.service_context import ServiceContext
from benchstudio.tuning.domain.judge_objective import judged_case
from benchstudio.tuning.domain.objective import CaseScore

JUDGE_PROMPT_ID = "builtin-judge-verdict"


def live_judge_settings(judge_model_ref_id: str) -> dict[str, Any]:
    """A trial run's judge options: judged live by the objective's model, the judge's verdict
    final on its eval run page."""
    return {
        "judge_model_ref_id": judge_model_ref_id,
        "prompt_entry_id": JUDGE_PROMPT_ID,
        "prompt_version": None,
        "live": True,
        "auto_judge_below": None,
        "show_automated": False,
        "budget_usd": None,
        "verdict_policy": "judge_final",
    }


async def judged_repeats(
    ctx: ServiceContext,
    eval_run_id: str,
    labels: Sequence[str],
    latencies: Mapping[tuple[str, str], float | None] | None = None,
    case_costs: Mapping[tuple[str, str], float | None] | None = None,
) -> tuple[list[list[CaseScore]], float]:
    """Per repeat (label order) the judged cases' scores, and what judging them cost. A judged
    case costs its model calls (`case_costs`, None when unpriced) and its verdict, as a local
    tune counts it, so a cost objective compares the same figures on both paths."""
    reports = await judge_reports.list_reports(ctx, eval_run_id, "cases")
    live = {report.target: report for report in reports if report.mode == "live"}
    repeats: list[list[CaseScore]] = []
    cost = 0.0
    for label in labels:
        report = live.get(label)
        if report is None:
            repeats.append([])
            continue
        cost += report.cost_usd or 0.0
        rows = await judge_reports.report_cases(ctx, report.id, None)
        judged = (
            judged_case(
                row.score,
                (latencies or {}).get((label, row.case_id)),
                _case_cost((case_costs or {}).get((label, row.case_id)), row.cost_usd),
            )
            for row in rows
        )
        repeats.append([case for case in judged if case is not None])
    return repeats, cost


def _case_cost(model_usd: float | None, judge_usd: float | None) -> float | None:
    if model_usd is None and judge_usd is None:
        return None
    return (model_usd or 0.0) + (judge_usd or 0.0)
