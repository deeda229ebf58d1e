"""The study loop's contract: what it asks a trial evaluator to run, what comes back, and
where finished trials go. One loop (`study_loop.run_study`) drives every tuner run; the job
plugs in an evaluator that stores each trial as a hidden eval run and a sink that writes trial
rows, the CLI an in-process evaluator and an in-memory sink."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from benchstudio.tuning.domain.objective import CaseScore, ObjectiveSpec, TrialScore
from benchstudio.tuning.domain.space import Point
from benchstudio.tuning.domain.space_registry import ProviderRules, ValidatedSpace
from benchstudio.tuning.domain.strategies import StrategySpec
from benchstudio.tuning.domain.study_state import StoppingRules

TrialKind = Literal["baseline_default", "baseline_preset", "search"]
TrialState = Literal["complete", "pruned", "failed"]
StopReason = Literal[
    "space_exhausted",
    "max_trials",
    "max_calls",
    "max_cost",
    "max_wall",
    "early_stop",
    "cancelled",
]
BudgetStop = Literal["max_calls", "max_cost"]  # the bounds a trial's cases are admitted against

# A trial whose first cases all fail at the endpoint stops there (on both trial paths): the
# point (or the endpoint) is broken, and the remaining cases would only fail too.
FAIL_FAST_CASES = 3


@dataclass(frozen=True, slots=True)
class StudyBudget:
    """The user's bounds; baselines count. The job also passes the ledger's cost bound (the
    owner's spend cap) in as `max_cost_usd` when it is the lower one."""

    max_trials: int
    max_calls: int | None = None
    max_cost_usd: float | None = None
    max_wall_s: float | None = None


@dataclass(frozen=True, slots=True)
class TrialRequest:
    """One point to evaluate; repeat r sends `seeds[r]` as the request seed. The evaluator
    lays `point` over the target's own parameters and lets the runner resolve that through
    the registry as usual; `effective` is the result (wire names, clamped, over
    `StudyPlan.base_params`) for display and the fingerprint: resolving it again would rename
    twice (e.g. Gemini's topP)."""

    number: int  # start order within the run (0, 1, ...), stable across resume
    kind: TrialKind
    point: Point
    effective: dict[str, Any]
    fingerprint: str
    seeds: tuple[int, ...]
    # Calls and cost the trial may still use before a budget ends it mid-way (None: no bound).
    max_calls: int | None = None
    max_cost_usd: float | None = None


class PruneCheck(Protocol):
    """Asked by the evaluator after each finished case (over all repeats): True stops it."""

    def __call__(self, score_sum: float, cases_done: int, cases_total: int) -> bool: ...


@dataclass(frozen=True, slots=True)
class TrialResult:
    """What an evaluated trial produced: its case scores per repeat (finished cases only),
    the model calls sent and their cost. `pruned` when the prune check stopped it, `failed`
    when the endpoint failed it (an error, not a wrong answer), `stopped` when a budget or a
    cancel ended it mid-way (kept, told to the sampler as pruned)."""

    state: Literal["complete", "pruned", "failed", "stopped"]
    repeats: Sequence[Sequence[CaseScore]]
    calls: int
    cost_usd: float
    error: str | None = None
    eval_run_id: str | None = None
    # The calls or cost bound that refused the trial's next case (it stopped there).
    budget_stop: BudgetStop | None = None


class TrialEvaluator(Protocol):
    async def evaluate(self, request: TrialRequest, prune: PruneCheck) -> TrialResult: ...


@dataclass(frozen=True, slots=True)
class FinishedTrialRecord:
    """A trial as the sink stores it (and as a resumed study reads it back)."""

    number: int
    kind: TrialKind
    state: TrialState
    point: Point
    effective: dict[str, Any]
    fingerprint: str
    score: TrialScore | None  # None: failed, or no case finished
    values: tuple[float, ...]  # the objective values told to the strategy
    partial: float | None
    calls: int
    cost_usd: float
    error: str | None = None
    eval_run_id: str | None = None
    repeats: Sequence[Sequence[CaseScore]] = ()


@dataclass(frozen=True, slots=True)
class StudyProgress:
    trials_done: int
    trials_running: int
    planned_trials: int
    calls_used: int
    cost_usd: float
    merged_points: int
    best_number: int | None
    best_score: float | None
    active_s: float = 0.0  # seconds of running so far, earlier sessions included


class StudySink(Protocol):
    async def trial_started(self, request: TrialRequest) -> None: ...

    async def trial_finished(self, record: FinishedTrialRecord) -> None: ...

    async def progress(self, progress: StudyProgress) -> None: ...


@dataclass(frozen=True, slots=True)
class Baseline:
    kind: TrialKind  # baseline_default ({}) or baseline_preset (a vendor preset's point)
    label: str
    point: Point


@dataclass(slots=True)
class StudyPlan:
    """Everything the loop needs; `finished` holds stored trials when a job resumes (their
    numbers continue, baselines already run are not run again)."""

    space: ValidatedSpace
    rules: ProviderRules
    base_params: dict[str, Any]
    strategy: StrategySpec
    objective: ObjectiveSpec
    stopping: StoppingRules
    budget: StudyBudget
    concurrency: int
    cases: int  # cases per repeat (the suite's)
    repeats: int
    baselines: list[Baseline] = field(default_factory=list)
    finished: list[FinishedTrialRecord] = field(default_factory=list)
    seed: int = 0
    merged_points: int = 0  # merges counted before a resume (the run's stored count)
    active_before_s: float = 0.0  # seconds of running in earlier sessions (max_wall counts them)
    # A trial's expected cost (the estimate's, judge included) until one has finished: parallel
    # trials then wait for a share that fits a whole trial instead of splitting the budget.
    trial_cost_usd: float | None = None


@dataclass(frozen=True, slots=True)
class StudyOutcome:
    stop_reason: StopReason
    trials: list[FinishedTrialRecord]
    merged_points: int
    calls_used: int
    cost_usd: float
