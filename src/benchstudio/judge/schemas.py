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
