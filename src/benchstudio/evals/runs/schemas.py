"""Eval run API shapes: submit, history, detail, per-case drill-down, comparison."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.core.input_types import CleanInput, ObjectId
from benchstudio.evals.runs.domain.conversation import Conversation
from benchstudio.toolcall.matching import DEFAULT_SEMANTIC_THRESHOLD
from benchstudio.toolcall.profiles import ProfileName

MAX_TARGETS = 8


class EvalTargetIn(CleanInput):
    """A model to evaluate. `model_id` is the catalog model's id, the model name as the provider
    knows it, or any other model id the provider serves (ad hoc: not in the catalog)."""

    model_config = ConfigDict(extra="forbid")

    provider_id: ObjectId
    model_id: str = Field(min_length=1, max_length=256)
    label: str | None = Field(default=None, min_length=1, max_length=200)
    system_prompt: str | None = Field(
        default=None, max_length=100_000, description="Overrides the run's and the suite's."
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Per-model parameters (merged over the run's)."
    )
    parameter_set_id: str | None = Field(
        default=None,
        max_length=32,
        description="A parameter set laid under the run's and this target's parameters "
        "(explicit values win).",
    )


class EvalJudgeOptions(CleanInput):
    """Judge the run with an LLM: live (as cases finish), or its failed cases once the run's
    pass rate falls below `auto_judge_below` (a percentage), or both. Stored in the run's
    settings; `verdict_policy` says whose verdict is final wherever the score is shown."""

    model_config = ConfigDict(extra="forbid")

    judge_model_ref_id: ObjectId
    prompt_entry_id: str = Field(
        default="builtin-judge-verdict", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"
    )
    prompt_version: int | None = Field(default=None, ge=1, le=1_000_000)
    live: bool = False
    auto_judge_below: float | None = Field(default=None, ge=0, le=100)
    show_automated: bool = False
    budget_usd: float | None = Field(default=None, gt=0, le=100_000)
    verdict_policy: Literal["automated_final", "judge_final", "both"] = "automated_final"


class EvalSemanticOptions(CleanInput):
    """How `semantic` arguments get their similarity: cosine of embeddings from a catalog
    embeddings model, or a catalog chat model answering "equivalent" (1) or "not" (0)."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["embeddings", "judge"] = "embeddings"
    model_ref_id: ObjectId = Field(description="A catalog model (capability embeddings/chat).")
    threshold: float = Field(
        default=DEFAULT_SEMANTIC_THRESHOLD, ge=0, le=1, description="Pass at or above."
    )


class EvalCreate(CleanInput):
    model_config = ConfigDict(extra="forbid")

    suite_id: ObjectId
    suite_version: int | None = Field(
        default=None, ge=1, le=1_000_000, description="Default: current."
    )
    targets: list[EvalTargetIn] = Field(min_length=1, max_length=MAX_TARGETS)
    profile: ProfileName = ProfileName.LENIENT
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=200_000)
    tool_choice: str | None = Field(
        default=None, max_length=64, description="auto | required | none | a tool name"
    )
    system_prompt: str | None = Field(default=None, max_length=100_000)
    params: dict[str, Any] = Field(
        default_factory=dict, description="Extra request parameters (provider registry)."
    )
    concurrency: int | None = Field(
        default=None, ge=1, le=64, description="Per provider endpoint (default 4; 2 local)."
    )
    timeout_s: float = Field(default=120.0, gt=0, le=900)
    judge: EvalJudgeOptions | None = Field(
        default=None, description="LLM-as-judge options (live, auto-judge, verdict policy)."
    )
    semantic: EvalSemanticOptions | None = Field(
        default=None, description="Required when the suite has `semantic` arguments."
    )
    experiment_id: ObjectId | None = Field(
        default=None, description="File the run under this experiment of yours."
    )


class TargetInfo(BaseModel):
    label: str
    provider_id: str
    provider_name: str
    protocol: str
    model_ref_id: str | None = Field(default=None, description="The catalog model; null: ad hoc.")
    model_id: str
    display_name: str
    ad_hoc: bool = Field(default=False, description="A model id the catalog did not list.")
    concurrency: int | None = None
    adjustments: list[dict[str, Any]] = Field(default_factory=list)
    parameter_set_id: str | None = None
    parameter_set_name: str | None = None
    parameter_set_params: dict[str, Any] | None = Field(
        default=None, description="The set's values that took effect (explicit values win)."
    )


class JobState(BaseModel):
    id: str
    status: str
    progress_percent: float
    eta_s: float | None
    error: str | None


class JudgePassRateOut(BaseModel):
    """The pass rate with the judge's verdict final (docs/judge.md, verdict policy)."""

    passed: int
    total: int
    rate: float


class EvalRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    job_id: str | None
    suite_id: str
    suite_name: str
    suite_version: int
    profile: str
    status: str
    total_cases: int
    finished_cases: int
    passed_cases: int
    summary: dict[str, Any] | None
    error: str | None
    models: list[str] = Field(description="The models as run, in order.")
    verdict_policy: Literal["automated_final", "judge_final", "both"] = Field(
        default="automated_final",
        description="Whose verdict is final where the score is shown (LLM-as-judge).",
    )
    experiment_id: str | None = Field(
        default=None, description="The experiment the run is filed under."
    )
    tuner_run_id: str | None = Field(
        default=None, description="Set on a tuner trial's run: the tuner run it belongs to."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    judge_pass_rate: JudgePassRateOut | None = Field(
        default=None,
        description="Under verdict policy judge_final: the pass rate with each target's latest "
        "finished per-case judge report final (unjudged cases keep the automated verdict); "
        "null otherwise or before any such report. Filled in lists and the run's detail.",
    )


class EvalWarning(BaseModel):
    """Something the run will do that the user may not want; the run starts anyway."""

    code: Literal["placeholders"]
    message: str
    case_ids: list[str] = Field(default_factory=list)


class EvalSubmitted(BaseModel):
    run: EvalRunOut
    job_id: str
    warnings: list[EvalWarning] = Field(
        default_factory=list,
        description="E.g. cases still holding MCP-drafted `<your value>` placeholders.",
    )


class EvalRunPage(BaseModel):
    items: list[EvalRunOut]
    total: int
    limit: int
    offset: int


class ProportionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    successes: int
    total: int
    rate: float | None
    ci95: tuple[float, float] | None


class MetricOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    count: int
    mean: float | None
    ci95: tuple[float, float] | None


class ModelSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    model: str
    cases: int
    pass_rate: ProportionOut
    tool_selection_f1: MetricOut
    argument_accuracy: MetricOut
    schema_valid_rate: MetricOut
    latency_ms: MetricOut
    by_category: dict[str, ProportionOut]
    error_counts: dict[str, int]
    format_counts: dict[str, int]


class ComparisonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    run_a: str
    target_a: str
    run_b: str
    target_b: str
    rate_a: float | None
    rate_b: float | None
    difference: float | None
    difference_ci95: tuple[float, float] | None = Field(
        default=None,
        description="95% CI of B minus A: Newcombe's paired score interval when paired, "
        "else his hybrid score interval (method 10).",
    )
    paired: bool
    test: Literal["mcnemar_exact", "two_proportion_z"]
    only_a_passed: int
    only_b_passed: int
    p_value: float | None
    significant: bool


class EvalRunDetail(EvalRunOut):
    job: JobState | None
    suite_exists: bool = Field(
        default=True, description="False once the suite was deleted (the run keeps its snapshot)."
    )
    targets: list[TargetInfo]
    settings: dict[str, Any]
    summaries: dict[str, ModelSummaryOut]
    comparisons: list[ComparisonOut]


class CaseResultRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    target: str
    case_id: str
    category: str
    passed: bool
    error_category: str | None
    latency_ms: float | None
    prompt_tokens: int | None
    completion_tokens: int | None
    finished_at: datetime


class CaseResultPage(BaseModel):
    items: list[CaseResultRow]
    total: int
    limit: int
    offset: int


class SemanticValueOut(BaseModel):
    """A `semantic` value compared for an argument: the argument itself or a nested value."""

    path: str = Field(description="`city`, or nested: `address.city`, `items[1].name`.")
    similarity: float | None
    threshold: float
    passed: bool


class ArgumentCheckOut(BaseModel):
    name: str
    status: Literal["passed", "failed", "missing", "omitted", "ignored", "unexpected"]
    expected: list[Any]
    actual: Any = None
    detail: str = ""
    similarity: float | None = Field(
        default=None, description="`semantic` arguments: the similarity the run computed."
    )
    semantic: list[SemanticValueOut] = Field(
        default_factory=list,
        description="Every `semantic` value compared for this argument (nested ones by path).",
    )


class CallCheckOut(BaseModel):
    expected_index: int | None
    call_index: int | None
    tool: str
    passed: bool
    arguments: list[ArgumentCheckOut]


class CaseResultDetail(CaseResultRow):
    verdict: dict[str, Any]
    case: dict[str, Any] = Field(description="The case as the run's suite snapshot has it.")
    exchanges: list[dict[str, Any]]
    transcript: dict[str, Any] | None
    expected_calls: list[dict[str, Any]]
    actual_calls: list[dict[str, Any]]
    argument_checks: list[CallCheckOut]
    conversation: Conversation | None = Field(
        default=None, description="A multi-turn case turn by turn; null for single-turn cases."
    )
