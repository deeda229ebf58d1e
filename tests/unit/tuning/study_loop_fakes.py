"""A fake trial evaluator over a deterministic score surface, a recording sink and plans for
the study loop tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from search_space_fixtures import peaked

from benchstudio.tuning.domain.objective import CaseScore, ObjectiveSpec
from benchstudio.tuning.domain.space import Point, RangeDimension, SearchSpace
from benchstudio.tuning.domain.strategies import StrategySpec
from benchstudio.tuning.domain.study_state import StoppingRules
from benchstudio.tuning.service import check_space, provider_rules
from benchstudio.tuning.service.study_types import (
    Baseline,
    FinishedTrialRecord,
    PruneCheck,
    StudyBudget,
    StudyOutcome,
    StudyPlan,
    StudyProgress,
    TrialRequest,
    TrialResult,
)

PROVIDER, MODEL = "vllm", "m"
COARSE = SearchSpace(
    (
        RangeDimension("temperature", 0.0, 1.0, step=0.25),
        RangeDimension("top_p", 0.2, 1.0, step=0.2),
    )
)


def surface(point: Point) -> float:
    """The share of cases a point passes: the peaked surface, default point 0.5."""
    if "temperature" not in point:
        return 0.5
    return max(0.0, min(1.0, peaked(point)))


@dataclass
class FakeEvaluator:
    """Case i of a repeat passes when (i + 0.5) / cases < surface(point): deterministic.
    One call per case at `cost_per_call`; a failing point (`fail_when`) fails the trial."""

    cases: int = 10
    cost_per_call: float = 0.0
    delay: float = 0.0
    fail_when: Any = None
    started: list[TrialRequest] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    on_case: Callable[[TrialRequest], None] | None = None  # called before each case
    cancel: asyncio.Event | None = None  # seen before each case, as a job's evaluator does

    async def evaluate(self, request: TrialRequest, prune: PruneCheck) -> TrialResult:
        self.started.append(request)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await self._run(request, prune)
        finally:
            self.in_flight -= 1

    async def _run(self, request: TrialRequest, prune: PruneCheck) -> TrialResult:
        if self.fail_when is not None and self.fail_when(request.point):
            await asyncio.sleep(0)
            return TrialResult("failed", [], 1, self.cost_per_call, error="endpoint error")
        share = surface(request.point)
        repeats: list[list[CaseScore]] = []
        calls, cost, total, score_sum = 0, 0.0, self.cases * len(request.seeds), 0.0
        for _seed in request.seeds:
            cases: list[CaseScore] = []
            repeats.append(cases)
            for index in range(self.cases):
                if request.max_calls is not None and calls >= request.max_calls:
                    return TrialResult("stopped", repeats, calls, cost)
                if request.max_cost_usd is not None and cost + self.cost_per_call > (
                    request.max_cost_usd + 1e-12
                ):
                    return TrialResult("stopped", repeats, calls, cost)
                if self.cancel is not None and self.cancel.is_set():
                    return TrialResult("stopped", repeats, calls, cost)
                if self.on_case is not None:
                    self.on_case(request)
                await asyncio.sleep(self.delay)
                calls += 1
                cost += self.cost_per_call
                score = 1.0 if (index + 0.5) / self.cases < share else 0.0
                cases.append(CaseScore(score, 100.0 + index, self.cost_per_call))
                score_sum += score
                if prune(score_sum, sum(len(r) for r in repeats), total):
                    return TrialResult("pruned", repeats, calls, cost)
        return TrialResult("complete", repeats, calls, cost)


@dataclass
class RecordingSink:
    started: list[TrialRequest] = field(default_factory=list)
    finished: list[FinishedTrialRecord] = field(default_factory=list)
    progress_seen: list[StudyProgress] = field(default_factory=list)
    events: list[tuple[str, int]] = field(default_factory=list)

    async def trial_started(self, request: TrialRequest) -> None:
        self.started.append(request)
        self.events.append(("started", request.number))

    async def trial_finished(self, record: FinishedTrialRecord) -> None:
        self.finished.append(record)
        self.events.append(("finished", record.number))

    async def progress(self, progress: StudyProgress) -> None:
        self.progress_seen.append(progress)


def make_plan(
    space: SearchSpace = COARSE,
    *,
    strategy: StrategySpec | None = None,
    budget: StudyBudget | None = None,
    stopping: StoppingRules | None = None,
    objective: ObjectiveSpec | None = None,
    concurrency: int = 1,
    cases: int = 10,
    repeats: int = 1,
    baselines: Sequence[Baseline] = (),
    finished: Sequence[FinishedTrialRecord] = (),
    base_params: dict[str, Any] | None = None,
    seed: int = 7,
    provider: str = PROVIDER,
    model: str = MODEL,
) -> StudyPlan:
    return StudyPlan(
        space=check_space(space, provider, model),
        rules=provider_rules(provider, model),
        base_params=dict(base_params or {}),
        strategy=strategy or StrategySpec(kind="grid"),
        objective=objective or ObjectiveSpec(),
        stopping=stopping or StoppingRules(prune=False),
        budget=budget or StudyBudget(max_trials=1000),
        concurrency=concurrency,
        cases=cases,
        repeats=repeats,
        baselines=list(baselines),
        finished=list(finished),
        seed=seed,
    )


def resumed(plan: StudyPlan, outcome: StudyOutcome, **changes: Any) -> StudyPlan:
    """The plan a job would build to resume after `outcome` (its stored trials and count)."""
    return replace(
        plan, finished=list(outcome.trials), merged_points=outcome.merged_points, **changes
    )


BASELINES = (
    Baseline("baseline_default", "provider default", {}),
    Baseline("baseline_preset", "vendor preset", {"temperature": 0.25, "top_p": 0.8}),
)
