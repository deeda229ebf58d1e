"""The judge engine: one structured call per case (or per order of a pair), read and costed.

`judge_case` renders the case blind, fills the prompt body, and asks the judge for the verdict
schema through `providers.structured_output` (the OpenAI fallback chain, Anthropic forced tool,
Gemini responseSchema). The answer is read by `judge.domain.extraction.parse_verdict`; on a
parse failure the bad answer goes back once with the parse error, asking for the JSON only.
A second failure is recorded as a parse failure, never scored. A prompt longer than the judge's
context window is skipped with the reason, and no request is sent.

`judge_pair` asks for a comparative pick in both orders (the subject labelled A, then B) and
combines them with `judge.domain.comparative.compare_case`.

Provider errors (HTTP, timeouts) propagate: the caller decides whether a case is retried,
recorded as failed, or stops the job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from benchstudio.judge.domain.comparative import CaseComparison
from benchstudio.judge.domain.transcript import CaseForJudge
from benchstudio.judge.schemas import CaseVerdict, ComparativePick
from benchstudio.providers.base import ProviderAdapter
from benchstudio.providers.pricing import ModelPrice
from benchstudio.providers.structured_output import OutputMode

# What a verdict answer costs in output tokens, for estimates and the window check.
VERDICT_OUTPUT_TOKENS = 600
PICK_OUTPUT_TOKENS = 300
JUDGE_MAX_TOKENS = 2048
JUDGE_TEMPERATURE = 0.0


@dataclass(slots=True)
class JudgeModel:
    """A judge ready to call: the adapter (key attached), where it points, price and window.

    `endpoint_key` (provider base URL + model) keys the structured-output fallback memory.
    `count_tokens` counts prompt tokens for the window check and estimates (tiktoken by
    default, the encoding picked from the model id).
    """

    adapter: ProviderAdapter
    protocol: str
    model_id: str
    endpoint_key: str
    display_name: str
    model_ref_id: str | None = None
    price: ModelPrice | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    count_tokens: Callable[[str], int] | None = None

    def tokens(self, text: str) -> int:
        """Prompt tokens of `text` by this judge's counter."""
        raise NotImplementedError


@dataclass(slots=True)
class CaseJudgement:
    """The outcome of judging one case. Exactly one of verdict, parse_error, skipped_reason is
    set. Token counts and cost add both calls when a repair was sent."""

    case_id: str
    verdict: CaseVerdict | None
    parse_error: str | None = None
    skipped_reason: str | None = None
    mode: OutputMode | None = None
    repaired: bool = False
    cost_usd: float | None = None
    latency_ms: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None
    fallbacks: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PickResult:
    """One order's pick (None: unparsed or skipped) and why not."""

    pick: ComparativePick | None
    parse_error: str | None = None
    skipped_reason: str | None = None
    repaired: bool = False
    mode: OutputMode | None = None


@dataclass(slots=True)
class PairJudgement:
    """Both orders of one case: `first` has the subject as A, `second` as B, and the combined
    outcome for the subject (`comparison.outcome`, `comparison.inconsistent`)."""

    case_id: str
    first: PickResult
    second: PickResult
    comparison: CaseComparison
    cost_usd: float | None = None
    latency_ms: float = 0.0
    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class CallEstimate:
    """What judging one case (or one pair, both orders) is expected to take, before any call."""

    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    too_long: bool


def verdict_prompt(
    body: str,
    case: CaseForJudge,
    *,
    show_automated: bool,
    fields: Mapping[str, str] | None = None,
) -> str:
    """The verdict prompt for `case`: the body with its placeholders filled (`fields` adds or
    overrides placeholders, e.g. `rubric`)."""
    raise NotImplementedError


def pair_prompts(
    body: str,
    first: CaseForJudge,
    second: CaseForJudge,
    fields: Mapping[str, str] | None = None,
) -> tuple[str, str]:
    """The comparison prompts: `first` as A (first order), then `first` as B (second order)."""
    raise NotImplementedError


def window_problem(judge: JudgeModel, prompt_tokens: int, output_tokens: int) -> str | None:
    """The skip reason when the prompt plus its answer do not fit the judge's window."""
    raise NotImplementedError


def estimate_case(
    judge: JudgeModel,
    body: str,
    case: CaseForJudge,
    *,
    show_automated: bool,
    fields: Mapping[str, str] | None = None,
) -> CallEstimate:
    """Tokens and cost of judging `case` (no call)."""
    raise NotImplementedError


def estimate_pair(
    judge: JudgeModel,
    body: str,
    first: CaseForJudge,
    second: CaseForJudge,
    fields: Mapping[str, str] | None = None,
) -> CallEstimate:
    """Tokens and cost of both orders of a pair (no call)."""
    raise NotImplementedError


async def judge_case(
    judge: JudgeModel,
    prompt: str,
    case: CaseForJudge,
    *,
    show_automated: bool,
    fields: Mapping[str, str] | None = None,
) -> CaseJudgement:
    """Judge one case with the prompt body `prompt` (one call, plus one repair if needed)."""
    raise NotImplementedError


async def judge_pair(
    judge: JudgeModel,
    prompt: str,
    first: CaseForJudge,
    second: CaseForJudge,
    fields: Mapping[str, str] | None = None,
) -> PairJudgement:
    """Compare the subject `first` with `second` on one case, in both orders."""
    raise NotImplementedError
