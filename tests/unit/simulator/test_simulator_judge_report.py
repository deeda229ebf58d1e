"""The scripted judge's cross-case findings, without a server: recognised by the report's
schema or name, read off the case summaries (map) or the partials (reduce), valid under the
report's strict schema, citing only ids in the request unless a directive asks otherwise."""

from __future__ import annotations

import json

from benchstudio.judge.domain.cross_case import (
    JudgedCase,
    ReportFindings,
    case_summary_text,
    check_findings,
    partials_text,
    report_json_schema,
)
from benchstudio.simulator.chat_request import ChatRequest, ToolSpec, Wire
from benchstudio.simulator.judge_script import judge_reply
from benchstudio.simulator.structured_output import strict_schema_problem

CASES = [
    JudgedCase("w-1", "simple", True, ("get_weather",), ("get_weather",), None, "pass", 5, "ok"),
    JudgedCase("w-2", "simple", False, ("get_weather",), ("get_weather",), None, "pass", 4),
    JudgedCase("w-3", "simple", True, ("get_weather",), (), None, "fail", 1, "no call"),
    JudgedCase("p-1", "parallel", True, ("get_weather", "get_time"), ("get_weather", "get_time")),
    JudgedCase("i-1", "irrelevance", False, (), ("get_weather",), "boom"),
]


def _map_text(cases: list[JudgedCase]) -> str:
    return "Review.\n" + "\n\n".join(case_summary_text(c) for c in cases)


def _request(text: str, **fields: object) -> ChatRequest:
    chat = ChatRequest(wire=Wire.OPENAI, model="judge", stream=False, texts=[text])
    chat.response_format = "json_schema"
    chat.response_schema_name = "judge_report"
    chat.response_schema = report_json_schema()
    for name, value in fields.items():
        setattr(chat, name, value)
    return chat


def _findings(chat: ChatRequest) -> ReportFindings:
    reply = judge_reply(chat)
    assert reply is not None
    if reply.calls:
        return ReportFindings.model_validate_json(reply.calls[0].arguments)
    return ReportFindings.model_validate_json(reply.text or "")


def test_the_report_schema_passes_the_simulators_strict_check() -> None:
    assert strict_schema_problem(report_json_schema()) is None


def test_a_map_request_gets_findings_from_its_case_summaries() -> None:
    findings = _findings(_request(_map_text(CASES)))
    assert findings.strengths == ["Passes the one parallel case."]
    assert findings.weaknesses == ["Fails 2 of 3 simple cases.", "Fails the one irrelevance case."]
    patterns = [(p.category, p.tool, p.pattern, p.case_ids) for p in findings.failure_patterns]
    rejected = "Calls get_weather with arguments the checks reject."
    assert patterns == [
        ("simple", "get_weather", rejected, ["w-2", "w-3"]),
        ("irrelevance", "get_weather", "Calls get_weather where no call was expected.", ["i-1"]),
    ]
    assert [(r.kind, r.case_ids) for r in findings.recommendations] == [
        ("prompt", ["w-2", "w-3"]),
        ("prompt", ["i-1"]),
    ]
    assert check_findings(findings, {c.case_id for c in CASES}).dropped == []


def test_a_reduce_request_merges_the_partials_it_quotes() -> None:
    first = _findings(_request(_map_text(CASES[:2])))
    second = _findings(_request(_map_text(CASES[2:])))
    merged = _findings(_request("Merge.\n" + partials_text([first, second])))
    assert merged.strengths == ["Passes the one parallel case."]
    assert merged.weaknesses == [
        "Fails 1 of 2 simple cases.",
        "Fails the one simple case.",
        "Fails the one irrelevance case.",
    ]
    assert [(p.category, p.case_ids) for p in merged.failure_patterns] == [
        ("simple", ["w-2", "w-3"]),
        ("irrelevance", ["i-1"]),
    ]
    # Ordered by how many cases each would fix.
    assert [r.case_ids for r in merged.recommendations] == [["w-2", "w-3"], ["i-1"]]


def test_a_directive_adds_one_unknown_id_that_the_check_drops() -> None:
    text = _map_text(CASES) + "\n[sim-judge: report;unknown=ghost-9]"
    findings = _findings(_request(text))
    assert findings.failure_patterns[0].case_ids == ["w-2", "w-3", "ghost-9"]
    checked = check_findings(findings, {c.case_id for c in CASES})
    assert checked.dropped == ["ghost-9"]
    assert checked.findings.failure_patterns[0].case_ids == ["w-2", "w-3"]
    # Nothing failed: the unknown id gets a recommendation of its own.
    clean = _findings(_request(_map_text(CASES[:1]), judge_header="report;unknown=ghost-9"))
    assert clean.failure_patterns == [] and clean.recommendations[0].case_ids == ["ghost-9"]


def test_report_requests_are_recognised_by_tool_or_name_and_obey_malformed() -> None:
    text = _map_text(CASES)
    tool = ToolSpec("judge_report", report_json_schema())
    forced = _request(text, response_format="text", response_schema=None, tools=[tool])
    forced.response_schema_name, forced.forced_tool = None, "judge_report"
    assert _findings(forced).failure_patterns[0].case_ids == ["w-2", "w-3"]
    prompt_only = ChatRequest(
        wire=Wire.OPENAI, model="j", stream=False, texts=[text, "judge_report"]
    )
    assert _findings(prompt_only).weaknesses[0] == "Fails 2 of 3 simple cases."
    # A verdict directive does not answer a report; `malformed` cuts the report's JSON.
    assert _findings(_request(text, judge_header="verdict;verdict=fail")).strengths
    cut = judge_reply(_request(text, judge_header="malformed"))
    assert cut is not None and cut.text is not None
    assert cut.text == json.dumps(_findings(_request(text)).model_dump())[: len(cut.text)]
    assert len(cut.text) < len(json.dumps(_findings(_request(text)).model_dump())) / 2 + 1


def test_a_request_that_is_not_a_judges_gets_no_report() -> None:
    plain = ChatRequest(wire=Wire.OPENAI, model="m", stream=False, texts=[_map_text(CASES)])
    assert judge_reply(plain) is None


def test_a_text_answer_the_judge_fails_is_named_as_one() -> None:
    # An irrelevance case answered in text, as expected, that the judge still fails.
    text_answer = JudgedCase("i-2", "irrelevance", True, (), (), None, "fail", 1, "rude")
    findings = _findings(_request(_map_text([text_answer])))
    assert [(p.tool, p.pattern) for p in findings.failure_patterns] == [
        ("", "Answers in text, as expected, but the answer itself fails.")
    ]
