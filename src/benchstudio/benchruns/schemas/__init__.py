"""Benchmark API shapes: the submitted benchmark, preview, history pages, detail, compare."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from benchstudio.catalog.schemas import AppliedParameterSet
from benchstudio.core.input_types import CleanInput, ObjectId
from benchstudio.jobs.schemas import ScheduledBy

BenchMode = Literal["profile", "concurrency", "rate", "sweep_concurrency", "sweep_rate"]
# Context tiers: sizing a prompt runs the tokenizer over it, so a preview costs CPU and memory in
# proportion to the tiers' sum. Bounded here, and by the targets' windows where known (planning).
MAX_CONTEXT_TIER_TOKENS = 2_000_000
MAX_CONTEXT_TOKENS_TOTAL = 4_000_000


class TargetIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    provider_id: str = Field(min_length=1, max_length=32)
    # The model's id as the provider knows it, or the catalog model's row id.
    model_id: str = Field(min_length=1, max_length=256)
    parameter_set_id: str | None = Field(
        default=None,
        max_length=32,
        description="A parameter set laid under the run's explicit parameters (they win).",
    )


class BenchmarkCreate(CleanInput):
    """A speed benchmark: what to measure and how (see docs/benchruns.md)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=200)
    targets: list[TargetIn] = Field(min_length=1, max_length=16)
    prompt: str | None = Field(default=None, max_length=200_000)
    prompt_template_id: str | None = Field(default=None, max_length=32)
    max_tokens: int | None = Field(default=256, ge=1, le=1_000_000)
    temperature: float | None = Field(default=None, ge=0, le=10)
    params: dict[str, Any] = Field(default_factory=dict, max_length=50)
    runs: int = Field(default=5, ge=1, le=100_000)
    warmup: int = Field(default=1, ge=0, le=100)
    context_tokens: list[int] = Field(default_factory=lambda: [0], max_length=16)
    corpus: Literal["prose", "code", "json", "mixed"] = "prose"
    cache_probe: bool = False
    mode: BenchMode = "profile"
    concurrency: int | None = Field(default=None, ge=1, le=4096)
    request_rate: float | None = Field(default=None, gt=0, le=100_000)
    arrival: Literal["poisson", "gamma", "constant"] = "poisson"
    burstiness: float = Field(default=1.0, gt=0, le=100)
    num_requests: int | None = Field(default=None, ge=1, le=1_000_000)
    duration_s: float | None = Field(default=None, gt=0, le=24 * 3600)
    sweep: list[float] = Field(default_factory=list, max_length=32)
    slo: dict[str, float] = Field(default_factory=dict)
    timeout_s: float = Field(default=300.0, gt=0, le=3600)
    max_cost: float | None = Field(default=None, gt=0)
    parallel_models: bool = False
    # Measured windows start with no open connection (docs/adr/0008).
    cold: bool = False

    @field_validator("context_tokens")
    @classmethod
    def _tiers(cls, value: list[int]) -> list[int]:
        if any(v < 0 or v > MAX_CONTEXT_TIER_TOKENS for v in value):
            raise ValueError(
                f"context tiers must be between 0 and {MAX_CONTEXT_TIER_TOKENS:,} tokens"
            )
        duplicates = sorted({v for v in value if value.count(v) > 1})
        if duplicates:
            listed = ", ".join(f"{v:,}" for v in duplicates)
            raise ValueError(f"each context tier may appear once ({listed} is repeated)")
        if sum(value) > MAX_CONTEXT_TOKENS_TOTAL:
            raise ValueError(
                f"context tiers may add up to {MAX_CONTEXT_TOKENS_TOTAL:,} tokens at most "
                f"(these add up to {sum(value):,})"
            )
        return value or [0]

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str | None) -> str | None:
        # Absent means the documented default prompt; an empty one is refused, never replaced.
        if value is not None and not value.strip():
            raise ValueError("the prompt is empty: write one, pick a template, or leave it out")
        return value

    @model_validator(mode="after")
    def _mode_fields(self) -> BenchmarkCreate:
        if self.mode == "rate" and self.request_rate is None:
            raise ValueError("mode 'rate' needs request_rate")
        if self.mode.startswith("sweep") and not self.sweep:
            raise ValueError(f"mode {self.mode!r} needs the sweep points")
        if self.prompt is not None and self.prompt_template_id is not None:
            raise ValueError("give a prompt or a prompt_template_id, not both")
        return self


class Adjustment(BaseModel):
    param: str
    action: str
    reason: str
    original: Any = None
    value: Any = None


class TargetPreview(BaseModel):
    target: str
    provider_id: str
    provider_name: str
    model_id: str
    model_display: str
    protocol: str
    effective_params: dict[str, Any]
    adjustments: list[Adjustment]
    parameter_set: AppliedParameterSet | None = None
    requests: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    skipped_tiers: dict[str, str]


class BenchmarkPreview(BaseModel):
    targets: list[TargetPreview]
    requests: int
    input_tokens: int
    output_tokens: int
    # None when some target has no known price.
    cost_usd: float | None
    month_spent_usd: float
    monthly_spend_cap_usd: float | None
    max_runs_per_benchmark: int | None


class BenchmarkSubmitted(BaseModel):
    run_id: str
    job_id: str
    preview: BenchmarkPreview


class RunTargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    target_key: str
    provider_id: str | None
    provider_name: str
    model_id: str
    model_display: str
    protocol: str
    # The demo simulator: its requests cost nothing (its models carry no price).
    is_demo: bool = False
    parameter_set_id: str | None = None
    parameter_set_name: str | None = None
    # The set's values that took effect when the run was planned.
    parameter_set_params: dict[str, Any] | None = None


class RunOut(BaseModel):
    id: str
    job_id: str | None
    run_key: str
    source: str
    title: str
    mode: str
    status: str
    stop_reason: str | None
    error: str | None
    request_count: int
    error_count: int
    cost_usd: float | None
    wall_s: float | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    targets: list[RunTargetOut]
    # Headline figures of the whole run (p50s), when a summary exists.
    headline: dict[str, float | None] = Field(default_factory=dict)
    schedule: ScheduledBy | None = Field(
        default=None, description="The schedule occurrence that started the run, if any."
    )


class RunPage(BaseModel):
    items: list[RunOut]
    total: int
    limit: int
    offset: int


class StepAttemptOut(BaseModel):
    attempt: int | None
    rows: int
    superseded: bool
    wall_s: float | None = None
    # The client's health in the attempt's window (`Diagnostics.to_dict`); None: no report.
    diagnostics: dict[str, Any] | None = None
    # An earlier attempt's diagnostics cover its window only up to the interruption (its last
    # report, about a second before).
    partial: bool = False


class StepOut(BaseModel):
    name: str
    target: str
    model: str
    mode: str
    context_tokens: int | None
    prompt_tokens: int | None = None
    concurrency: int | None = None
    request_rate: float | None = None
    skipped_reason: str | None = None
    wall_s: float | None = None
    diagnostics: dict[str, Any] = Field(default_factory=dict)
    summary: dict[str, Any] | None = None
    # A step that spans job attempts (resumed): each attempt's rows, the superseded ones of a
    # remeasured step included, and the finishing attempt's window and diagnostics. Empty for
    # a step one attempt measured.
    attempts: list[StepAttemptOut] = Field(default_factory=list)


class RunDetail(RunOut):
    config: dict[str, Any]
    request: dict[str, Any] | None
    environment: dict[str, Any]
    diagnostics: dict[str, Any]
    summary: dict[str, Any] | None
    target_summaries: dict[str, Any]
    steps: list[StepOut]
    slo_search: list[dict[str, Any]]
    # Cost of every request sent (`cost_usd`), the measured and warm-up shares.
    spend: dict[str, Any] = Field(default_factory=dict)


class RequestPage(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


Metric = Literal["ttft_ms", "ttfct_ms", "tpot_ms", "e2e_ms", "output_tokens_per_s"]
DEFAULT_METRICS: list[Metric] = ["ttft_ms", "tpot_ms", "e2e_ms", "output_tokens_per_s"]


class CompareIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    run_ids: list[ObjectId] = Field(min_length=2, max_length=4)
    metrics: list[Metric] = Field(default_factory=lambda: list(DEFAULT_METRICS), min_length=1)


class SignificanceOut(BaseModel):
    metric: str
    baseline_run: str
    baseline_target: str
    other_run: str
    other_target: str
    test: dict[str, Any]


class CompareOut(BaseModel):
    runs: list[RunOut]
    # run id -> target key -> summary block
    summaries: dict[str, dict[str, Any]]
    significance: list[SignificanceOut]


class ImportOut(BaseModel):
    run: RunOut
    requests: int
