"""One case rendered for the judge, blind (pure).

The judge sees the tools (names, descriptions, parameters), the case's opening messages, the
expected calls as the reference, and what the model did: each turn's text and calls, with the
mock results it was fed back in multi-turn chains, and its final free-text answer (irrelevance
cases are judged on that). It never sees the model's or provider's name: the constructors drop
them and scrub them from any free text (an error message may quote the model id). The automated
verdict is rendered only when asked (`show_automated`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchstudio.toolcall.live.records import LiveCaseResult
from benchstudio.toolcall.schemas import TestCase, Tool

HIDDEN_NAME = "[model]"


@dataclass(frozen=True, slots=True)
class CallForJudge:
    """One call the model made: decoded arguments (raw text if not JSON) and the mock result."""

    name: str
    arguments: Any
    result: Any = None
    has_result: bool = False  # a multi-turn chain fed a result back


@dataclass(frozen=True, slots=True)
class TurnForJudge:
    """One model turn: its text and its calls."""

    content: str | None
    calls: tuple[CallForJudge, ...] = ()


@dataclass(frozen=True, slots=True)
class AutomatedForJudge:
    """The automated verdict, shown to the judge only when `show_automated`."""

    passed: bool
    error_category: str | None = None
    explanation: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseForJudge:
    """Everything the judge may see of one case for one result (no model or provider name).

    `tools` are OpenAI function specs `{name, description, parameters}`; `opening` the messages
    the model was first sent as (role, content); `expected_calls` the suite's expectations as
    JSON; `expects_call` False for an irrelevance case.
    """

    case_id: str
    category: str
    tools: tuple[dict[str, Any], ...]
    opening: tuple[tuple[str, str], ...]
    expected_calls: tuple[dict[str, Any], ...]
    expects_call: bool
    turns: tuple[TurnForJudge, ...]
    final_answer: str | None
    multi_turn: bool
    error: str | None = None
    automated: AutomatedForJudge | None = None
    ordered: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


def case_from_stored(
    case: TestCase,
    tools: Sequence[Tool],
    exchanges: Sequence[Mapping[str, Any]],
    transcript: Mapping[str, Any] | None,
    verdict: Mapping[str, Any] | None,
    *,
    hide: Sequence[str] = (),
) -> CaseForJudge:
    """From a stored case result (the `eval_case_results` row's JSON columns) and its suite case.

    `tools` is `suite.tools_for(case)`. `hide` adds names to scrub (the target label); the model
    ids found in the exchanges and the verdict are always scrubbed.
    """
    raise NotImplementedError


def case_from_detail(
    detail: Mapping[str, Any], tools: Sequence[Tool], *, hide: Sequence[str] = ()
) -> CaseForJudge:
    """From an evals `CaseResultDetail` dumped to a dict (`case`, `exchanges`, `transcript`,
    `verdict`, `target`); the target label is scrubbed too."""
    raise NotImplementedError


def case_from_live(
    result: LiveCaseResult, case: TestCase, tools: Sequence[Tool], *, hide: Sequence[str] = ()
) -> CaseForJudge:
    """From a live eval's `LiveCaseResult` and its suite case (live judging)."""
    raise NotImplementedError


def render_tools(case: CaseForJudge) -> str:
    raise NotImplementedError


def render_case_prompt(case: CaseForJudge) -> str:
    raise NotImplementedError


def render_expected(case: CaseForJudge) -> str:
    raise NotImplementedError


def render_transcript(case: CaseForJudge) -> str:
    """What the model did, turn by turn, with mock results and the final answer."""
    raise NotImplementedError


def render_automated(case: CaseForJudge, *, show_automated: bool) -> str:
    """The automated result, or a line saying it is withheld (blind judging)."""
    raise NotImplementedError


def verdict_fields(case: CaseForJudge, *, show_automated: bool) -> dict[str, str]:
    """Placeholders of a verdict prompt: tools, case_prompt, expected_calls, transcript,
    automated_result."""
    raise NotImplementedError


def render_pair(first: CaseForJudge, second: CaseForJudge) -> dict[str, str]:
    """Placeholders of a comparison prompt with `first` labelled A and `second` B: tools,
    case_prompt, expected_calls (from `first`; both share the suite case), transcript_a,
    transcript_b."""
    raise NotImplementedError


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate (about 4 characters a token, rounded up)."""
    raise NotImplementedError
