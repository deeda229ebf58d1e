"""Cross-case report: the strict findings schema, citation checks, and map-reduce over a
1,000-case result with a small window (the structured call is scripted here)."""

from __future__ import annotations

import json
import re
from typing import Any, cast

import pytest

from benchstudio.judge.domain.cross_case import (
    FailurePattern,
    JudgedCase,
    Recommendation,
    ReportFindings,
    case_summary_text,
    check_findings,
    report_json_schema,
    split_report_prompt,
)
from benchstudio.judge.service import report_writer, structured_call
from benchstudio.judge.service.report_writer import ReportWriteError, write_report
from benchstudio.judge.service.verdict_call import JudgeModel
from benchstudio.providers.base import ChatRequest, ProviderAdapter, Usage
from benchstudio.providers.structured_output import StructuredReply

ALLOWED = {"type", "properties", "required", "additionalProperties", "items", "enum"}
BODY = "Review (judge_report):\n{figures}\n\n{chunk}\n---REDUCE---\nMerge:\n{figures}\n{partials}"
CASE_ID = re.compile(r"^case (\S+) ·", re.M)


def _strict_errors(schema: dict[str, Any], where: str = "$") -> list[str]:
    errors = [f"{where}: {key}" for key in schema if key not in ALLOWED]
    if schema.get("type") == "object":
        if schema.get("additionalProperties") is not False:
            errors.append(f"{where}: additionalProperties")
        if sorted(schema.get("required", [])) != sorted(schema["properties"]):
            errors.append(f"{where}: required")
        for name, sub in schema["properties"].items():
            errors += _strict_errors(sub, f"{where}.{name}")
    if schema.get("type") == "array":
        errors += _strict_errors(schema["items"], f"{where}[]")
    return errors


def test_the_findings_schema_meets_openai_strict_rules_and_matches_the_model() -> None:
    schema = report_json_schema()
    assert _strict_errors(schema) == []
    assert list(schema["properties"]) == list(ReportFindings.model_fields)
    pattern = schema["properties"]["failure_patterns"]["items"]
    assert list(pattern["properties"]) == list(FailurePattern.model_fields)
    recommendation = schema["properties"]["recommendations"]["items"]
    assert list(recommendation["properties"]) == list(Recommendation.model_fields)


def test_unknown_citations_are_dropped_and_counted_once() -> None:
    findings = ReportFindings(
        strengths=["picks tools well"],
        weaknesses=[],
        failure_patterns=[
            FailurePattern(category="c", tool="t", pattern="p", case_ids=["a", "zz", "a"])
        ],
        recommendations=[Recommendation(kind="prompt", text="x", case_ids=["zz", "yy", "b"])],
    )
    checked = check_findings(findings, {"a", "b"})
    assert checked.findings.failure_patterns[0].case_ids == ["a"]
    assert checked.findings.recommendations[0].case_ids == ["b"]
    assert checked.dropped == ["zz", "yy"]


def test_a_report_prompt_needs_its_reduce_half() -> None:
    assert split_report_prompt("map {chunk}\n---REDUCE---\nreduce {partials}") == (
        "map {chunk}",
        "reduce {partials}",
    )
    with pytest.raises(ValueError, match="REDUCE"):
        split_report_prompt("map only {chunk}")


def _cases(n: int) -> list[JudgedCase]:
    return [
        JudgedCase(
            case_id=f"case-{i:04d}",
            category=("weather", "travel", "irrelevance")[i % 3],
            automated_pass=i % 4 != 0,
            tools_expected=("get_weather",),
            tools_called=("get_weather",) if i % 4 else ("search",),
            judge_verdict="pass" if i % 4 else "fail",
            judge_score=5 if i % 4 else 1,
            judge_reasoning="called the wrong tool" if i % 4 == 0 else "fine",
        )
        for i in range(n)
    ]


def _words(text: str) -> int:
    return len(text.split())


class ScriptedJudge:
    """Answers map requests citing the chunk's first case plus an invented id, and reduce
    requests with the union of the partials' findings."""

    def __init__(self) -> None:
        self.map_calls: list[list[str]] = []
        self.reduce_calls = 0

    async def __call__(self, adapter: Any, request: ChatRequest, **kwargs: Any) -> StructuredReply:
        assert kwargs["schema_name"] == "judge_report"
        assert _strict_errors(kwargs["schema"]) == []
        prompt = request.messages[-1]["content"]
        if "Merge:" in prompt:
            self.reduce_calls += 1
            partials = [json.loads(line) for line in prompt.splitlines() if line.startswith("{")]
            merged = {
                key: [item for p in partials for item in p[key]]
                for key in ("strengths", "weaknesses", "failure_patterns", "recommendations")
            }
            return self._reply(merged)
        ids = CASE_ID.findall(prompt)
        self.map_calls.append(ids)
        finding = {
            "strengths": [f"chunk of {len(ids)}"],
            "weaknesses": [],
            "failure_patterns": [
                {"category": "weather", "tool": "", "pattern": "wrong tool",
                 "case_ids": [ids[0], "case-9999"]}
            ],
            "recommendations": [
                {"kind": "prompt", "text": "name the tool", "case_ids": [ids[-1], "made-up"]}
            ],
        }  # fmt: skip
        return self._reply(finding)

    @staticmethod
    def _reply(value: dict[str, Any]) -> StructuredReply:
        usage = Usage(input_tokens=100, output_tokens=20)
        return StructuredReply(json.dumps(value), "json_schema", usage, 1_000_000)


def _judge(window: int) -> JudgeModel:
    adapter = cast(ProviderAdapter, object())
    return JudgeModel(adapter, "openai", "judge", "sim|judge", "judge", context_window=window)


async def test_a_thousand_cases_are_chunked_to_the_window_and_citations_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scripted = ScriptedJudge()
    monkeypatch.setattr(structured_call, "complete_structured", scripted)
    cases = _cases(1000)
    window = report_writer.ANSWER_TOKENS + 1500  # words as tokens: ~30 summaries a chunk
    run = await write_report(_judge(window), BODY, cases, {"pass rate": "75%"}, _words)

    assert len(scripted.map_calls) == run.chunks > 10
    sent = [case_id for chunk in scripted.map_calls for case_id in chunk]
    assert sent == [c.case_id for c in cases]  # every case once, in order
    assert run.used_case_ids == sent and run.oversized_case_ids == []
    for chunk in scripted.map_calls:
        prompt_words = sum(_words(case_summary_text(c)) for c in cases if c.case_id in chunk)
        assert prompt_words <= 1500
    assert scripted.reduce_calls >= 1 and run.calls == run.chunks + scripted.reduce_calls
    assert run.parse_failures == 0
    assert run.findings is not None
    assert sorted(run.dropped) == ["case-9999", "made-up"]
    cited = [i for p in run.findings.failure_patterns for i in p.case_ids]
    cited += [i for r in run.findings.recommendations for i in r.case_ids]
    assert cited and set(cited) <= set(sent)
    assert run.cost_usd is None  # the judge has no price: unknown, never 0
    assert run.input_tokens == 100 * run.calls


async def test_unreadable_answers_are_counted_and_fail_the_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def prose(adapter: Any, request: ChatRequest, **kwargs: Any) -> StructuredReply:
        return StructuredReply("I think it went well.", "prompt", Usage(), 1)

    monkeypatch.setattr(structured_call, "complete_structured", prose)
    with pytest.raises(ReportWriteError, match="could not be parsed"):
        await write_report(_judge(100_000), BODY, _cases(10), {}, _words)
    # One chunk: its answer and the one repair request were both prose.


async def test_a_case_too_big_for_the_window_is_left_out_by_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scripted = ScriptedJudge()
    monkeypatch.setattr(structured_call, "complete_structured", scripted)
    cases = _cases(3)
    huge = JudgedCase("huge", "weather", False, (), (), judge_reasoning="x " * 5000)
    run = await write_report(
        _judge(report_writer.ANSWER_TOKENS + 150), BODY, [*cases, huge], {}, _words
    )
    assert run.oversized_case_ids == ["huge"]
    assert "huge" not in run.used_case_ids
