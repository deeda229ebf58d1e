"""The auto-judge: after an eval run finished, each target whose pass rate fell below the
user's threshold gets a `judge_cases` job over its failed cases, leaving out every case some
report of that result already judged (no case is judged twice)."""

from __future__ import annotations

import logging

from benchstudio.catalog.service import CatalogContext
from benchstudio.credentials.service import Vault
from benchstudio.evals.runs.service import judging as eval_judging
from benchstudio.jobs.context import JobContext
from benchstudio.jobs.service import JobService
from benchstudio.judge.schemas import JudgeCasesIn, JudgeSubmitted
from benchstudio.judge.service.context import JudgeContext
from benchstudio.judge.service.reports import automated_passes
from benchstudio.judge.service.submit import judged_cases, submit_cases

log = logging.getLogger(__name__)


def below_threshold(passes: dict[str, bool], threshold_percent: float) -> bool:
    return bool(passes) and 100 * sum(passes.values()) / len(passes) < threshold_percent


async def auto_judge_run(ctx: JudgeContext, run_id: str) -> list[JudgeSubmitted]:
    """Submit the auto-judge jobs the run's options call for; the submitted ones."""
    options = await eval_judging.judge_options(ctx, run_id)
    threshold = options.get("auto_judge_below")
    if threshold is None or not options.get("judge_model_ref_id"):
        return []
    run = await eval_judging.result_labels(ctx, run_id)
    submitted = []
    for target in run:
        passes = await automated_passes(ctx, run_id, target)
        if not below_threshold(passes, float(threshold)):
            continue
        judged = await judged_cases(ctx, run_id, target)
        if all(passed or case_id in judged for case_id, passed in passes.items()):
            continue  # every failed case was judged already
        data = JudgeCasesIn(
            eval_run_id=run_id,
            target=target,
            scope="failed",
            judge_model_ref_id=str(options["judge_model_ref_id"]),
            prompt_entry_id=str(options.get("prompt_entry_id") or "builtin-judge-verdict"),
            prompt_version=options.get("prompt_version"),
            show_automated=bool(options.get("show_automated")),
            budget_usd=options.get("budget_usd"),
        )
        submitted.append(await submit_cases(ctx, data, mode="auto", exclude=sorted(judged)))
    return submitted


async def auto_judge_after_eval(ctx: JobContext, run_id: str, jobs: JobService) -> None:
    """The eval job's finish hook (wired by the composition root with a job service)."""
    settings = ctx.settings
    judge_ctx = JudgeContext(
        db=ctx.database,
        owner_id=ctx.owner_id,
        actor_id=ctx.owner_id,
        catalog=CatalogContext.from_settings(
            ctx.database, Vault(settings.vault_key_list()), settings, owner_id=ctx.owner_id
        ),
        jobs=jobs,
    )
    submitted = await auto_judge_run(judge_ctx, run_id)
    if submitted:
        log.info("auto-judge submitted", extra={"run_id": run_id, "reports": len(submitted)})
