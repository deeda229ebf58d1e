"""One case rendered for the judge, blind (pure).

The judge sees the tools (names, descriptions, parameters), the case's opening messages, the
expected calls as the reference, and what the model did: each turn's text and calls, with the
mock results it was fed back in multi-turn chains, and its final free-text answer (irrelevance
cases are judged on that). It never sees the model's or provider's name: the constructors drop
them and scrub them from any free text (an error message may quote the model id). The automated
verdict is rendered only when asked (`show_automated`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


_MIN_HIDDEN_LENGTH = 3  # shorter names would scrub ordinary words


def _names_to_hide(
    exchanges: Sequence[Mapping[str, Any]],
    transcript: Mapping[str, Any] | None,
    verdict: Mapping[str, Any] | None,
    hide: Sequence[str],
) -> list[str]:
    found: set[str] = set(hide)
    for exchange in exchanges:
        found.add(str((exchange.get("request") or {}).get("model") or ""))
        found.add(str((exchange.get("response") or {}).get("model") or ""))
    found.add(str((transcript or {}).get("model") or ""))
    found.add(str((verdict or {}).get("model") or ""))
    names = set()
    for name in found:
        names.add(name.strip())
        names.add(name.strip().rsplit("/", 1)[-1])  # "org/model" also shows as "model"
    usable = [name for name in names if len(name) >= _MIN_HIDDEN_LENGTH]
    return sorted(usable, key=len, reverse=True)  # longest first: "org/m" before "m"


class _Scrubber:
    """Replaces the hidden names in free text, case-insensitively."""

    def __init__(self, names: Sequence[str]) -> None:
        joined = "|".join(re.escape(name) for name in names)
        self._pattern = re.compile(joined, re.IGNORECASE) if names else None

    def text(self, value: str) -> str:
        return self._pattern.sub(HIDDEN_NAME, value) if self._pattern else value

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)


def _decoded(raw: Any) -> Any:
    if isinstance(raw, dict):
        return raw
    text = "" if raw is None else str(raw)
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return text  # shown raw: malformed arguments are part of what is judged


def _turns_from_transcript(transcript: Mapping[str, Any], scrub: _Scrubber) -> list[TurnForJudge]:
    turns = []
    for stored in transcript.get("rounds") or []:
        results = stored.get("results")
        calls = []
        for position, recorded in enumerate(stored.get("tool_calls") or []):
            has_result = results is not None and position < len(results)
            calls.append(
                CallForJudge(
                    name=str(recorded.get("name", "")),
                    arguments=_decoded(recorded.get("arguments")),
                    result=results[position] if has_result else None,
                    has_result=has_result,
                )
            )
        turns.append(TurnForJudge(scrub.optional(stored.get("content")), tuple(calls)))
    return turns


def _turns_from_exchanges(
    exchanges: Sequence[Mapping[str, Any]], scrub: _Scrubber
) -> list[TurnForJudge]:
    turns = []
    for exchange in exchanges:
        response = exchange.get("response")
        if not response:
            continue
        calls = tuple(
            CallForJudge(str(c.get("name", "")), _decoded(c.get("arguments")))
            for c in response.get("tool_calls") or []
        )
        turns.append(TurnForJudge(scrub.optional(response.get("content") or None), calls))
    return turns


def _opening(
    case: TestCase, exchanges: Sequence[Mapping[str, Any]], scrub: _Scrubber
) -> tuple[tuple[str, str], ...]:
    """The messages first sent (system prompt included); the case's own when none was sent."""
    sent = (exchanges[0].get("request") or {}).get("messages") if exchanges else None
    if sent:
        pairs = [(str(m.get("role", "")), str(m.get("content") or "")) for m in sent]
    elif case.messages is not None:
        pairs = [(m.role, m.content) for m in case.messages]
    else:
        pairs = [("user", case.prompt or "")]
    return tuple((role, scrub.text(content)) for role, content in pairs)


def _error(
    exchanges: Sequence[Mapping[str, Any]], transcript: Mapping[str, Any] | None
) -> str | None:
    if transcript and transcript.get("error"):
        return str(transcript["error"])
    errors = [str(e["error"]) for e in exchanges if e.get("error")]
    return errors[-1] if errors else None


def _automated(verdict: Mapping[str, Any] | None) -> AutomatedForJudge | None:
    if not verdict or "pass" not in verdict:
        return None
    return AutomatedForJudge(
        passed=bool(verdict["pass"]),
        error_category=verdict.get("error_category"),
        explanation=tuple(str(line) for line in verdict.get("explanation") or ()),
    )


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
    scrub = _Scrubber(_names_to_hide(exchanges, transcript, verdict, hide))
    if transcript and transcript.get("rounds"):
        turns = _turns_from_transcript(transcript, scrub)
    else:
        turns = _turns_from_exchanges(exchanges, scrub)
    last = turns[-1] if turns else None
    error = _error(exchanges, transcript)
    return CaseForJudge(
        case_id=case.id,
        category=case.category,
        tools=tuple(
            {
                "name": t.function.name,
                "description": t.function.description,
                "parameters": t.function.parameters,
            }
            for t in tools
        ),
        opening=_opening(case, exchanges, scrub),
        expected_calls=tuple(
            c.model_dump(mode="json", exclude_defaults=True) for c in case.expected_calls
        ),
        expects_call=case.expects_a_call,
        turns=tuple(turns),
        final_answer=last.content if last is not None and not last.calls else None,
        multi_turn=case.multi_turn is not None,
        error=scrub.optional(error),
        automated=_automated(verdict),
        ordered=case.order.value == "ordered",
    )


def case_from_detail(
    detail: Mapping[str, Any], tools: Sequence[Tool], *, hide: Sequence[str] = ()
) -> CaseForJudge:
    """From an evals `CaseResultDetail` dumped to a dict (`case`, `exchanges`, `transcript`,
    `verdict`, `target`); the target label is scrubbed too."""
    return case_from_stored(
        TestCase.model_validate(detail["case"]),
        tools,
        detail.get("exchanges") or [],
        detail.get("transcript"),
        detail.get("verdict"),
        hide=(*hide, str(detail.get("target") or "")),
    )


def case_from_live(
    result: LiveCaseResult, case: TestCase, tools: Sequence[Tool], *, hide: Sequence[str] = ()
) -> CaseForJudge:
    """From a live eval's `LiveCaseResult` and its suite case (live judging)."""
    return case_from_stored(
        case,
        tools,
        [exchange.model_dump(mode="json") for exchange in result.exchanges],
        result.transcript.model_dump(mode="json") if result.transcript is not None else None,
        result.verdict.model_dump(mode="json", by_alias=True),
        hide=(*hide, result.target),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def render_tools(case: CaseForJudge) -> str:
    if not case.tools:
        return "(no tools were offered)"
    lines = []
    for tool in case.tools:
        description = tool.get("description") or "(no description)"
        lines.append(f"- {tool.get('name')}: {description}")
        lines.append(f"  parameters: {_json(tool.get('parameters') or {})}")
    return "\n".join(lines)


def render_case_prompt(case: CaseForJudge) -> str:
    return "\n\n".join(f"[{role}]\n{content}" for role, content in case.opening)


def _expectation(name: str, spec: Mapping[str, Any]) -> str:
    parts = []
    if spec.get("acceptable"):
        parts.append(f"one of {_json(spec['acceptable'])}")
    if spec.get("objects"):
        parts.append(f"an object like one of {_json(spec['objects'])}")
    if spec.get("item_lists"):
        parts.append(f"a list like one of {_json(spec['item_lists'])}")
    if spec.get("omittable"):
        parts.append("may be omitted")
    if spec.get("match"):
        parts.append(f"compared {spec['match']}")
    return f"    {name}: {'; '.join(parts) or 'any value'}"


def render_expected(case: CaseForJudge) -> str:
    if not case.expects_call:
        return (
            "No tool call is expected: the right behaviour is to answer without calling any "
            "tool (an irrelevance case). Judge the free-text answer."
        )
    if not case.expected_calls:
        return "A tool call is expected; any call of an offered tool is acceptable."
    order = "in this order" if case.ordered else "in any order"
    lines = [f"Expected calls ({order}; listed values are the acceptable alternatives):"]
    for number, call in enumerate(case.expected_calls, start=1):
        lines.append(f"{number}. {call.get('name')}")
        for name, spec in (call.get("arguments") or {}).items():
            lines.append(_expectation(name, spec))
        for source in call.get("sourced_arguments") or ():
            lines.append(
                f"    {source.get('argument')}: must come from the result of "
                f"{source.get('from_tool')} at {_json(source.get('path') or [])}"
            )
    return "\n".join(lines)


def _render_turn(number: int, turn: TurnForJudge, multi_turn: bool) -> list[str]:
    lines = [f"Turn {number}:" if multi_turn else "The model's response:"]
    if turn.content:
        lines.append(f"  text: {turn.content}")
    for call in turn.calls:
        lines.append(f"  call {call.name} {_json(call.arguments)}")
        if call.has_result:
            lines.append(f"    result (mock): {_json(call.result)}")
    if not turn.calls and not turn.content:
        lines.append("  (no text and no tool call)")
    elif not turn.calls:
        lines.append("  (no tool call)")
    return lines


def render_transcript(case: CaseForJudge) -> str:
    """What the model did, turn by turn, with mock results and the final answer."""
    lines: list[str] = []
    for number, turn in enumerate(case.turns, start=1):
        lines += _render_turn(number, turn, case.multi_turn)
    if case.multi_turn and case.final_answer:
        lines.append(f"Final answer: {case.final_answer}")
    if case.error:
        lines.append(f"The request failed: {case.error}")
    if not lines:
        lines.append("(the model produced no response)")
    return "\n".join(lines)


def render_automated(case: CaseForJudge, *, show_automated: bool) -> str:
    """The automated result, or a line saying it is withheld (blind judging)."""
    if not show_automated:
        return "(withheld: judge the transcript on its own)"
    if case.automated is None:
        return "(no automated result)"
    result = "pass" if case.automated.passed else "fail"
    if case.automated.error_category:
        result += f" ({case.automated.error_category})"
    details = "; ".join(case.automated.explanation)
    return f"Automated check: {result}" + (f". {details}" if details else "")


def verdict_fields(case: CaseForJudge, *, show_automated: bool) -> dict[str, str]:
    """Placeholders of a verdict prompt: tools, case_prompt, expected_calls, transcript,
    automated_result."""
    return {
        "tools": render_tools(case),
        "case_prompt": render_case_prompt(case),
        "expected_calls": render_expected(case),
        "transcript": render_transcript(case),
        "automated_result": render_automated(case, show_automated=show_automated),
    }


def render_pair(
    first: CaseForJudge, second: CaseForJudge, shared: CaseForJudge | None = None
) -> dict[str, str]:
    """Placeholders of a comparison prompt with `first` labelled A and `second` B: tools,
    case_prompt, expected_calls (from `shared`, default `first`: both results ran the same suite
    case; pass the subject so both orders show the same case), transcript_a, transcript_b."""
    context = shared or first
    return {
        "tools": render_tools(context),
        "case_prompt": render_case_prompt(context),
        "expected_calls": render_expected(context),
        "transcript_a": f"Transcript A\n{render_transcript(first)}",
        "transcript_b": f"Transcript B\n{render_transcript(second)}",
    }


def estimate_tokens(text: str) -> int:
    """A tokenizer-free estimate (about 4 characters a token, rounded up)."""
    return math.ceil(len(text) / 4)
