"""The judge-final pass rate of listed eval runs, for the runs list and the compare picker.

Registered with evals (`evals.runs.service.run_figures`) by the composition root. For each run
under verdict policy judge_final it takes every target's latest finished per-case report and
counts the final passes by the one rule of the report page (`case_summary.final_passes`:
reviews settle a case, else the judge's verdict, and a case the judge did not score keeps its
automated verdict); a target without such a report counts its automated verdicts. A run with
no finished per-case report has no figure. Three queries for a whole page of runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchstudio.evals.runs.schemas import JudgePassRateOut
from benchstudio.evals.runs.service import judging as eval_judging
from benchstudio.judge.domain.case_summary import final_passes
from benchstudio.judge.models import JudgeCaseVerdict, JudgeReport
from benchstudio.judge.repository import case_verdicts
from benchstudio.judge.repository import reports as reports_repo
from benchstudio.judge.service.reports import verdict_row
from benchstudio.storage.service_context import ServiceContext


async def judge_final_pass_rates(
    ctx: ServiceContext, eval_run_ids: Sequence[str]
) -> dict[str, JudgePassRateOut]:
    """Run id → its pass rate with the judge's verdicts final (only runs with a report)."""
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        found = await reports_repo.finished_case_reports_of_runs(session, owner_id, eval_run_ids)
        latest: dict[tuple[str, str], JudgeReport] = {}
        for report in found:
            key = (report.eval_run_id, report.target)
            if key not in latest or report.version > latest[key].version:
                latest[key] = report
        ids = [report.id for report in latest.values()]
        rows = await case_verdicts.verdicts_of(session, owner_id, ids)
        session.expunge_all()
    by_report: dict[str, list[JudgeCaseVerdict]] = {}
    for row in rows:
        by_report.setdefault(row.report_id, []).append(row)
    judged_runs = sorted({run_id for run_id, _ in latest})
    automated = await eval_judging.automated_passes_of_runs(ctx, judged_runs)
    counts: dict[str, tuple[int, int]] = {}
    for (run_id, target), cases in automated.items():
        latest_report = latest.get((run_id, target))
        report_id = latest_report.id if latest_report is not None else ""
        verdicts = [verdict_row(r) for r in by_report.get(report_id, [])]
        passed, total = counts.get(run_id, (0, 0))
        counts[run_id] = (passed + final_passes(verdicts, cases, "judge_final"), total + len(cases))
    return {
        run_id: JudgePassRateOut(passed=passed, total=total, rate=passed / total)
        for run_id, (passed, total) in counts.items()
        if total
    }
