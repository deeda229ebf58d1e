"""Agreement across reports, per (judge model, prompt version): which judge to trust.

Each report's verdicts are pooled with the other reports of the same judge model and prompt
version; a case judged in several reports counts once per report (each is a separate rating).
"""

from __future__ import annotations

from collections import defaultdict

from benchstudio.judge.domain.case_summary import agreement
from benchstudio.judge.repository import case_verdicts, reports
from benchstudio.judge.schemas import JudgeAgreementRow
from benchstudio.judge.service.reports import verdict_row
from benchstudio.storage.service_context import ServiceContext


async def agreement_by_judge(ctx: ServiceContext) -> list[JudgeAgreementRow]:
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        done = await reports.list_done_case_reports(session, owner_id)
        rows = await case_verdicts.verdicts_of(session, owner_id, [r.id for r in done])
        session.expunge_all()
    by_report = defaultdict(list)
    for row in rows:
        by_report[row.report_id].append(verdict_row(row))
    groups: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for report in done:
        groups[(report.judge_model_name, report.prompt_entry_id, report.prompt_version)].append(
            report.id
        )
    out = []
    for (model, entry_id, version), report_ids in sorted(groups.items()):
        pooled = [v for report_id in report_ids for v in by_report[report_id]]
        figures = agreement(pooled)
        out.append(
            JudgeAgreementRow(
                judge_model_name=model,
                prompt_entry_id=entry_id,
                prompt_version=version,
                reports=len(report_ids),
                n=figures["n"],
                kappa=figures["kappa"],
                kappa_reason=figures["kappa_reason"],
                raw_agreement=figures["raw_agreement"],
                judge_right=figures["judge_right"],
                automated_right=figures["automated_right"],
                judge_accuracy=figures["judge_accuracy"],
            )
        )
    return out
