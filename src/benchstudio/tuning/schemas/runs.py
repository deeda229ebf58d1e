"""Tuner run API shapes: what a client submits (target, space, strategy, objective, stopping
rules, budgets), the estimate shown before the start, a run with its trials, and the results
(best point with its CI, best vs baseline, Pareto front, parameter importance).

Rules that need the registry or the catalog (a space that is empty after the provider's drops,
a budget below one trial, a judge objective without a judge model) answer 422 from the
service; these models bound sizes and types.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from benchstudio.core.input_types import CleanInput, ObjectId
from benchstudio.evals.runs.schemas import EvalTargetIn
from benchstudio.toolcall.profiles import ProfileName
from benchstudio.tuning.domain.objective import ObjectiveSource, SecondaryObjective, ToolMetric
from benchstudio.tuning.domain.strategies import DEFAULT_STARTUP_TRIALS, StrategyKind
from benchstudio.tuning.schemas.space import SearchSpaceIn, ValidatedSpaceOut

MAX_TRIALS = 500
TrialKind = Literal["baseline_default", "baseline_preset", "search"]
TrialState = Literal["running", "complete", "pruned", "failed"]
# interrupted: the job stopped under it (a worker restart, the database away): resumable.
TunerStatus = Literal["queued", "running", "completed", "failed", "cancelled", "interrupted"]


class StrategyIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    kind: StrategyKind = "tpe"
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    grid_sample: int | None = Field(
        default=None, ge=1, le=100_000, description="Grid only: sample this many grid points."
    )
    startup_trials: int = Field(
        default=DEFAULT_STARTUP_TRIALS,
        ge=1,
        le=100,
        description="TPE: random trials before it models results.",
    )
    reevaluate_duplicates: bool = Field(
        default=False,
        description="Evaluate points whose request equals an earlier trial's again "
        "(default: reuse the earlier result).",
    )


class ObjectiveIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    source: ObjectiveSource = "tool_eval"
    metric: ToolMetric = Field(
        default="pass_rate", description="Tool eval: the overall score or one chosen metric."
    )
    minimize: list[SecondaryObjective] = Field(
        default_factory=list,
        max_length=2,
        description="Also minimise latency and/or cost: a Pareto front instead of one best.",
    )
    judge_model_ref_id: ObjectId | None = Field(
        default=None, description="Required when source is judge: the catalog model judging."
    )

    @model_validator(mode="after")
    def _judge_needs_model(self) -> ObjectiveIn:
        if self.source == "judge" and self.judge_model_ref_id is None:
            raise ValueError("a judge objective needs judge_model_ref_id")
        if len(set(self.minimize)) != len(self.minimize):
            raise ValueError("each secondary objective may appear once")
        return self


class StoppingIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    patience: int | None = Field(
        default=None, ge=1, le=MAX_TRIALS, description="Stop after K trials without improvement."
    )
    min_delta: float = Field(default=0.0, ge=0.0, le=1.0)
    prune: bool = Field(
        default=True, description="Stop a trial whose partial score cannot beat the best."
    )


class BudgetIn(CleanInput):
    """Every bound is enforced while running (the spend ledger for cost); the study stops at
    the first one reached. Baseline trials count."""

    model_config = ConfigDict(extra="forbid")

    max_trials: int = Field(default=20, ge=1, le=MAX_TRIALS)
    max_calls: int | None = Field(default=None, ge=1, le=10_000_000)
    max_cost_usd: float | None = Field(default=None, gt=0, le=100_000)
    max_wall_s: int | None = Field(default=None, ge=10, le=7 * 24 * 3600)


class TunerRunCreate(CleanInput):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    suite_id: ObjectId
    suite_version: int | None = Field(default=None, ge=1, le=1_000_000)
    profile: ProfileName = ProfileName.LENIENT
    target: EvalTargetIn = Field(description="The model to tune (its fixed parameters too).")
    space: SearchSpaceIn
    vendor_preset_id: str | None = Field(
        default=None,
        max_length=64,
        description="A built-in vendor preset whose recommended point runs as a baseline.",
    )
    strategy: StrategyIn = Field(default_factory=StrategyIn)
    objective: ObjectiveIn = Field(default_factory=ObjectiveIn)
    stopping: StoppingIn = Field(default_factory=StoppingIn)
    budget: BudgetIn = Field(default_factory=BudgetIn)
    concurrency: int | None = Field(
        default=None, ge=1, le=64, description="Trials in parallel (default: the endpoint's)."
    )
    timeout_s: float = Field(default=120.0, gt=0, le=900)
    experiment_id: ObjectId | None = Field(
        default=None, description="File the tuner run under this experiment of yours."
    )


class BaselineOut(BaseModel):
    kind: TrialKind
    label: str
    point: dict[str, Any]


class TunerEstimateOut(BaseModel):
    """What the run will cost at most, shown before the start."""

    space: ValidatedSpaceOut
    cases: int = Field(description="Cases in the suite snapshot.")
    repeats: int
    baselines: list[BaselineOut]
    planned_trials: int = Field(
        description="Trials the budget and space allow, baselines included."
    )
    calls_per_trial: int = Field(description="Model calls of one trial (all its repeats).")
    max_calls: int
    cost_per_trial_usd: float | None = Field(
        description="Null: the model has no price. The judge's cost included when it judges."
    )
    max_cost_usd: float | None
    judge_calls_per_trial: int | None = Field(
        default=None,
        description="The judge objective's calls to the judge model per trial (one a case and "
        "repeat), not counted in calls_per_trial nor in max_calls; null: no judge.",
    )
    judge_max_calls: int | None = None
    judge_cost_per_trial_usd: float | None = Field(
        default=None,
        description="The judge's part of cost_per_trial_usd; null: no judge, or it is unpriced.",
    )
    seconds_per_trial: float | None = Field(
        description="From the endpoint's recent latency when known; null otherwise."
    )
    max_wall_s: float | None
    concurrency: int
    limiting: str = Field(description="The bound that sets planned_trials, in words.")
    warnings: list[str] = Field(default_factory=list)


class IntervalOut(BaseModel):
    low: float
    high: float


class TrialOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    number: int
    kind: TrialKind
    state: TrialState
    point: dict[str, Any]
    effective: dict[str, Any]
    eval_run_id: str | None
    score: float | None
    score_ci95: IntervalOut | None
    repeat_scores: list[float]
    values: list[float]
    partial: float | None
    cases: int
    calls: int
    latency_p50_ms: float | None
    cost_usd: float
    error: str | None
    pareto: bool = Field(default=False, description="On the Pareto front (multi-objective).")
    started_at: datetime
    finished_at: datetime | None


class TunerRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    status: TunerStatus
    job_id: str | None
    suite_id: str
    suite_name: str
    suite_version: int
    profile: str
    target: dict[str, Any]
    space: dict[str, Any]
    validated_space: dict[str, Any]
    strategy: dict[str, Any]
    objective: dict[str, Any]
    stopping: dict[str, Any]
    budget: dict[str, Any]
    vendor_preset_id: str | None
    concurrency: int
    estimate: dict[str, Any]
    trials_done: int
    calls_used: int
    cost_usd: float
    merged_points: int
    active_s: float = Field(
        default=0.0, description="Seconds the study has been running, summed over resumes."
    )
    stop_reason: str | None
    error: str | None
    experiment_id: str | None
    best_score: float | None = None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class TunerRunPage(BaseModel):
    items: list[TunerRunOut]
    total: int
    limit: int
    offset: int


class TunerSubmitted(BaseModel):
    run: TunerRunOut
    job_id: str


class BaselineComparisonOut(BaseModel):
    """Best minus the baseline over their case scores (`core.stats.compare_means`)."""

    baseline_trial_id: str
    baseline_kind: TrialKind
    baseline_score: float
    difference: float
    difference_ci95: IntervalOut | None
    p_value: float | None
    significant: bool
    summary: str = Field(description="The comparison in words.")


class ImportanceOut(BaseModel):
    param: str
    importance: float = Field(description="Share of the score's variance, 0..1 (PED-ANOVA).")


class TunerResultsOut(BaseModel):
    """Everything the results page plots, computed from the trial rows."""

    best_trial_id: str | None
    best_score: float | None
    best_score_ci95: IntervalOut | None
    best_point: dict[str, Any] | None
    best_effective: dict[str, Any] | None
    baselines: list[BaselineComparisonOut]
    pareto_trial_ids: list[str]
    objectives: list[str] = Field(description="Objective names in the trials' values order.")
    importance: list[ImportanceOut]
    importance_note: str | None = Field(
        default=None, description="Why importance is missing (too few trials, one parameter)."
    )


class TunerRunDetail(BaseModel):
    run: TunerRunOut
    trials: list[TrialOut]
    results: TunerResultsOut


class ApplyBestIn(CleanInput):
    """Save the best point as a parameter set, or file the run (and its best) in an experiment."""

    model_config = ConfigDict(extra="forbid")

    target: Literal["parameter_set", "experiment"]
    name: str | None = Field(
        default=None, min_length=1, max_length=200, description="Parameter set name."
    )
    experiment_id: ObjectId | None = None
    trial_id: ObjectId | None = Field(default=None, description="Default: the best trial.")


class ApplyBestOut(BaseModel):
    target: Literal["parameter_set", "experiment"]
    parameter_set_id: str | None = None
    experiment_id: str | None = None
    params: dict[str, Any]
