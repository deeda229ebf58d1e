"""The cross-case report's findings: what the model writes, its strict schema, and the checks.

The model writes findings (strengths, weaknesses, failure patterns by category and tool,
recommendations) twice: once per chunk of case summaries (map) and once over the partial
findings (reduce). Both steps answer the same shape, `ReportFindings`. The grade is not in it:
it comes from measured figures (`judge.domain.grade`). Every case id the model cites is
checked against the cases the report used (`report_chunks.check_citations`): unknown ids are
dropped and counted, never shown as evidence.

The JSON Schema is written out by hand under OpenAI's strict rules, like `judge.schemas`:
every property required, `additionalProperties: false`, no range or format keywords. A
failure pattern that is not about one tool names the tool as "".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.judge.domain.report_chunks import check_citations

REPORT_SCHEMA_NAME = "judge_report"
RecommendationKind = Literal["prompt", "parameter", "other"]
REDUCE_SPLIT = "---REDUCE---"
_MAX_ITEMS = 50


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FailurePattern(_Strict):
    category: str = Field(max_length=200)
    tool: str = Field(max_length=200)  # "" when the pattern is not about one tool
    pattern: str = Field(max_length=4000)
    case_ids: list[str] = Field(max_length=200)


class Recommendation(_Strict):
    kind: RecommendationKind
    text: str = Field(max_length=4000)
    case_ids: list[str] = Field(max_length=200)


class ReportFindings(_Strict):
    """One map or reduce answer."""

    strengths: list[str] = Field(max_length=_MAX_ITEMS)
    weaknesses: list[str] = Field(max_length=_MAX_ITEMS)
    failure_patterns: list[FailurePattern] = Field(max_length=_MAX_ITEMS)
    recommendations: list[Recommendation] = Field(max_length=_MAX_ITEMS)


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def report_json_schema() -> dict[str, Any]:
    """`ReportFindings` as a strict JSON Schema (a fresh copy each call)."""
    text = {"type": "string"}
    ids = {"type": "array", "items": {"type": "string"}}
    return _object(
        {
            "strengths": {"type": "array", "items": dict(text)},
            "weaknesses": {"type": "array", "items": dict(text)},
            "failure_patterns": {
                "type": "array",
                "items": _object(
                    {"category": text, "tool": text, "pattern": text, "case_ids": dict(ids)}
                ),
            },
            "recommendations": {
                "type": "array",
                "items": _object(
                    {
                        "kind": {"type": "string", "enum": ["prompt", "parameter", "other"]},
                        "text": text,
                        "case_ids": dict(ids),
                    }
                ),
            },
        }
    )


def split_report_prompt(body: str) -> tuple[str, str]:
    """The map and reduce halves of a report prompt body (split by a `---REDUCE---` line)."""
    head, sep, tail = body.partition(REDUCE_SPLIT)
    if not sep:
        raise ValueError(f"a report prompt needs a line {REDUCE_SPLIT} between map and reduce")
    return head.strip(), tail.strip()


@dataclass(frozen=True, slots=True)
class JudgedCase:
    """What the report knows of one case: automated and judge outcomes, no model name."""

    case_id: str
    category: str
    automated_pass: bool
    tools_expected: tuple[str, ...]
    tools_called: tuple[str, ...]
    error: str | None = None
    judge_verdict: str | None = None
    judge_score: int | None = None
    judge_reasoning: str | None = None


_REASONING_CHARS = 600


def case_summary_text(case: JudgedCase) -> str:
    """One case as the map step reads it (short: a 1,000-case run fits in a few chunks)."""
    judge = (
        f"judge {case.judge_verdict} {case.judge_score}/5"
        if case.judge_verdict is not None
        else "judge: none"
    )
    lines = [
        f"case {case.case_id} · category {case.category} · "
        f"automated {'pass' if case.automated_pass else 'fail'} · {judge}",
        f"expected tools: {', '.join(case.tools_expected) or 'none'}; "
        f"called: {', '.join(case.tools_called) or 'none'}",
    ]
    if case.error:
        lines.append(f"error: {case.error}")
    if case.judge_reasoning:
        lines.append(f"judge reasoning: {case.judge_reasoning[:_REASONING_CHARS]}")
    return "\n".join(lines)


def partials_text(partials: Iterable[ReportFindings]) -> str:
    """The map answers as the reduce step reads them."""
    return "\n\n".join(
        f"partial {index}:\n{findings.model_dump_json()}"
        for index, findings in enumerate(partials, 1)
    )


@dataclass(frozen=True, slots=True)
class CheckedFindings:
    findings: ReportFindings
    dropped: list[str]  # unknown ids, once each


def check_findings(findings: ReportFindings, known: Collection[str]) -> CheckedFindings:
    """The findings with only known case ids cited; the unknown ones dropped and listed."""
    dropped: dict[str, None] = {}

    def keep(ids: list[str]) -> list[str]:
        checked = check_citations(ids, known)
        dropped.update(dict.fromkeys(checked.dropped))
        return checked.kept

    patterns = [
        p.model_copy(update={"case_ids": keep(p.case_ids)}) for p in findings.failure_patterns
    ]
    recommendations = [
        r.model_copy(update={"case_ids": keep(r.case_ids)}) for r in findings.recommendations
    ]
    checked = findings.model_copy(
        update={"failure_patterns": patterns, "recommendations": recommendations}
    )
    return CheckedFindings(checked, list(dropped))


def figures_text(figures: Mapping[str, Any]) -> str:
    """The measured figures the prompt quotes (the model comments; it does not grade)."""
    return "\n".join(f"{name}: {value}" for name, value in figures.items())
