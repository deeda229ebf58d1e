"""Why each argument of each call passed or failed: the per-case drill-down (pure).

The verdict itself comes from the scoring engine and is stored with the result; this module
re-runs the engine's pairing and per-argument matching on the recorded calls so a reader can
see every expected argument next to the value the model sent. Under the `bfcl` profile the
verdict is BFCL's; the per-argument view then uses the `bfcl` match mode of our engine.
"""

from __future__ import annotations

from typing import Any

from benchstudio.toolcall.matching import match_value
from benchstudio.toolcall.outputs import DecodedCall, ModelOutput, RecordedToolCall, decode_output
from benchstudio.toolcall.pairing import greedy_first_fit, maximum_matching, ordered_alignment
from benchstudio.toolcall.profiles import Profile
from benchstudio.toolcall.schemas import CallOrder, ExpectedCall, MatchMode, TestCase, Tool
from benchstudio.toolcall.scoring import pair_matrix


def recorded_calls(exchanges: list[dict[str, Any]]) -> list[RecordedToolCall]:
    """Every tool call the model made, over all exchanges (a chain has several)."""
    calls: list[RecordedToolCall] = []
    for exchange in exchanges:
        response = exchange.get("response") or {}
        for call in response.get("tool_calls") or []:
            calls.append(RecordedToolCall(name=call["name"], arguments=call.get("arguments", "")))
    return calls


def decoded_calls(exchanges: list[dict[str, Any]], profile: Profile) -> list[DecodedCall]:
    content = None
    if exchanges and exchanges[-1].get("response"):
        content = exchanges[-1]["response"].get("content")
    output = ModelOutput(case_id="-", tool_calls=recorded_calls(exchanges), content=content)
    return decode_output(output, recover_from_text=profile.recover_from_text).calls


def _argument_checks(
    expected: ExpectedCall, call: DecodedCall, tool: Tool, profile: Profile
) -> list[dict[str, Any]]:
    arguments = call.arguments or {}
    properties: dict[str, Any] = tool.function.parameters.get("properties", {})
    checks: list[dict[str, Any]] = []
    for name, expectation in expected.arguments.items():
        wanted: list[Any] = list(expectation.acceptable)
        wanted = wanted or [*expectation.objects, *expectation.item_lists]
        entry: dict[str, Any] = {"name": name, "expected": _plain(wanted)}
        mode = expectation.match or profile.match.default_mode
        if mode is MatchMode.IGNORE:
            checks.append({**entry, "status": "ignored", "actual": arguments.get(name)})
            continue
        if name not in arguments:
            status = "omitted" if expectation.omittable else "missing"
            checks.append({**entry, "status": status, "detail": f"{name!r} was not sent"})
            continue
        try:
            verdict = match_value(
                name, arguments[name], expectation, profile.match, properties.get(name)
            )
            passed, detail = verdict.passed, verdict.detail
            if verdict.similarity is not None:
                entry["similarity"] = verdict.similarity
                detail = detail or f"similarity {verdict.similarity:.3f}"
            entry["semantic"] = [
                {
                    "path": value.path,
                    "similarity": value.similarity,
                    "threshold": value.threshold,
                    "passed": value.passed,
                }
                for value in verdict.semantic
            ]
        except Exception as error:  # e.g. semantic matching without a scorer
            passed, detail = False, f"not re-checked here: {error}"
        status = "passed" if passed else "failed"
        checks.append({**entry, "status": status, "actual": arguments[name], "detail": detail})
    for name, value in arguments.items():
        if name not in expected.arguments:
            detail = "not in the expectation"
            if profile.allow_schema_optional_extras and name in properties:
                detail += "; this profile allows it when it satisfies the schema"
            checks.append(
                {
                    "name": name,
                    "status": "unexpected",
                    "expected": [],
                    "actual": value,
                    "detail": detail,
                }
            )
    return checks


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_defaults=True)
    return value


def explain_calls(
    case: TestCase, tools: list[Tool], calls: list[DecodedCall], profile: Profile
) -> list[dict[str, Any]]:
    """Each expected call with its paired model call (if any), argument by argument, then the
    model's calls that pair with nothing."""
    index = {tool.function.name: tool for tool in tools}
    scores, checks = pair_matrix(case, calls, index, profile)
    if case.order is CallOrder.ORDERED:
        pairing = ordered_alignment(scores, len(calls))
    elif profile.pairing == "greedy":
        pairing = greedy_first_fit(scores, len(calls))
    else:
        pairing = maximum_matching(scores, len(calls))
    out: list[dict[str, Any]] = []
    for position, expected in enumerate(case.expected_calls):
        call_index = pairing[position]
        check = checks[position][call_index] if call_index is not None else None
        arguments: list[dict[str, Any]] = []
        if call_index is not None and expected.name in index:
            arguments = _argument_checks(expected, calls[call_index], index[expected.name], profile)
        out.append(
            {
                "expected_index": position,
                "call_index": call_index,
                "tool": expected.name,
                "passed": bool(check and check.passed),
                "arguments": arguments,
            }
        )
    paired = {i for i in pairing if i is not None}
    for call_index, call in enumerate(calls):
        if call_index not in paired:
            unexpected = [
                {"name": n, "status": "unexpected", "expected": [], "actual": v, "detail": ""}
                for n, v in (call.arguments or {}).items()
            ]
            out.append(
                {
                    "expected_index": None,
                    "call_index": call_index,
                    "tool": call.name,
                    "passed": False,
                    "arguments": unexpected,
                }
            )
    return out
