"""Placeholder detection before a run, and the multi-turn transcript view (pure)."""

from __future__ import annotations

import json
from typing import Any

from benchstudio.evals.runs.domain.conversation import build_conversation, matched_mock
from benchstudio.evals.runs.domain.placeholders import (
    holds_placeholder,
    placeholder_case_ids,
    placeholder_message,
)
from benchstudio.toolcall.mcp_import import draft_case
from benchstudio.toolcall.multiturn import mock_result
from benchstudio.toolcall.schemas import MultiTurnSettings, Suite, TestCase, Tool

TOOL = Tool.model_validate(
    {
        "type": "function",
        "function": {
            "name": "lookup",
            "description": "Look a thing up",
            "parameters": {
                "type": "object",
                "properties": {"token": {"type": "string"}, "limit": {"type": "integer"}},
                "required": ["token", "limit"],
            },
        },
    }
)


def test_an_mcp_draft_without_example_values_holds_the_placeholder() -> None:
    drafted = draft_case(TOOL, [])
    assert "<your value>" in (drafted.prompt or "")
    assert holds_placeholder(drafted)
    clean = TestCase(id="ok", prompt="Look up token abc with limit 3.")
    assert not holds_placeholder(clean)


def test_messages_are_checked_and_ids_keep_suite_order() -> None:
    suite = Suite(
        name="s",
        tools=[TOOL],
        cases=[
            TestCase(id="b", messages=[{"role": "user", "content": "x = <your value>"}]),
            TestCase(id="a", prompt="fine"),
            TestCase(id="c", prompt="token = <your value>."),
            TestCase(id="d", prompt="token = <your VALUE> (other case is not the marker)"),
        ],
    )
    assert placeholder_case_ids(suite) == ["b", "c"]
    assert placeholder_message(["b", "c"]) == (
        "2 cases still hold <your value> placeholders: b, c."
    )
    many = [f"c{i}" for i in range(7)]
    assert placeholder_message(many).endswith("c0, c1, c2, c3, c4 and 2 more.")
    assert placeholder_message(["x"]).startswith("1 case still holds")


SETTINGS = MultiTurnSettings.model_validate(
    {
        "max_rounds": 3,
        "mock_responses": [
            {"tool": "search", "when_arguments": {"origin": "OSL"}, "result": {"hits": [1]}},
            {"tool": "search", "result": {"hits": []}},
            {"tool": "book", "when_arguments": {"id": 9}, "result": "booked"},
        ],
        "default_response": {"error": "unknown tool"},
    }
)


def test_matched_mock_follows_the_chain_rule() -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("search", {"origin": "OSL", "date": "x"}),
        ("search", {"origin": "BER"}),
        ("book", {"id": 9}),
        ("book", {"id": 1}),
        ("other", {}),
    ]
    found = [matched_mock(SETTINGS, tool, args) for tool, args in cases]
    assert found == [
        ("when_arguments", 0),
        ("unconditional", 1),
        ("when_arguments", 2),
        ("default", None),
        ("default", None),
    ]
    for (tool, args), (_, index) in zip(cases, found, strict=True):
        result = (
            SETTINGS.default_response if index is None else SETTINGS.mock_responses[index].result
        )
        assert mock_result(SETTINGS, tool, args) == result


def test_conversation_lays_out_rounds_mocks_pairs_and_the_final_answer() -> None:
    case = TestCase(
        id="chain",
        messages=[{"role": "user", "content": "Book OSL"}],
        multi_turn=SETTINGS,
    )
    transcript = {
        "case_id": "chain",
        "rounds": [
            {
                "tool_calls": [{"name": "search", "arguments": json.dumps({"origin": "OSL"})}],
                "results": [{"hits": [1]}],
                "content": None,
            },
            {
                "tool_calls": [
                    {"name": "book", "arguments": '{"id": 9}'},
                    {"name": "book", "arguments": "not json"},
                ],
                "results": ["booked", {"error": "unknown tool"}],
                "content": "Booking now",
            },
            {"tool_calls": [], "results": None, "content": "Done: booked."},
        ],
    }
    exchanges = [
        {
            "request": {
                "messages": [
                    {"role": "system", "content": "Be brief"},
                    {"role": "user", "content": "Book OSL"},
                ]
            }
        }
    ]
    view = build_conversation(case, transcript, exchanges, {0: (0, True), 1: (1, False)})
    assert [m.model_dump() for m in view.opening] == [
        {"role": "system", "content": "Be brief"},
        {"role": "user", "content": "Book OSL"},
    ]
    assert [r.number for r in view.rounds] == [1, 2, 3]
    first = view.rounds[0].calls[0]
    assert (first.name, first.arguments, first.result) == (
        "search",
        {"origin": "OSL"},
        {"hits": [1]},
    )
    assert (first.mock_source, first.when_arguments, first.expected_index, first.passed) == (
        "when_arguments",
        {"origin": "OSL"},
        0,
        True,
    )
    booked, broken = view.rounds[1].calls
    assert (booked.call_index, booked.expected_index, booked.passed) == (1, 1, False)
    assert (broken.call_index, broken.arguments, broken.expected_index) == (2, "not json", None)
    assert view.rounds[1].content == "Booking now"
    assert view.final_answer == "Done: booked."
    assert view.max_rounds == 3 and view.error is None
