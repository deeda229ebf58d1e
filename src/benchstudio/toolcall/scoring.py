"""Score one case: every call the model made, paired with the expected calls (pure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from benchstudio.toolcall import bfcl_verdict
from benchstudio.toolcall.matching import ArgumentProblem, match_value
from benchstudio.toolcall.outputs import CallFormat, DecodedCall, ModelOutput, decode_output
from benchstudio.toolcall.pairing import (
    Pairing,
    PairScore,
    ScoreMatrix,
    greedy_first_fit,
    maximum_matching,
    ordered_alignment,
)
from benchstudio.toolcall.profiles import Profile
from benchstudio.toolcall.schema_check import argument_errors
from benchstudio.toolcall.schemas import CallOrder, ExpectedCall, MatchMode, TestCase, Tool
from benchstudio.toolcall.verdicts import ArgumentSimilarity, CaseVerdict, ErrorCategory

_PROBLEM_CATEGORY = {
    ArgumentProblem.MISSING: ErrorCategory.MISSING_ARGUMENT,
    ArgumentProblem.EXTRA: ErrorCategory.EXTRA_ARGUMENT,
    ArgumentProblem.TYPE: ErrorCategory.TYPE_ERROR,
    ArgumentProblem.WRONG: ErrorCategory.WRONG_ARGUMENT,
}


@dataclass(slots=True)
class PairCheck:
    """One model call against one expected call."""

    correct: int = 0
    total: int = 0
    problems: list[tuple[ArgumentProblem, str]] = field(default_factory=list)
    similarities: list[ArgumentSimilarity] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def score(self) -> PairScore:
        fraction = self.correct / self.total if self.total else (1.0 if self.passed else 0.0)
        return PairScore(self.passed, fraction)


def _schema_errors(arguments: dict[str, Any], tool: Tool) -> list[str]:
    return argument_errors(arguments, tool.function.parameters)


def check_pair(
    expected: ExpectedCall, call: DecodedCall, tool: Tool, profile: Profile
) -> PairCheck:
    """Check each expected argument, then anything the model added."""
    check = PairCheck()
    arguments = call.arguments
    if arguments is None:
        check.total = max(1, len(expected.arguments))
        check.problems.append((ArgumentProblem.TYPE, call.problem or "undecodable arguments"))
        return check
    properties: dict[str, Any] = tool.function.parameters.get("properties", {})
    for name, expectation in expected.arguments.items():
        mode = expectation.match or profile.match.default_mode
        if mode is MatchMode.IGNORE:
            continue
        check.total += 1
        if name not in arguments:
            if expectation.omittable:
                check.correct += 1
            else:
                check.problems.append((ArgumentProblem.MISSING, f"missing argument {name!r}"))
            continue
        verdict = match_value(
            name, arguments[name], expectation, profile.match, properties.get(name)
        )
        check.similarities += [
            ArgumentSimilarity(
                call=expected.name,
                argument=value.path,
                similarity=value.similarity,
                threshold=value.threshold,
                passed=value.passed,
                expected=value.expected,
                actual=value.actual,
            )
            for value in verdict.semantic
        ]
        if verdict.passed:
            check.correct += 1
        else:
            check.problems.append((verdict.problem or ArgumentProblem.WRONG, verdict.detail))
    for name in arguments:
        if name not in expected.arguments and not _extra_allowed(name, arguments, tool, profile):
            check.total += 1
            check.problems.append((ArgumentProblem.EXTRA, f"unexpected argument {name!r}"))
    if profile.require_schema_valid and check.passed:
        for message in _schema_errors(arguments, tool)[:1]:
            check.problems.append((ArgumentProblem.TYPE, f"schema: {message}"))
    return check


def _extra_allowed(name: str, arguments: dict[str, Any], tool: Tool, profile: Profile) -> bool:
    properties = tool.function.parameters.get("properties", {})
    if not profile.allow_schema_optional_extras or name not in properties:
        return False
    return not argument_errors(arguments[name], properties[name])


@dataclass(frozen=True, slots=True)
class SelectionScores:
    precision: float
    recall: float
    f1: float


def tool_selection(called: list[str], expected: list[str]) -> SelectionScores:
    """Precision/recall/F1 of tool names as multisets (no calls expected, none made: 1.0)."""
    if not called and not expected:
        return SelectionScores(1.0, 1.0, 1.0)
    hits = sum((Counter(called) & Counter(expected)).values())
    precision = hits / len(called) if called else 0.0
    recall = hits / len(expected) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SelectionScores(precision, recall, f1)


def pair_matrix(
    case: TestCase, calls: list[DecodedCall], tools: dict[str, Tool], profile: Profile
) -> tuple[ScoreMatrix, list[list[PairCheck | None]]]:
    checks: list[list[PairCheck | None]] = []
    for expected in case.expected_calls:
        row: list[PairCheck | None] = []
        for call in calls:
            tool = tools.get(call.name)
            same = call.name == expected.name and tool is not None
            row.append(check_pair(expected, call, tool, profile) if same and tool else None)
        checks.append(row)
    scores = [[c.score() if c else None for c in row] for row in checks]
    return scores, checks


def _pairing_for(case: TestCase, scores: ScoreMatrix, count: int, profile: Profile) -> Pairing:
    if case.order is CallOrder.ORDERED:
        return ordered_alignment(scores, count)
    if profile.pairing == "greedy":
        return greedy_first_fit(scores, count)
    return maximum_matching(scores, count)


def argument_accuracy(
    case: TestCase, pairing: Pairing, checks: list[list[PairCheck | None]]
) -> float | None:
    if not case.expected_calls:
        return None
    correct = total = 0
    for position, expected in enumerate(case.expected_calls):
        index = pairing[position]
        check = checks[position][index] if index is not None else None
        if check is None:
            total += max(1, len(expected.arguments))
            continue
        correct += check.correct
        total += check.total
    return correct / total if total else 1.0


def paired_similarities(
    pairing: Pairing, checks: list[list[PairCheck | None]]
) -> list[ArgumentSimilarity]:
    """The `semantic` arguments' similarities of the calls paired with expected calls."""
    found: list[ArgumentSimilarity] = []
    for position, index in enumerate(pairing):
        check = checks[position][index] if index is not None else None
        if check is not None:
            found += check.similarities
    return found


@dataclass(slots=True)
class _Judgement:
    passed: bool
    category: ErrorCategory | None
    notes: list[str]


def _fail(category: ErrorCategory, note: str) -> _Judgement:
    return _Judgement(False, category, [note])


def _judge_engine(
    case: TestCase,
    calls: list[DecodedCall],
    tools: dict[str, Tool],
    pairing: Pairing,
    checks: list[list[PairCheck | None]],
) -> _Judgement:
    """Our own verdict (strict / lenient) for a case that expects calls."""
    hallucinated = [call.name for call in calls if call.name not in tools]
    if not calls:
        return _fail(ErrorCategory.NO_CALL, "no tool call was made")
    if hallucinated:
        return _fail(ErrorCategory.HALLUCINATED_TOOL, f"undefined tools called: {hallucinated}")
    if not case.expected_calls:  # relevance: any call to a defined tool will do
        return _Judgement(True, None, [])
    paired = {index for index in pairing if index is not None}
    missing = [
        e.name for e, index in zip(case.expected_calls, pairing, strict=True) if index is None
    ]
    extra = [call.name for i, call in enumerate(calls) if i not in paired]
    expected_names = {e.name for e in case.expected_calls}
    allow_missing = case.order is CallOrder.SUBSET
    allow_extra = case.order is CallOrder.SUPERSET
    if missing and not allow_missing and any(name not in expected_names for name in extra):
        return _fail(ErrorCategory.WRONG_TOOL, f"expected {missing}, got {extra}")
    if (missing and not allow_missing) or (extra and not allow_extra):
        return _count_or_order_failure(case, calls, missing, extra)
    failing = _first_failing_pair(pairing, checks)
    if failing is not None:
        problem, note = failing
        return _fail(_PROBLEM_CATEGORY[problem], note)
    return _Judgement(True, None, [])


def _count_or_order_failure(
    case: TestCase, calls: list[DecodedCall], missing: list[str], extra: list[str]
) -> _Judgement:
    same_names = sorted(call.name for call in calls) == sorted(e.name for e in case.expected_calls)
    if case.order is CallOrder.ORDERED and same_names:
        return _fail(ErrorCategory.WRONG_ORDER, "calls are not in the expected order")
    note = f"{len(calls)} calls for {len(case.expected_calls)} expected"
    if missing:
        note += f"; unmatched expected: {missing}"
    if extra:
        note += f"; unmatched calls: {extra}"
    return _fail(ErrorCategory.WRONG_CALL_COUNT, note)


def _first_failing_pair(
    pairing: Pairing, checks: list[list[PairCheck | None]]
) -> tuple[ArgumentProblem, str] | None:
    for position, index in enumerate(pairing):
        check = checks[position][index] if index is not None else None
        if check is not None and check.problems:
            return check.problems[0]
    return None


def _judge_relevance(case: TestCase, calls: list[DecodedCall]) -> _Judgement:
    if calls:
        return _fail(ErrorCategory.UNWANTED_CALL, "a tool was called where none should be")
    return _Judgement(True, None, [])


def score_case(
    case: TestCase, tools: list[Tool], output: ModelOutput, profile: Profile
) -> CaseVerdict:
    """The verdict and metrics for one case. A failed API call is a failed case."""
    if output.error is not None:
        return _api_error_verdict(case, output, profile)
    tool_index = {tool.function.name: tool for tool in tools}
    decoded = decode_output(output, recover_from_text=profile.recover_from_text)
    calls = decoded.calls
    scores, checks = pair_matrix(case, calls, tool_index, profile)
    pairing = _pairing_for(case, scores, len(calls), profile)
    if profile.bfcl_verdict:
        judgement = _judge_bfcl(case, tools, output, calls)
    elif decoded.format is CallFormat.RECOVERED and not profile.accept_recovered_calls:
        judgement = _fail(ErrorCategory.BAD_FORMAT, "calls were written as text content")
    elif decoded.format is CallFormat.FAILED:
        judgement = _fail(ErrorCategory.BAD_JSON, "a call's arguments are not a JSON object")
    elif not case.expects_a_call:
        judgement = _judge_relevance(case, calls)
    else:
        judgement = _judge_engine(case, calls, tool_index, pairing, checks)
    return _verdict(
        case, output, profile, calls, decoded.format, tool_index, pairing, checks, judgement
    )


def _judge_bfcl(
    case: TestCase, tools: list[Tool], output: ModelOutput, calls: list[DecodedCall]
) -> _Judgement:
    result = bfcl_verdict.judge(case, tools, output)
    if result.valid:
        return _Judgement(True, None, [])
    category = bfcl_verdict.error_category(result.error_type, calls, tools, case)
    return _Judgement(False, category, [f"bfcl {result.error_type}: {result.message}"])


def schema_validity(calls: list[DecodedCall], tools: dict[str, Tool]) -> bool | None:
    if not calls:
        return None
    for call in calls:
        tool = tools.get(call.name)
        if tool is None or call.arguments is None or _schema_errors(call.arguments, tool):
            return False
    return True


def _verdict(
    case: TestCase,
    output: ModelOutput,
    profile: Profile,
    calls: list[DecodedCall],
    call_format: CallFormat,
    tools: dict[str, Tool],
    pairing: Pairing,
    checks: list[list[PairCheck | None]],
    judgement: _Judgement,
) -> CaseVerdict:
    selection = tool_selection([c.name for c in calls], [e.name for e in case.expected_calls])
    return CaseVerdict(
        case_id=case.id,
        category=case.category,
        profile=profile.name.value,
        passed=judgement.passed,
        tool_selection_precision=selection.precision,
        tool_selection_recall=selection.recall,
        tool_selection_f1=selection.f1,
        argument_accuracy=argument_accuracy(case, pairing, checks),
        schema_valid=schema_validity(calls, tools),
        hallucinated_tools=[call.name for call in calls if call.name not in tools],
        format=call_format,
        irrelevance_correct=None if case.expects_a_call else not calls,
        error_category=judgement.category,
        explanation=judgement.notes,
        call_count=len(calls),
        latency_ms=output.latency_ms,
        prompt_tokens=output.usage.prompt_tokens if output.usage else None,
        completion_tokens=output.usage.completion_tokens if output.usage else None,
        model=output.model,
        semantic=paired_similarities(pairing, checks),
    )


def _api_error_verdict(case: TestCase, output: ModelOutput, profile: Profile) -> CaseVerdict:
    return CaseVerdict(
        case_id=case.id,
        category=case.category,
        profile=profile.name.value,
        passed=False,
        tool_selection_precision=0.0,
        tool_selection_recall=0.0,
        tool_selection_f1=0.0,
        argument_accuracy=0.0 if case.expected_calls else None,
        schema_valid=None,
        format=CallFormat.NONE,
        irrelevance_correct=None if case.expects_a_call else False,
        error_category=ErrorCategory.API_ERROR,
        explanation=["the API call failed"],
        latency_ms=output.latency_ms,
        model=output.model,
    )
