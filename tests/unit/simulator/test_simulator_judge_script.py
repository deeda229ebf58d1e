"""The scripted judge's rules, without a server: when a marker counts, what the answer is."""

from __future__ import annotations

import json

import pytest

from benchstudio.judge.domain.extraction import parse_verdict
from benchstudio.judge.schemas import CaseVerdict, comparative_json_schema, verdict_json_schema
from benchstudio.simulator.chat_request import ChatRequest, RequestError, ToolSpec, Wire
from benchstudio.simulator.directives import DirectiveError
from benchstudio.simulator.judge_script import judge_reply
from benchstudio.simulator.structured_output import (
    apply_openai_response_format,
    strict_schema_problem,
)

MARKER = "[sim-judge: verdict;verdict=marginal;score=4;tool=extra]"


def request(text: str, **fields: object) -> ChatRequest:
    chat = ChatRequest(wire=Wire.OPENAI, model="judge", stream=False, texts=[text])
    for name, value in fields.items():
        setattr(chat, name, value)
    return chat


def test_the_judges_schemas_pass_the_simulators_strict_check() -> None:
    assert strict_schema_problem(verdict_json_schema()) is None
    assert strict_schema_problem(comparative_json_schema()) is None
    nested = verdict_json_schema()
    nested["properties"]["arguments"]["items"].pop("additionalProperties")
    problem = strict_schema_problem(nested)
    assert problem is not None and "'arguments', 'items'" in problem


def test_a_marker_counts_only_in_a_judge_request() -> None:
    assert judge_reply(request(f"Weather in Paris? {MARKER}")) is None
    by_name = judge_reply(request(f"Grade it as judge_verdict. {MARKER}"))
    by_schema = judge_reply(
        request(
            f"Grade it. {MARKER}",
            response_format="json_schema",
            response_schema=verdict_json_schema(),
        )
    )
    assert by_name is not None and by_schema is not None
    verdict = parse_verdict(by_schema.text or "")
    assert isinstance(verdict, CaseVerdict)
    assert (verdict.verdict, verdict.score, verdict.tool_selection.status) == (
        "marginal",
        4,
        "extra",
    )


def test_the_header_applies_without_a_schema() -> None:
    reply = judge_reply(request("anything", judge_header="verdict;verdict=fail"))
    assert reply is not None
    assert json.loads(reply.text or "")["score"] == 1


def test_a_forced_tool_gets_a_call_with_the_verdict() -> None:
    tool = ToolSpec("judge_verdict", verdict_json_schema())
    reply = judge_reply(request(f"grade {MARKER}", tools=[tool], forced_tool="judge_verdict"))
    assert reply is not None and reply.text is None
    (call,) = reply.calls
    assert call.name == "judge_verdict" and json.loads(call.arguments)["score"] == 4


def test_a_comparison_request_ignores_verdict_directives() -> None:
    chat = request(
        f"compare {MARKER}",
        response_format="json_schema",
        response_schema=comparative_json_schema(),
    )
    assert judge_reply(chat) is None
    chat.judge_header = "favour;position=B"
    reply = judge_reply(chat)
    assert reply is not None and json.loads(reply.text or "")["winner"] == "B"


def test_a_bad_marker_is_a_directive_error() -> None:
    with pytest.raises(DirectiveError, match="judge directive"):
        judge_reply(request("judge_verdict [sim-judge: verdict;verdict=great]"))


def test_response_format_type_is_checked() -> None:
    chat = request("hi")
    with pytest.raises(RequestError) as caught:
        apply_openai_response_format({"response_format": {"type": "xml"}}, chat)
    assert caught.value.param == "response_format.type"
