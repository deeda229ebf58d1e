"""Multi-turn chains: mock tool results, and scores over a recorded transcript (pure).

A live driver (later, with the providers layer) loops: send messages, take the model's tool
calls, answer each with `mock_result`, stop when the model answers without calls or after
`max_rounds`. Scoring only needs the recorded transcript.

Scores: completion (share of expected calls made correctly, in order when the case is
ordered), efficiency (optimal hops / calls made, capped at 1), redundant calls (repeats of an
identical call), detours (calls to tools no expected call names), sourcing (share of
`sourced_arguments` whose value equals the named field of an earlier result of that tool).

Verdict rules: fail on an API error; fail `too_many_rounds` past `max_rounds`; fail
`hallucinated_tool` on an undefined tool; fail `incomplete_chain` below full completion; fail
`unsourced_argument` below full sourcing. `strict` also fails any redundant call
(`wrong_call_count`) or detour (`wrong_tool`); `lenient` and `bfcl` only report them
(BFCL's own multi-turn checker compares backend state, which suites do not model).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from benchstudio.toolcall.matching import canonical_equal, contains
from benchstudio.toolcall.outputs import CallFormat, DecodedCall, RecordedToolCall, decode_call
from benchstudio.toolcall.pairing import Pairing, maximum_matching, ordered_alignment
from benchstudio.toolcall.profiles import Profile, ProfileName
from benchstudio.toolcall.schemas import MultiTurnSettings, TestCase, Tool
from benchstudio.toolcall.scoring import (
    PairCheck,
    argument_accuracy,
    pair_matrix,
    paired_similarities,
    schema_validity,
    tool_selection,
)
from benchstudio.toolcall.verdicts import CaseVerdict, ErrorCategory, MultiTurnScores


class ChainRound(BaseModel):
    """One model turn: the calls it made and the results it was given back."""

    model_config = ConfigDict(extra="forbid")

    tool_calls: list[RecordedToolCall] = Field(default_factory=list)
    results: list[JsonValue] | None = None  # None: recompute from the case's mock responses
    content: str | None = None


class ChainTranscript(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str
    rounds: list[ChainRound] = Field(default_factory=list)
    error: str | None = None
    latency_ms: float | None = None
    model: str | None = None


def mock_result(settings: MultiTurnSettings, tool: str, arguments: dict[str, Any]) -> JsonValue:
    """The first mock for this tool whose `when_arguments` the call contains; else the
    tool's unconditional mock; else the default response."""
    fallback: JsonValue | None = None
    for mock in settings.mock_responses:
        if mock.tool != tool:
            continue
        if mock.when_arguments is None:
            fallback = mock.result if fallback is None else fallback
        elif contains(mock.when_arguments, arguments):
            return mock.result
    return settings.default_response if fallback is None else fallback


def _value_at(document: Any, path: list[str | int]) -> tuple[bool, Any]:
    for step in path:
        if isinstance(document, dict) and isinstance(step, str) and step in document:
            document = document[step]
        elif isinstance(document, list) and isinstance(step, int):
            if not -len(document) <= step < len(document):
                return False, None
            document = document[step]
        else:
            return False, None
    return True, document


def _flatten(
    transcript: ChainTranscript, settings: MultiTurnSettings
) -> tuple[list[DecodedCall], list[Any]]:
    calls: list[DecodedCall] = []
    results: list[Any] = []
    for chain_round in transcript.rounds:
        for position, recorded in enumerate(chain_round.tool_calls):
            call = decode_call(recorded.name, recorded.arguments)
            calls.append(call)
            given = chain_round.results
            if given is not None and position < len(given):
                results.append(given[position])
            else:
                results.append(mock_result(settings, call.name, call.arguments or {}))
    return calls, results


def _sourcing(
    case: TestCase, calls: list[DecodedCall], results: list[Any], pairing: Pairing
) -> float | None:
    checked = satisfied = 0
    for expected, index in zip(case.expected_calls, pairing, strict=True):
        for rule in expected.sourced_arguments:
            checked += 1
            if index is None or calls[index].arguments is None:
                continue
            arguments = calls[index].arguments or {}
            earlier = [
                r
                for c, r in zip(calls[:index], results[:index], strict=True)
                if c.name == rule.from_tool
            ]
            if not earlier or rule.argument not in arguments:
                continue
            found, value = _value_at(earlier[-1], rule.path)
            satisfied += found and canonical_equal(value, arguments[rule.argument])
    return satisfied / checked if checked else None


def chain_scores(
    case: TestCase,
    calls: list[DecodedCall],
    results: list[Any],
    pairing: Pairing,
    checks: list[list[PairCheck | None]],
    rounds: int,
) -> MultiTurnScores:
    settings = case.multi_turn or MultiTurnSettings()
    completed = sum(
        1
        for position, index in enumerate(pairing)
        if index is not None and (check := checks[position][index]) is not None and check.passed
    )
    completion = completed / len(case.expected_calls) if case.expected_calls else float(not calls)
    optimal = settings.optimal_hops or len(case.expected_calls)
    efficiency = min(1.0, optimal / len(calls)) if calls and optimal else None
    keys = Counter((c.name, repr(sorted((c.arguments or {}).items()))) for c in calls)
    expected_names = {e.name for e in case.expected_calls}
    return MultiTurnScores(
        rounds=rounds,
        completion=completion,
        efficiency=efficiency,
        redundant_calls=sum(n - 1 for n in keys.values()),
        detours=sum(1 for c in calls if c.name not in expected_names),
        sourcing=_sourcing(case, calls, results, pairing),
    )


def _chain_failure(
    scores: MultiTurnScores, settings: MultiTurnSettings, hallucinated: list[str], profile: Profile
) -> tuple[ErrorCategory, str] | None:
    if scores.rounds > settings.max_rounds:
        return ErrorCategory.TOO_MANY_ROUNDS, f"{scores.rounds} rounds > {settings.max_rounds}"
    if hallucinated:
        return ErrorCategory.HALLUCINATED_TOOL, f"undefined tools called: {hallucinated}"
    if scores.completion < 1.0:
        return ErrorCategory.INCOMPLETE_CHAIN, f"completion {scores.completion:.2f}"
    if scores.sourcing is not None and scores.sourcing < 1.0:
        return ErrorCategory.UNSOURCED_ARGUMENT, f"sourcing {scores.sourcing:.2f}"
    if profile.name is ProfileName.STRICT and scores.redundant_calls:
        return ErrorCategory.WRONG_CALL_COUNT, f"{scores.redundant_calls} redundant calls"
    if profile.name is ProfileName.STRICT and scores.detours:
        return ErrorCategory.WRONG_TOOL, f"{scores.detours} detour calls"
    return None


def score_chain(
    case: TestCase, tools: list[Tool], transcript: ChainTranscript, profile: Profile
) -> CaseVerdict:
    """The verdict for a multi-turn case from its recorded transcript."""
    settings = case.multi_turn or MultiTurnSettings()
    calls, results = _flatten(transcript, settings)
    tool_index = {tool.function.name: tool for tool in tools}
    scores_matrix, checks = pair_matrix(case, calls, tool_index, profile)
    if case.order.value == "ordered":
        pairing = ordered_alignment(scores_matrix, len(calls))
    else:
        pairing = maximum_matching(scores_matrix, len(calls))
    scores = chain_scores(case, calls, results, pairing, checks, len(transcript.rounds))
    hallucinated = [c.name for c in calls if c.name not in tool_index]
    failure = (
        (ErrorCategory.API_ERROR, "the API call failed")
        if transcript.error
        else _chain_failure(scores, settings, hallucinated, profile)
    )
    selection = tool_selection([c.name for c in calls], [e.name for e in case.expected_calls])
    return CaseVerdict(
        case_id=case.id,
        category=case.category,
        profile=profile.name.value,
        passed=failure is None,
        tool_selection_precision=selection.precision,
        tool_selection_recall=selection.recall,
        tool_selection_f1=selection.f1,
        argument_accuracy=argument_accuracy(case, pairing, checks),
        schema_valid=schema_validity(calls, tool_index),
        hallucinated_tools=hallucinated,
        format=_chain_format(calls),
        irrelevance_correct=None if case.expects_a_call else not calls,
        error_category=failure[0] if failure else None,
        explanation=[failure[1]] if failure else [],
        call_count=len(calls),
        latency_ms=transcript.latency_ms,
        model=transcript.model,
        multi_turn=scores,
        semantic=paired_similarities(pairing, checks),
    )


def _chain_format(calls: list[DecodedCall]) -> CallFormat:
    if not calls:
        return CallFormat.NONE
    return CallFormat.NATIVE if all(c.arguments is not None for c in calls) else CallFormat.FAILED
