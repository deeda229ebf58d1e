"""What the judge reads of an eval run (judge → evals is a declared edge): a result's cases
with their suite case, transcript and automated verdict, and the run's judge options (stored
in its settings: `settings.judge`), whose verdict policy the user may change later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchstudio.core.errors import NotFoundError
from benchstudio.evals.runs import repository
from benchstudio.evals.runs.repository import CaseFilters
from benchstudio.evals.runs.schemas import CaseResultDetail, EvalRunOut
from benchstudio.evals.runs.service.history import build_case_detail
from benchstudio.evals.suites.service import crud as suites
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.schemas import Suite

VERDICT_POLICIES = ("automated_final", "judge_final", "both")


@dataclass(slots=True)
class JudgedResult:
    """One (run, target) of a run, as the judge sees it."""

    run: EvalRunOut
    target: str
    suite: Suite
    suite_version_id: str
    settings: dict[str, Any]
    cases: list[CaseResultDetail] = field(default_factory=list)


async def result_for_judge(
    ctx: ServiceContext, run_id: str, target: str, *, case_ids: set[str] | None = None
) -> JudgedResult:
    """The target's stored cases of an owned run (only `case_ids` when given), in suite order;
    NotFoundError for another owner's run or an unknown target."""
    owner_id = ctx.require_owner()
    async with ctx.read() as session:
        run = await repository.get_run(session, owner_id, run_id)
        if run is None:
            raise NotFoundError("No such eval run.")
        labels = [t["label"] for t in run.config.get("targets", [])]
        if target not in labels:
            raise NotFoundError(f"The run has no target {target!r}.")
        rows, _ = await repository.list_case_results(
            session, owner_id, run_id, CaseFilters(target=target), None
        )
        session.expunge_all()
    suite = await suites.snapshot_by_version_id(ctx, run.suite_version_id)
    wanted = [r for r in rows if case_ids is None or r.case_id in case_ids]
    return JudgedResult(
        run=EvalRunOut.model_validate(run),
        target=target,
        suite=suite,
        suite_version_id=run.suite_version_id,
        settings=dict(run.config.get("settings", {})),
        cases=[build_case_detail(run, row, suite) for row in wanted],
    )


async def judge_options(ctx: ServiceContext, run_id: str) -> dict[str, Any]:
    """The run's judge options (`EvalJudgeOptions` as stored), empty if none were given."""
    async with ctx.read() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            raise NotFoundError("No such eval run.")
        return dict((run.config.get("settings") or {}).get("judge") or {})


async def judge_policy(ctx: ServiceContext, run_id: str) -> str:
    policy = (await judge_options(ctx, run_id)).get("verdict_policy")
    return policy if policy in VERDICT_POLICIES else "automated_final"


async def set_judge_policy(ctx: ServiceContext, run_id: str, policy: str) -> None:
    """Store the run's verdict policy in its settings (a new JSON value, so it is saved)."""
    if policy not in VERDICT_POLICIES:
        raise ValueError(f"unknown verdict policy {policy!r}")
    async with ctx.unit() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            raise NotFoundError("No such eval run.")
        settings = dict(run.config.get("settings") or {})
        settings["judge"] = {**(settings.get("judge") or {}), "verdict_policy": policy}
        run.config = {**run.config, "settings": settings}


async def result_labels(ctx: ServiceContext, run_id: str) -> list[str]:
    """The run's target labels, in order."""
    async with ctx.read() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            raise NotFoundError("No such eval run.")
        return [str(t["label"]) for t in run.config.get("targets", [])]


async def result_ids(ctx: ServiceContext, run_id: str, target: str) -> dict[str, str]:
    """Case id → the stored case result's id, for one target of an owned run (drill-down links)."""
    async with ctx.read() as session:
        rows, _ = await repository.list_case_results(
            session, ctx.require_owner(), run_id, CaseFilters(target=target), None
        )
        return {row.case_id: row.id for row in rows}


async def automated_passes_of_runs(
    ctx: ServiceContext, run_ids: list[str]
) -> dict[tuple[str, str], dict[str, bool]]:
    """(run id, target) → every stored case id → its automated pass, for the owner's runs."""
    async with ctx.read() as session:
        rows = await repository.case_passes(session, ctx.require_owner(), run_ids)
    passes: dict[tuple[str, str], dict[str, bool]] = {}
    for run_id, target, case_id, passed in rows:
        passes.setdefault((run_id, target), {})[case_id] = passed
    return passes
