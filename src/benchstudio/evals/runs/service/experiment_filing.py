"""Eval runs as the experiments domain sees them: facts of the runs filed under experiments
(one query for many experiments), filing and unfiling a run, and the submit request that
re-runs one target's configuration.

A run holds its experiment's id as an opaque value; the experiments domain owns what it means.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from benchstudio.catalog import service as catalog_service
from benchstudio.core.errors import ConflictError, NotFoundError
from benchstudio.evals.models import EvalRun
from benchstudio.evals.runs import repository
from benchstudio.evals.runs.schemas import (
    EvalCreate,
    EvalJudgeOptions,
    EvalSemanticOptions,
    EvalTargetIn,
)
from benchstudio.evals.runs.service.experiment_check import check_experiment
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.profiles import ProfileName


@dataclass(frozen=True, slots=True)
class TargetFacts:
    """One target of a run: its automated pass count over its stored cases (None while the
    run has no cached summary yet)."""

    label: str
    index: int
    passed: int | None
    total: int | None


@dataclass(frozen=True, slots=True)
class EvalRunFacts:
    id: str
    experiment_id: str | None
    status: str
    suite_id: str
    suite_version: int
    profile: str
    created_at: datetime
    finished_at: datetime | None
    targets: tuple[TargetFacts, ...]


def _facts(run: EvalRun) -> EvalRunFacts:
    summary = run.summary or {}
    targets = []
    for index, target in enumerate(run.config.get("targets", [])):
        label = target["label"]
        cached = summary.get(label)
        passed = total = None
        if isinstance(cached, dict):
            passed, total = int(cached.get("passed", 0)), int(cached.get("cases", 0))
        targets.append(TargetFacts(label, index, passed, total))
    return EvalRunFacts(
        id=run.id,
        experiment_id=run.experiment_id,
        status=run.status,
        suite_id=run.suite_id,
        suite_version=run.suite_version,
        profile=run.profile,
        created_at=run.created_at,
        finished_at=run.finished_at,
        targets=tuple(targets),
    )


async def experiment_runs(
    ctx: ServiceContext, experiment_ids: Sequence[str]
) -> dict[str, list[EvalRunFacts]]:
    """The caller's runs filed under each experiment, oldest first (one query for all)."""
    if not experiment_ids:
        return {}
    async with ctx.read() as session:
        rows = await repository.runs_of_experiments(
            session, ctx.require_owner(), list(experiment_ids)
        )
        found: dict[str, list[EvalRunFacts]] = defaultdict(list)
        for row in rows:
            found[str(row.experiment_id)].append(_facts(row))
    return {experiment_id: found.get(experiment_id, []) for experiment_id in experiment_ids}


async def runs_facts(ctx: ServiceContext, run_ids: Sequence[str]) -> dict[str, EvalRunFacts]:
    """Facts of the caller's runs by id (runs of other users are simply absent)."""
    if not run_ids:
        return {}
    async with ctx.read() as session:
        rows = await repository.runs_by_ids(session, ctx.require_owner(), list(run_ids))
        return {row.id: _facts(row) for row in rows}


async def file_run(
    ctx: ServiceContext, run_id: str, experiment_id: str | None, *, move: bool = False
) -> EvalRunFacts:
    """File the caller's run under an experiment (None: unfile it). A run already in another
    experiment is refused (409 `already_filed`, naming it) unless `move`."""
    if experiment_id is not None:
        await check_experiment(ctx, experiment_id)
    async with ctx.unit() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            raise NotFoundError("No such eval run.")
        current = run.experiment_id
        if experiment_id is not None and current not in (None, experiment_id) and not move:
            raise ConflictError(
                f"The run is filed under experiment {current}: move it (move=true) or unfile it.",
                code="already_filed",
                details=[{"experiment_id": current}],
            )
        run.experiment_id = experiment_id
        await session.flush()
        return _facts(run)


async def unfile_experiment(ctx: ServiceContext, experiment_id: str) -> int:
    """Every run filed under the experiment goes back to none (the runs are kept)."""
    async with ctx.unit() as session:
        return await repository.unfile_experiment(session, ctx.require_owner(), experiment_id)


async def _parameter_set_alive(ctx: ServiceContext, set_id: str) -> bool:
    try:
        await catalog_service.get_parameter_set(ctx, set_id)
    except NotFoundError:
        return False
    return True


async def _target_in(ctx: ServiceContext, stored: dict[str, Any]) -> EvalTargetIn:
    """The stored target as a request: the catalog model (or the ad-hoc id) it ran, its own
    system prompt and parameters, and its parameter set re-resolved; a deleted set's applied
    values become explicit parameters (under the target's own)."""
    params = dict(stored.get("params") or {})
    set_id = stored.get("parameter_set_id")
    if set_id is not None and not await _parameter_set_alive(ctx, set_id):
        params = {**(stored.get("parameter_set_params") or {}), **params}
        set_id = None
    return EvalTargetIn(
        provider_id=stored["provider_id"],
        model_id=stored.get("model_ref_id") or stored["model_id"],
        label=stored["label"],
        system_prompt=stored.get("system_prompt"),
        params=params,
        parameter_set_id=set_id,
    )


async def rerun_request(
    ctx: ServiceContext, run_id: str, target: str, experiment_id: str | None
) -> EvalCreate:
    """A submit request that runs one target of the caller's run again with the same
    configuration (model, parameters, parameter set, system prompt, run settings, suite
    version, profile), filed under `experiment_id`."""
    async with ctx.read() as session:
        run = await repository.get_run(session, ctx.require_owner(), run_id)
        if run is None:
            raise NotFoundError("No such eval run.")
        config: dict[str, Any] = run.config
        suite_id, suite_version, profile = run.suite_id, run.suite_version, run.profile
    stored = next((t for t in config.get("targets", []) if t["label"] == target), None)
    if stored is None:
        raise NotFoundError("No such target in the eval run.")
    settings: dict[str, Any] = config.get("settings", {})
    semantic = settings.get("semantic")
    judge = settings.get("judge")
    return EvalCreate(
        suite_id=suite_id,
        suite_version=suite_version,
        targets=[await _target_in(ctx, stored)],
        profile=ProfileName(profile),
        temperature=settings.get("temperature"),
        max_tokens=settings.get("max_tokens"),
        tool_choice=settings.get("tool_choice"),
        system_prompt=settings.get("system_prompt"),
        params=dict(settings.get("params") or {}),
        concurrency=settings.get("concurrency"),
        timeout_s=float(settings.get("timeout_s", 120.0)),
        judge=EvalJudgeOptions.model_validate(judge) if judge else None,
        semantic=EvalSemanticOptions.model_validate(
            {k: semantic[k] for k in ("source", "model_ref_id", "threshold")}
        )
        if semantic
        else None,
        experiment_id=experiment_id,
    )
