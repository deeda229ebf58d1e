"""The scripted judge: verdict JSON driven by directives in the request, so tests know it.

Directives use the fault/quirk syntax (directives.py). They come from the `X-Sim-Judge` header
or from `[sim-judge: ...]` markers anywhere in the request text, e.g. in an eval case's prompt,
which the judge prompt quotes. A marker is honoured only in a *judge request*, so the model
under evaluation, which sees the same case prompt, answers as usual. A judge request asks for
a verdict, comparison or report schema (properties `verdict`, `winner` or `failure_patterns`)
through `response_format`, a forced tool or Gemini's `responseSchema`, or names
`judge_verdict` / `judge_comparison` / `judge_report` in its text (the prompt-only fallback).
The header always applies.

A report request (the cross-case report's map and reduce calls) is answered even without a
directive: its findings come from the request's own text (judge_report_script.py); a
`report;unknown=<id>` directive adds a citation of a case the request does not hold.

The answer honours the structured-output request: the forced tool's call (Anthropic
`tool_choice: {type: tool}`, an OpenAI named function), pure JSON text for `json_schema`,
`json_object` and Gemini's schema, and for prompt-only requests the JSON, optionally wrapped
in prose or a code fence (`wrap`). `malformed` cuts the JSON in half in every mode.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from benchstudio.simulator.chat_request import ChatRequest
from benchstudio.simulator.directives import JudgeKind, JudgeSpec, parse_judge_directives
from benchstudio.simulator.judge_report_script import report_findings
from benchstudio.simulator.tool_script import ScriptedCall, ScriptedReply

VERDICT_NAME = "judge_verdict"
COMPARISON_NAME = "judge_comparison"
REPORT_NAME = "judge_report"
_MARKER = re.compile(r"\[sim-judge:\s*([^\]]*)\]")
_DEFAULT_SCORE = {"pass": 5, "marginal": 3, "fail": 1}
_DEFAULT_TOOL = {"pass": "correct", "marginal": "correct", "fail": "wrong"}
_STATUSES = ("correct", "wrong", "missing", "extra")

Shape = Literal["verdict", "comparison", "report"]
# The directives each request shape obeys.
_OBEYED: dict[Shape, tuple[JudgeKind, ...]] = {
    "verdict": (JudgeKind.VERDICT, JudgeKind.MALFORMED),
    "comparison": (JudgeKind.FAVOUR, JudgeKind.MALFORMED),
    "report": (JudgeKind.REPORT, JudgeKind.MALFORMED),
}


def _schema_shape(schema: dict[str, Any] | None) -> Shape | None:
    properties = (schema or {}).get("properties")
    if not isinstance(properties, dict):
        return None
    if "winner" in properties:
        return "comparison"
    if "failure_patterns" in properties:
        return "report"
    return "verdict" if "verdict" in properties else None


def _requested_shape(request: ChatRequest) -> Shape | None:
    """What a judge request asks for, or None when it is not one."""
    shape = _schema_shape(request.response_schema)
    forced = next((t for t in request.tools if t.name == request.forced_tool), None)
    if shape is None and forced is not None:
        shape = _schema_shape(forced.parameters)
    if shape is not None:
        return shape
    names = {request.response_schema_name, request.forced_tool}
    text = request.all_text
    if REPORT_NAME in names or REPORT_NAME in text:
        return "report"
    if COMPARISON_NAME in names or COMPARISON_NAME in text:
        return "comparison"
    if VERDICT_NAME in names or VERDICT_NAME in text:
        return "verdict"
    return None


def _directives(request: ChatRequest, shape: Shape | None) -> list[JudgeSpec]:
    specs = parse_judge_directives(request.judge_header) if request.judge_header else []
    if shape is not None:
        for marker in _MARKER.findall(request.all_text):
            specs += parse_judge_directives(marker)
    return specs


def _arguments(spec: JudgeSpec) -> list[dict[str, str]]:
    assessments = []
    for item in filter(None, (part.strip() for part in spec.args.split("/"))):
        name, _, status = item.partition(":")
        status = status if status in _STATUSES else "correct"
        assessments.append({"name": name, "status": status, "reason": f"{name} is {status}"})
    return assessments


def verdict_object(spec: JudgeSpec) -> dict[str, Any]:
    """The verdict a `verdict` directive asks for, in the judge's verdict schema."""
    tool = spec.tool or _DEFAULT_TOOL[spec.verdict]
    return {
        "score": spec.score if spec.score is not None else _DEFAULT_SCORE[spec.verdict],
        "verdict": spec.verdict,
        "tool_selection": {"status": tool, "reason": f"scripted: the tool choice is {tool}"},
        "arguments": _arguments(spec),
        "reasoning": f"Scripted judge: {spec.verdict}.",
    }


def _pick_object(spec: JudgeSpec) -> dict[str, Any]:
    return {"winner": spec.position, "reasoning": f"Scripted judge favours {spec.position}."}


def _wrapped(text: str, wrap: str) -> str:
    if wrap == "fence":
        return f"```json\n{text}\n```"
    if wrap == "prose":
        return f"Here is my assessment.\n\n```json\n{text}\n```\n\nLet me know if you need more."
    return text


def _answer(spec: JudgeSpec, shape: Shape | None, request: ChatRequest) -> dict[str, Any]:
    """The JSON object a directive answers (`malformed` answers the request's shape, cut)."""
    kind = spec.kind
    if kind is JudgeKind.REPORT or (kind is JudgeKind.MALFORMED and shape == "report"):
        return report_findings(request.all_text, spec.unknown)
    if kind is JudgeKind.FAVOUR or (kind is JudgeKind.MALFORMED and shape == "comparison"):
        return _pick_object(spec)
    return verdict_object(spec)


def judge_reply(request: ChatRequest) -> ScriptedReply | None:
    """The scripted judge's answer, or None when no directive applies to this request."""
    shape = _requested_shape(request)
    specs = _directives(request, shape)
    if shape is not None:
        specs = [s for s in specs if s.kind in _OBEYED[shape]]
    if not specs and shape == "report":
        specs = [JudgeSpec(kind=JudgeKind.REPORT)]
    if not specs:
        return None
    spec = specs[0]
    answer = _answer(spec, shape, request)
    structured = request.response_format != "text" or request.forced_tool is not None
    text = json.dumps(answer, indent=None if structured else 2)
    if spec.kind is JudgeKind.MALFORMED:
        text = text[: len(text) // 2]
    elif not structured:
        text = _wrapped(text, spec.wrap)
    forced = next((t for t in request.tools if t.name == request.forced_tool), None)
    if forced is not None:
        return ScriptedReply(calls=[ScriptedCall(forced.name, text)])
    return ScriptedReply(text=text)
