"""The judge's answer shapes: the per-case verdict, the comparative pick, and their JSON Schemas.

The JSON Schemas are what a judge request asks for (OpenAI `response_format` strict
`json_schema`, Anthropic forced tool input, Gemini `responseSchema`). They are written out by
hand, not generated, because OpenAI's strict mode accepts only a subset of JSON Schema: every
property listed in `required`, `additionalProperties: false` on every object, and none of
`minimum`, `maximum`, `pattern`, `format`, `minLength`, `default`, `$ref`. The score range is
an `enum` for that reason. `tests/unit/judge/test_judge_schemas.py` walks both schemas for those
rules and checks they match the Pydantic models field for field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["pass", "marginal", "fail"]
AssessmentStatus = Literal["correct", "wrong", "missing", "extra"]
Position = Literal["A", "B", "tie"]
SCORES = (1, 2, 3, 4, 5)
VERDICT_SCHEMA_NAME = "judge_verdict"
COMPARATIVE_SCHEMA_NAME = "judge_comparison"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToolSelectionAssessment(_Strict):
    """Whether the model chose the right tool(s), or rightly none, and why."""

    status: AssessmentStatus
    reason: str = Field(max_length=4000)


class ArgumentAssessment(_Strict):
    """One argument of a call: right, wrong, missing (expected, absent) or extra (unexpected)."""

    name: str = Field(max_length=200)
    status: AssessmentStatus
    reason: str = Field(max_length=4000)


class CaseVerdict(_Strict):
    """The judge's verdict on one case (what the model returns; cost and model are added later)."""

    score: int = Field(ge=1, le=5)
    verdict: Verdict
    tool_selection: ToolSelectionAssessment
    arguments: list[ArgumentAssessment] = Field(max_length=200)
    reasoning: str = Field(max_length=20_000)


class ComparativePick(_Strict):
    """Which transcript, labelled A or B, handled the case better (or a tie)."""

    winner: Position
    reasoning: str = Field(max_length=20_000)


def _string_enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    """A strict object: every property required, nothing else allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_STATUSES: tuple[str, ...] = ("correct", "wrong", "missing", "extra")


def verdict_json_schema() -> dict[str, Any]:
    """The per-case verdict as a strict JSON Schema (a fresh copy each call)."""
    assessment = {"status": _string_enum(_STATUSES), "reason": {"type": "string"}}
    return _object(
        {
            "score": {"type": "integer", "enum": list(SCORES)},
            "verdict": _string_enum(("pass", "marginal", "fail")),
            "tool_selection": _object(dict(assessment)),
            "arguments": {
                "type": "array",
                "items": _object({"name": {"type": "string"}, **assessment}),
            },
            "reasoning": {"type": "string"},
        }
    )


def comparative_json_schema() -> dict[str, Any]:
    """The comparative pick as a strict JSON Schema."""
    return _object({"winner": _string_enum(("A", "B", "tie")), "reasoning": {"type": "string"}})


# ---------------------------------------------------------------------------------------------
# API shapes (the judge routes; `judge.endpoints`)
# ---------------------------------------------------------------------------------------------

JudgeScope = Literal["all", "failed", "category"]
VerdictPolicy = Literal["automated_final", "judge_final", "both"]
Review = Literal["judge_right", "automated_right"]
ReportKind = Literal["cases", "comparative", "cross_case"]
ReportStatus = Literal["queued", "running", "done", "failed", "cancelled", "stopped"]
DEFAULT_VERDICT_PROMPT = "builtin-judge-verdict"
_ID = r"^[A-Za-z0-9_-]+$"


class _JudgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    judge_model_ref_id: str = Field(min_length=1, max_length=32, pattern=_ID)
    prompt_entry_id: str = Field(
        default=DEFAULT_VERDICT_PROMPT, min_length=1, max_length=64, pattern=_ID
    )
    prompt_version: int | None = Field(default=None, ge=1, le=1_000_000)
    budget_usd: float | None = Field(default=None, gt=0, le=100_000)
    experiment_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        pattern=_ID,
        description="File the report under this experiment; default: its eval run's.",
    )


class JudgeCasesIn(_JudgeIn):
    """Judge one result (run, target) of a finished eval run, case by case."""

    eval_run_id: str = Field(min_length=1, max_length=32, pattern=_ID)
    target: str = Field(min_length=1, max_length=200)
    scope: JudgeScope = "all"
    category: str | None = Field(default=None, min_length=1, max_length=200)
    show_automated: bool = Field(
        default=False, description="Show the judge the automated verdict (blind by default)."
    )


class ResultRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    eval_run_id: str = Field(min_length=1, max_length=32, pattern=_ID)
    target: str = Field(min_length=1, max_length=200)


class JudgeCompareIn(_JudgeIn):
    """Two results on the same suite version, judged side by side in both orders."""

    a: ResultRef
    b: ResultRef
    prompt_entry_id: str = Field(
        default="builtin-judge-compare", min_length=1, max_length=64, pattern=_ID
    )


class JudgeCrossCaseIn(_JudgeIn):
    """A cross-case report over one result (map-reduce over chunks)."""

    eval_run_id: str = Field(min_length=1, max_length=32, pattern=_ID)
    target: str = Field(min_length=1, max_length=200)
    prompt_entry_id: str = Field(
        default="builtin-judge-report", min_length=1, max_length=64, pattern=_ID
    )


class JudgeEstimateOut(BaseModel):
    cases: int = Field(description="Cases that would be judged.")
    skipped_too_long: int = Field(description="Cases whose transcript exceeds the judge's window.")
    input_tokens: int
    output_tokens: int
    cost_usd: float | None = Field(description="Null when the judge model has no price.")
    unpriced: list[str]


class JudgeSubmitted(BaseModel):
    report_id: str
    job_id: str


class JudgeReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: ReportKind
    eval_run_id: str
    target: str
    other_eval_run_id: str | None
    other_target: str | None
    version: int
    mode: str
    scope: str
    category: str | None
    status: ReportStatus
    job_id: str | None
    judge_model_ref_id: str | None
    judge_model_name: str
    prompt_entry_id: str
    prompt_version: int
    show_automated: bool
    verdict_policy: VerdictPolicy
    budget_usd: float | None
    cost_usd: float | None
    error: str | None
    experiment_id: str | None = Field(
        default=None, description="The experiment the report is filed under."
    )
    created_at: datetime
    finished_at: datetime | None


class DisagreementOut(BaseModel):
    case_id: str
    category: str | None
    judge_verdict: Verdict
    automated_pass: bool
    review: Review | None


class AgreementOut(BaseModel):
    """Judge (pass / marginal / fail) against automated (pass / not pass); marginal counts as
    not pass. Kappa is null, with the reason, when it is undefined (expected agreement 1).
    The table and kappa are the two raters as they rated; reviews do not change them. Reviews
    settle disagreements: each rater's accuracy is over the cases whose truth is known
    (agreements and reviewed disagreements), and the final pass rate takes each review."""

    table: dict[str, dict[str, int]] = Field(
        description="judge verdict → {'pass': n, 'not_pass': n} of automated results."
    )
    n: int
    raw_agreement: float | None
    kappa: float | None
    kappa_reason: str | None
    disagreements: list[DisagreementOut]
    judge_right: int
    automated_right: int
    judge_accuracy: float | None
    automated_accuracy: float | None


class PolicyOut(BaseModel):
    verdict_policy: VerdictPolicy
    automated_pass_rate: float | None
    judge_pass_rate: float | None
    final_pass_rate: float | None = Field(
        description="Under the policy: automated, judge (unjudged cases keep the automated "
        "verdict), or null for 'both' (both rates are shown)."
    )


class CasesSummaryOut(BaseModel):
    cases: int
    judged: int
    pass_count: int
    marginal_count: int
    fail_count: int
    score_histogram: dict[str, int]
    mean_score: float | None
    parse_failures: int
    skipped: int
    agreement: AgreementOut
    policy: PolicyOut
    cost_usd: float | None
    stop_reason: str | None = None


class FailurePatternOut(BaseModel):
    category: str | None
    tool: str | None
    pattern: str
    case_ids: list[str]


class RecommendationOut(BaseModel):
    kind: Literal["prompt", "parameter", "other"]
    text: str
    case_ids: list[str]


class ComparativeSummaryOut(BaseModel):
    n: int
    wins: int
    ties: int
    losses: int
    undecided: int = 0
    win_rate: float | None
    ci_low: float | None
    ci_high: float | None
    inconsistency_rate: float | None
    flagged: list[str]
    cost_usd: float | None


class CrossCaseSummaryOut(BaseModel):
    grade: str
    pass_rate: float | None
    mean_score: float | None
    strengths: list[str]
    weaknesses: list[str]
    failure_patterns: list[FailurePatternOut]
    recommendations: list[RecommendationOut]
    used_case_ids: list[str]
    dropped_citations: int
    oversized_case_ids: list[str]
    cost_usd: float | None


class JudgeReportDetail(JudgeReportOut):
    cases_summary: CasesSummaryOut | None = None
    comparative: ComparativeSummaryOut | None = None
    cross_case: CrossCaseSummaryOut | None = None


class CaseJudgementOut(BaseModel):
    """The judge's verdict and the automated one side by side."""

    model_config = ConfigDict(from_attributes=True)

    case_id: str
    category: str | None
    score: int | None
    verdict: Verdict | None
    tool_selection: dict[str, Any] | None
    arguments: list[dict[str, Any]] | None
    reasoning: str | None
    parse_error: str | None
    skipped_reason: str | None
    automated_pass: bool | None
    review: Review | None
    mode: str | None
    repaired: bool
    cost_usd: float | None
    latency_ms: float | None
    input_tokens: int | None
    output_tokens: int | None
    eval_result_id: str | None = Field(
        default=None, description="The eval's stored case result (GET /api/evals/{run}/cases/{id})."
    )


class PairJudgementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    case_id: str
    category: str | None
    first_order: str | None
    second_order: str | None
    outcome: str
    inconsistent: bool
    reasoning_first: str | None
    reasoning_second: str | None
    parse_error: str | None
    skipped_reason: str | None
    cost_usd: float | None
    latency_ms: float | None


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    review: Review | None


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict_policy: VerdictPolicy


class JudgeAgreementRow(BaseModel):
    """Agreement of one (judge model, prompt version) across the owner's reports."""

    judge_model_name: str
    prompt_entry_id: str
    prompt_version: int
    reports: int
    n: int
    kappa: float | None
    kappa_reason: str | None
    raw_agreement: float | None
    judge_right: int
    automated_right: int
    judge_accuracy: float | None
