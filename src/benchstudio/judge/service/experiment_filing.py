"""Judge reports as the experiments domain sees them: facts of the reports filed under
experiments (one query for many), filing and unfiling one, and the experiment a new report
inherits from its eval run. The experiment id is opaque here; evals' registered check says
whether it is the caller's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from benchstudio.core.errors import ConflictError, NotFoundError
from benchstudio.evals.runs.service import history as eval_history
from benchstudio.evals.runs.service.experiment_check import check_experiment
from benchstudio.judge.models import JudgeReport
from benchstudio.judge.repository import reports
from benchstudio.storage.service_context import ServiceContext


@dataclass(frozen=True, slots=True)
class JudgeReportFacts:
    """One report: for `cases` reports, the judge's pass count over the cases it judged."""

    id: str
    experiment_id: str | None
    kind: str
    eval_run_id: str
    target: str
    other_eval_run_id: str | None
    other_target: str | None
    judge_model_name: str
    status: str
    passed: int | None
    judged: int | None
    judge_pass_rate: float | None
    created_at: datetime
    finished_at: datetime | None


def _facts(report: JudgeReport) -> JudgeReportFacts:
    summary: dict[str, Any] = report.summary or {}
    policy = summary.get("policy") or {}
    rate = policy.get("judge_pass_rate") if report.kind == "cases" else None
    return JudgeReportFacts(
        id=report.id,
        experiment_id=report.experiment_id,
        kind=report.kind,
        eval_run_id=report.eval_run_id,
        target=report.target,
        other_eval_run_id=report.other_eval_run_id,
        other_target=report.other_target,
        judge_model_name=report.judge_model_name,
        status=report.status,
        passed=summary.get("pass_count") if report.kind == "cases" and summary else None,
        judged=summary.get("judged") if report.kind == "cases" and summary else None,
        judge_pass_rate=float(rate) if rate is not None else None,
        created_at=report.created_at,
        finished_at=report.finished_at,
    )


async def experiment_reports(
    ctx: ServiceContext, experiment_ids: Sequence[str]
) -> dict[str, list[JudgeReportFacts]]:
    """The caller's reports filed under each experiment, oldest first (one query for all)."""
    if not experiment_ids:
        return {}
    async with ctx.read() as session:
        rows = await reports.reports_of_experiments(
            session, ctx.require_owner(), list(experiment_ids)
        )
        found: dict[str, list[JudgeReportFacts]] = defaultdict(list)
        for row in rows:
            found[str(row.experiment_id)].append(_facts(row))
    return {experiment_id: found.get(experiment_id, []) for experiment_id in experiment_ids}


async def file_report(
    ctx: ServiceContext, report_id: str, experiment_id: str | None, *, move: bool = False
) -> JudgeReportFacts:
    """File the caller's report under an experiment (None: unfile). One already in another
    experiment is refused (409 `already_filed`, naming it) unless `move`."""
    if experiment_id is not None:
        await check_experiment(ctx, experiment_id)
    async with ctx.unit() as session:
        report = await reports.get_owned_report(session, ctx.require_owner(), report_id)
        if report is None:
            raise NotFoundError("No such judge report.")
        current = report.experiment_id
        if experiment_id is not None and current not in (None, experiment_id) and not move:
            raise ConflictError(
                f"The report is filed under experiment {current}: move it (move=true) or "
                "unfile it.",
                code="already_filed",
                details=[{"experiment_id": current}],
            )
        report.experiment_id = experiment_id
        await session.flush()
        return _facts(report)


async def unfile_experiment(ctx: ServiceContext, experiment_id: str) -> None:
    async with ctx.unit() as session:
        await reports.unfile_experiment(session, ctx.require_owner(), experiment_id)


async def experiment_of(ctx: ServiceContext, named: str | None, eval_run_id: str) -> str | None:
    """The experiment a new report is filed under: the one the request names (the caller's,
    else 404), else its eval run's."""
    if named is not None:
        await check_experiment(ctx, named)
        return named
    return (await eval_history.get_run(ctx, eval_run_id)).experiment_id
