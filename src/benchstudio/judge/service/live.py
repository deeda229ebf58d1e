"""Live judging's use cases: a report per eval target when the eval job starts, the judge's
concurrency next to the eval's, and the case items the observer schedules.

On a separate endpoint the judge runs as many cases at once as the eval does; on a shared one
(the judge served by the same provider endpoint as an eval target) it is capped at
max(1, eval concurrency // 4), so the eval's own requests keep their slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchstudio.catalog import service as catalog_service
from benchstudio.catalog.service import CatalogContext
from benchstudio.evals.runs.service.lifecycle import RunPlan
from benchstudio.judge.domain.transcript import case_from_live
from benchstudio.judge.repository import case_verdicts, reports
from benchstudio.judge.service.experiment_filing import experiment_of
from benchstudio.judge.service.judging import CaseItem, ReportPlan
from benchstudio.judge.service.prompt_source import resolve_judge_prompt
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.live.records import LiveCaseResult

DEFAULT_EVAL_CONCURRENCY = 4


@dataclass(frozen=True, slots=True)
class LiveOptions:
    judge_model_ref_id: str
    prompt_entry_id: str
    prompt_version: int | None
    show_automated: bool
    budget_usd: float | None
    verdict_policy: str


def live_options(plan: RunPlan) -> LiveOptions | None:
    """The run's live-judging options, None when it is not judged live."""
    options: dict[str, Any] = plan.settings.get("judge") or {}
    if not options.get("live") or not options.get("judge_model_ref_id"):
        return None
    return LiveOptions(
        judge_model_ref_id=str(options["judge_model_ref_id"]),
        prompt_entry_id=str(options.get("prompt_entry_id") or "builtin-judge-verdict"),
        prompt_version=options.get("prompt_version"),
        show_automated=bool(options.get("show_automated")),
        budget_usd=options.get("budget_usd"),
        verdict_policy=str(options.get("verdict_policy") or "automated_final"),
    )


def shared_cap(eval_concurrency: int) -> int:
    return max(1, eval_concurrency // 4)


async def judge_concurrency(ctx: CatalogContext, plan: RunPlan, judge_model_ref_id: str) -> int:
    """The live judge's semaphore size (see the module doc)."""
    model = await catalog_service.get_model(ctx, judge_model_ref_id)
    judge_url = (await catalog_service.get_provider(ctx, model.provider_id)).base_url
    concurrency = DEFAULT_EVAL_CONCURRENCY
    shared = False
    for target in plan.targets:
        target_concurrency = int(
            target.get("concurrency")
            or plan.settings.get("concurrency")
            or DEFAULT_EVAL_CONCURRENCY
        )
        concurrency = max(concurrency, target_concurrency)
        provider = await catalog_service.get_provider(ctx, target["provider_id"])
        if target["provider_id"] == model.provider_id or _same_url(provider.base_url, judge_url):
            shared = True
    return shared_cap(concurrency) if shared else concurrency


def _same_url(first: str, second: str) -> bool:
    return first.rstrip("/").lower() == second.rstrip("/").lower()


async def open_live_reports(
    ctx: ServiceContext,
    plan: RunPlan,
    options: LiveOptions,
    judge_name: str,
    job_id: str,
) -> dict[str, tuple[ReportPlan, set[str]]]:
    """Per target: the live report (a resumed job's own, else a new version) and the cases it
    already holds."""
    owner_id = ctx.require_owner()
    prompt = await resolve_judge_prompt(ctx, options.prompt_entry_id, options.prompt_version)
    out: dict[str, tuple[ReportPlan, set[str]]] = {}
    experiment_id = await experiment_of(ctx, None, plan.run_id)
    async with ctx.unit() as session:
        existing = {
            r.target: r
            for r in await reports.reports_of_run(session, owner_id, plan.run_id)
            if r.mode == "live" and r.job_id == job_id
        }
        for target in plan.targets:
            label = str(target["label"])
            report = existing.get(label) or await reports.create_report(
                session,
                owner_id=owner_id,
                kind="cases",
                eval_run_id=plan.run_id,
                target=label,
                mode="live",
                experiment_id=experiment_id,
                judge_model_ref_id=options.judge_model_ref_id,
                judge_model_name=judge_name,
                prompt_entry_id=options.prompt_entry_id,
                prompt_version=prompt.version,
                show_automated=options.show_automated,
                verdict_policy=options.verdict_policy,
                budget_usd=options.budget_usd,
            )
            reports.mark_running(report, job_id)
            held = await case_verdicts.verdicts_of(session, owner_id, [report.id])
            report_plan = ReportPlan(
                report.id, owner_id, prompt.body, options.show_automated, options.budget_usd
            )
            out[label] = (report_plan, {v.case_id for v in held})
    return out


def live_item(plan: RunPlan, result: LiveCaseResult) -> CaseItem:
    case = next(c for c in plan.suite.cases if c.id == result.case_id)
    tools = plan.suite.tools_for(case)
    judged = case_from_live(result, case, tools, hide=[result.target])
    return CaseItem(judged, result.verdict.category, result.passed)
