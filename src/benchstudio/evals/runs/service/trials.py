"""A tuner's trial runs: each trial of a tuner run is one eval run, hidden from eval history
(`eval_runs.tuner_run_id`), with one target per repeat ("repeat 1", "repeat 2", ...: the same
model and parameters, another seed). Its cases run inside the tune job through the eval job's
machinery (adapters, the live runner, the stored case rows), so each trial has the normal
eval run page and drill-down.

The caller (the tune job) prices each case, charged to the job's ledger in the unit storing
it, and decides after each one whether the trial goes on (pruning, budgets)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.catalog.service import CatalogContext
from benchstudio.core.ids import new_id
from benchstudio.evals.models import EvalRun
from benchstudio.evals.runs import repository
from benchstudio.evals.runs.service.adapters import open_adapters
from benchstudio.evals.runs.service.case_hooks import CaseObserver, open_observers
from benchstudio.evals.runs.service.lifecycle import (
    RunPlan,
    finish_run,
    result_writer,
    start_run,
)
from benchstudio.evals.runs.service.targets import runner_target
from benchstudio.jobs.context import JobContext
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.live.records import LiveCaseResult
from benchstudio.toolcall.live.runner import Admit, LiveEvalRunner
from benchstudio.toolcall.profiles import get_profile
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.verdicts import CaseVerdict

log = logging.getLogger(__name__)
# What one stored case cost (USD), and whether the trial stops after it (True: stop).
CaseCost = Callable[[LiveCaseResult], float]
AfterCase = Callable[[LiveCaseResult, float], bool]
# Given the cases the trial run will run, the hook admitting each before it starts (budgets).
AdmitFor = Callable[[Suite], Admit]
TrialRunEnd = Literal["done", "stopped", "cancelled"]


@dataclass(frozen=True, slots=True)
class TrialRunSpec:
    """One trial's eval run: the suite snapshot, the resolved target (`TargetInfo` as stored
    with the tuner run), the request settings and one seed per repeat."""

    owner_id: str
    tuner_run_id: str
    job_id: str
    suite_id: str
    suite_version_id: str
    suite_name: str
    suite_version: int
    profile: str
    target: Mapping[str, Any]
    settings: Mapping[str, Any]
    seeds: Sequence[int]
    cases: int


def repeat_label(index: int) -> str:
    return f"repeat {index + 1}"


def trial_run_writer(spec: TrialRunSpec) -> tuple[str, Callable[[AsyncSession], Any]]:
    """The hidden eval run of one trial, and a writer adding it in the caller's unit."""
    targets = [
        {**spec.target, "label": repeat_label(index), "params": {"seed": seed}, "seed": seed}
        for index, seed in enumerate(spec.seeds)
    ]
    run_id = new_id()
    run = EvalRun(
        id=run_id,
        owner_id=spec.owner_id,
        suite_id=spec.suite_id,
        suite_version_id=spec.suite_version_id,
        suite_name=spec.suite_name,
        suite_version=spec.suite_version,
        profile=spec.profile,
        status="queued",
        config={"targets": targets, "settings": dict(spec.settings)},
        search_text=f"{spec.suite_name} {spec.target.get('model_id', '')}".lower(),
        total_cases=len(targets) * spec.cases,
        job_id=spec.job_id,
        tuner_run_id=spec.tuner_run_id,
    )

    async def write(session: AsyncSession) -> None:
        session.add(run)

    return run_id, write


async def _cancel_when_asked(ctx: JobContext, runner: LiveEvalRunner) -> None:
    await ctx.cancel_event.wait()
    runner.cancel()


async def run_trial_cases(
    ctx: JobContext,
    catalog: CatalogContext,
    run_id: str,
    cost_of: CaseCost,
    after_case: AfterCase,
    admit_for: AdmitFor | None = None,
) -> TrialRunEnd:
    """Run the trial run's cases (those not stored yet); each is stored with its cost charged
    in one unit. Ends `stopped` when `after_case` says so, `cancelled` on the job's cancel;
    `admit_for` (optional) gives the runner's admission hook: a case it refuses is not run.

    The eval job's case observers follow the trial as they follow an eval (live judging, when
    the trial run's settings ask for it: a judge objective), finished before it returns."""
    service = ServiceContext.for_owner(ctx.database, ctx.owner_id)
    plan = await start_run(service, run_id)
    observers = await open_observers(ctx, plan)
    try:
        admit = None if admit_for is None else admit_for(plan.remaining_suite)
        end = await _drive(ctx, catalog, plan, observers, cost_of, after_case, admit)
        if end == "cancelled":
            await _close_observers(observers)
        else:
            for observer in observers:
                await observer.finish()
    except BaseException:
        await _close_observers(observers)
        raise
    await finish_run(service, run_id, end, None)
    return end


async def _close_observers(observers: list[CaseObserver]) -> None:
    for observer in observers:
        try:
            await observer.aclose()
        except Exception:
            log.exception("a trial run's case observer did not close cleanly")


async def _drive(
    ctx: JobContext,
    catalog: CatalogContext,
    plan: RunPlan,
    observers: list[CaseObserver],
    cost_of: CaseCost,
    after_case: AfterCase,
    admit: Admit | None,
) -> TrialRunEnd:
    end: TrialRunEnd = "done"
    async with AsyncExitStack() as stack:
        adapters, base_urls = await open_adapters(catalog, stack, plan.targets)
        targets = [
            runner_target(t, plan.settings, base_urls[t["provider_id"]], t) for t in plan.targets
        ]
        by_label = {t["label"]: adapters[t["provider_id"]] for t in plan.targets}
        runner = LiveEvalRunner(
            plan.remaining_suite,
            targets,
            get_profile(plan.profile),
            lambda target: by_label[target.label],
            admit=admit,
        )
        watcher = asyncio.create_task(_cancel_when_asked(ctx, runner))
        results = cast(AsyncGenerator[LiveCaseResult, None], runner.run())
        try:
            async for result in results:
                if (result.target, result.case_id) in plan.finished:
                    continue
                result_id, write = result_writer(plan, result)
                plan.finished.add((result.target, result.case_id))
                cost = cost_of(result)
                await ctx.record_unit(write, [], charge_usd=cost)
                for observer in observers:  # stored first: an observer reads a kept case
                    observer.on_case(result_id, result)
                if ctx.cancelled:
                    end = "cancelled"
                    break
                if after_case(result, cost):
                    end = "stopped"
                    break
            if end == "done" and ctx.cancelled:
                end = "cancelled"
        finally:
            runner.cancel()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await results.aclose()
    return end


async def trial_verdicts(
    ctx: ServiceContext, run_ids: Sequence[str]
) -> dict[str, list[list[CaseVerdict]]]:
    """The stored verdicts of trial runs: per run, per repeat (target order), in case order."""
    async with ctx.read() as session:
        rows = await repository.case_rows_of_runs(session, ctx.require_owner(), run_ids)
        grouped: dict[str, dict[int, list[CaseVerdict]]] = defaultdict(lambda: defaultdict(list))
        for row in rows:
            grouped[row.run_id][row.target_index].append(CaseVerdict.model_validate(row.verdict))
    return {
        run_id: [by_target[index] for index in sorted(by_target)]
        for run_id, by_target in grouped.items()
    }


async def delete_trial_runs(
    ctx: ServiceContext, tuner_run_id: str, only: Sequence[str] | None = None
) -> int:
    """Delete a tuner run's trial runs (all, or `only` these ids) with their case results."""
    owner_id = ctx.require_owner()
    async with ctx.unit() as session:
        ids = await repository.trial_run_ids(session, owner_id, tuner_run_id)
        if only is not None:
            ids = [run_id for run_id in ids if run_id in set(only)]
        for run_id in ids:
            await repository.delete_run(session, owner_id, run_id)
    return len(ids)
