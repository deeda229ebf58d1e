"""Blind rendering of one case for the judge: what it sees, and what it never sees."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from benchstudio.judge.domain.transcript import (
    HIDDEN_NAME,
    case_from_detail,
    case_from_live,
    case_from_stored,
    estimate_tokens,
    render_pair,
    verdict_fields,
)
from benchstudio.toolcall.live.records import ExchangeRecord, LiveCaseResult
from benchstudio.toolcall.multiturn import ChainRound, ChainTranscript
from benchstudio.toolcall.outputs import CallFormat, RecordedToolCall
from benchstudio.toolcall.schemas import TestCase, Tool
from benchstudio.toolcall.verdicts import CaseVerdict

MODEL = "acme/secret-model-7b"
TOOLS = [
    Tool.model_validate(
        {
            "function": {
                "name": "get_weather",
                "description": "Current weather for a city.",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
                    "required": ["city"],
                },
            }
        }
    ),
    Tool.model_validate({"function": {"name": "get_time", "description": "Local time."}}),
]
CASE = TestCase.model_validate(
    {
        "id": "weather-1",
        "category": "simple",
        "prompt": "What's the weather in Paris, in celsius?",
        "expected_calls": [
            {
                "name": "get_weather",
                "arguments": {
                    "city": {"acceptable": ["Paris", "Paris, FR"]},
                    "unit": {"acceptable": ["celsius"], "omittable": True},
                },
            }
        ],
    }
)
IRRELEVANT = TestCase.model_validate(
    {
        "id": "chat-1",
        "category": "irrelevance",
        "prompt": "Tell me a joke.",
        "should_call_tool": False,
    }
)
CHAIN = TestCase.model_validate(
    {
        "id": "chain-1",
        "category": "multi_turn",
        "messages": [{"role": "user", "content": "Weather where Ana lives?"}],
        "expected_calls": [
            {"name": "get_time", "arguments": {}},
            {"name": "get_weather", "arguments": {"city": {"acceptable": ["Lisbon"]}}},
        ],
        "order": "ordered",
        "multi_turn": {"mock_responses": [{"tool": "get_weather", "result": {"temp": 21}}]},
    }
)


def exchange(content: str | None, calls: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "request": {
            "model": MODEL,
            "messages": [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What's the weather in Paris, in celsius?"},
            ],
            "tools": ["get_weather", "get_time"],
        },
        "response": {"content": content, "tool_calls": calls, "model": "secret-model-7b-0425"},
        "latency_ms": 120.0,
    }


def verdict(passed: bool, category: str | None = None) -> dict[str, Any]:
    return {
        "pass": passed,
        "error_category": category,
        "explanation": ["unit: expected celsius"] if category else [],
        "model": MODEL,
    }


def everything(fields: dict[str, str]) -> str:
    return "\n".join(fields.values())


def test_single_turn_case_renders_tools_prompt_reference_and_calls() -> None:
    calls = [{"id": "1", "name": "get_weather", "arguments": '{"city": "Paris", "unit": "f"}'}]
    case = case_from_stored(
        CASE, TOOLS, [exchange(None, calls)], None, verdict(False, "wrong_argument")
    )
    fields = verdict_fields(case, show_automated=False)
    assert "- get_weather: Current weather for a city." in fields["tools"]
    assert '"required": ["city"]' in fields["tools"]
    assert "- get_time: Local time." in fields["tools"]
    assert "[system]\nYou are a helpful assistant." in fields["case_prompt"]
    assert "[user]\nWhat's the weather in Paris, in celsius?" in fields["case_prompt"]
    assert "1. get_weather" in fields["expected_calls"]
    assert 'city: one of ["Paris", "Paris, FR"]' in fields["expected_calls"]
    assert 'unit: one of ["celsius"]; may be omitted' in fields["expected_calls"]
    assert 'call get_weather {"city": "Paris", "unit": "f"}' in fields["transcript"]
    # Blind: the automated result is withheld unless asked for.
    assert "wrong_argument" not in everything(fields)
    assert "withheld" in fields["automated_result"]
    shown = verdict_fields(case, show_automated=True)["automated_result"]
    assert shown == "Automated check: fail (wrong_argument). unit: expected celsius"


def test_the_model_and_provider_names_never_appear() -> None:
    failed = exchange("I am Secret-Model-7B and cannot help.", [])
    failed["error"] = f"model '{MODEL}' is overloaded at my-provider"
    case = case_from_stored(CASE, TOOLS, [failed], None, verdict(False), hide=["my-provider"])
    text = everything(verdict_fields(case, show_automated=True))
    for name in ("secret-model", "acme", "my-provider", "0425"):
        assert name not in text.lower()
    assert f"I am {HIDDEN_NAME} and cannot help." in text
    assert "The request failed:" in text


def test_irrelevance_case_judges_the_free_text_answer() -> None:
    case = case_from_stored(IRRELEVANT, TOOLS, [exchange("Why did the chicken...", [])], None, None)
    fields = verdict_fields(case, show_automated=True)
    assert "No tool call is expected" in fields["expected_calls"]
    assert "text: Why did the chicken..." in fields["transcript"]
    assert "(no tool call)" in fields["transcript"]
    assert fields["automated_result"] == "(no automated result)"
    assert case.final_answer == "Why did the chicken..."


def test_malformed_arguments_are_shown_raw() -> None:
    calls = [{"id": "1", "name": "get_weather", "arguments": '{"city": "Par'}]
    case = case_from_stored(CASE, TOOLS, [exchange(None, calls)], None, None)
    assert case.turns[0].calls[0].arguments == '{"city": "Par'


def chain_transcript() -> ChainTranscript:
    return ChainTranscript(
        case_id="chain-1",
        model=MODEL,
        rounds=[
            ChainRound(
                tool_calls=[RecordedToolCall(name="get_time", arguments="{}")],
                results=[{"time": "09:00", "city": "Lisbon"}],
            ),
            ChainRound(
                tool_calls=[RecordedToolCall(name="get_weather", arguments='{"city":"Lisbon"}')],
                results=[{"temp": 21}],
            ),
            ChainRound(content="It is 21 degrees in Lisbon."),
        ],
    )


def live_result() -> LiveCaseResult:
    now = datetime.now(UTC)
    automated = CaseVerdict(
        case_id="chain-1",
        category="multi_turn",
        profile="lenient",
        passed=True,
        tool_selection_precision=1.0,
        tool_selection_recall=1.0,
        tool_selection_f1=1.0,
        argument_accuracy=1.0,
        schema_valid=True,
        format=CallFormat.NATIVE,
        irrelevance_correct=None,
        error_category=None,
        model=MODEL,
    )
    request = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Weather where Ana lives?"}],
    }
    return LiveCaseResult(
        target="my label",
        case_id="chain-1",
        verdict=automated,
        exchanges=[ExchangeRecord(request=request, response={"model": MODEL})],
        transcript=chain_transcript(),
        started_at=now,
        finished_at=now,
    )


def test_multi_turn_from_a_live_result_shows_mock_results_and_final_answer() -> None:
    case = case_from_live(live_result(), CHAIN, TOOLS)
    fields = verdict_fields(case, show_automated=True)
    transcript = fields["transcript"]
    assert transcript.index("Turn 1:") < transcript.index("Turn 2:") < transcript.index("Turn 3:")
    assert 'call get_weather {"city": "Lisbon"}' in transcript
    assert 'result (mock): {"temp": 21}' in transcript
    assert transcript.endswith("Final answer: It is 21 degrees in Lisbon.")
    assert "Expected calls (in this order;" in fields["expected_calls"]
    assert fields["automated_result"] == "Automated check: pass"
    assert "my label" not in everything(fields) and "secret" not in everything(fields)


def test_from_a_stored_detail_dict() -> None:
    detail = {
        "target": "Prod model",
        "case": CHAIN.model_dump(mode="json", exclude_defaults=True),
        "exchanges": [],
        "transcript": chain_transcript().model_dump(mode="json"),
        "verdict": verdict(True),
    }
    case = case_from_detail(detail, TOOLS)
    assert case.case_id == "chain-1" and case.multi_turn
    assert case.opening == (("user", "Weather where Ana lives?"),)  # the case's own messages
    assert [len(turn.calls) for turn in case.turns] == [1, 1, 0]
    assert case.turns[0].calls[0].result == {"time": "09:00", "city": "Lisbon"}


def test_pair_labels_a_and_b() -> None:
    good = [{"id": "1", "name": "get_weather", "arguments": '{"city": "Paris"}'}]
    bad = [{"id": "1", "name": "get_time", "arguments": "{}"}]
    first = case_from_stored(CASE, TOOLS, [exchange(None, good)], None, None)
    second = case_from_stored(CASE, TOOLS, [exchange(None, bad)], None, None)
    fields = render_pair(first, second)
    assert fields["transcript_a"].startswith("Transcript A\n")
    assert "get_weather" in fields["transcript_a"] and "get_time" in fields["transcript_b"]
    swapped = render_pair(second, first)
    assert swapped["transcript_a"].replace("Transcript A", "") == fields["transcript_b"].replace(
        "Transcript B", ""
    )
    assert "secret" not in everything(fields)


def test_token_estimate() -> None:
    assert (estimate_tokens(""), estimate_tokens("abcd"), estimate_tokens("abcde")) == (0, 1, 2)
