"""The tool policy: which tool a prompt asks for, its arguments, tool_choice, chains, text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from benchstudio.simulator.chat_request import parse_anthropic, parse_gemini, parse_openai
from benchstudio.simulator.tool_args import fill_arguments
from benchstudio.simulator.tool_policy import Decision, ToolPolicyConfig, decide
from benchstudio.simulator.tool_select import score_tools, words
from benchstudio.simulator.tool_values import find_values

PERFECT = ToolPolicyConfig(accuracy="perfect")


def tool(name: str, description: str, properties: dict[str, Any], *required: str) -> dict[str, Any]:
    parameters = {"type": "object", "properties": properties, "required": list(required)}
    return {
        "type": "function",
        "function": {"name": name, "description": description, "parameters": parameters},
    }


WEATHER = tool(
    "get_weather",
    "Current weather for a city.",
    {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    "city",
)
CURRENCY = tool(
    "convert_currency",
    "Convert an amount between currencies.",
    {
        "amount": {"type": "number"},
        "from_currency": {"type": "string"},
        "to_currency": {"type": "string"},
    },
    "amount",
    "from_currency",
    "to_currency",
)
SEARCH = tool(
    "search_flights",
    "Find flights between two airports on a date.",
    {
        "origin": {"type": "string"},
        "destination": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "passengers": {"type": "integer", "minimum": 1, "default": 1},
    },
    "origin",
    "destination",
    "date",
)
BOOK = tool(
    "book_flight",
    "Book a flight found by search_flights.",
    {"flight_id": {"type": "string"}, "passenger": {"type": "string"}},
    "flight_id",
    "passenger",
)
EMAIL = tool(
    "sendEmail",
    "Send an e-mail message.",
    {
        "to": {"type": "string", "format": "email"},
        "subject": {"type": "string"},
        "urgent": {"type": "boolean"},
    },
    "to",
    "subject",
)
TOOLS = [WEATHER, CURRENCY, SEARCH, BOOK, EMAIL]


def ask(prompt: str, tools: list[dict[str, Any]] = TOOLS, **extra: Any) -> Decision:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": prompt}],
        "tools": tools,
        **extra,
    }
    return decide(parse_openai(body), PERFECT, 0)


def test_identifiers_split_into_stemmed_words() -> None:
    assert words("get_weather sendEmail Flights searching") == [
        "get",
        "weather",
        "send",
        "email",
        "flight",
        "search",
    ]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("Is it going to rain in Oslo?", "get_weather"),
        ("How much is 20 dollars in yen?", "convert_currency"),
        ("Search flights from Oslo to Rome on 2026-05-02", "search_flights"),
        ("Email alice@example.org with subject 'Hi'", "sendEmail"),
        ("Book flight SK4711 for Grace Hopper", "book_flight"),
    ],
)
def test_the_tool_that_fits_the_prompt_is_picked(prompt: str, expected: str) -> None:
    decision = ask(prompt)
    assert [name for name, _args in decision.calls] == [expected]


def test_ties_go_to_the_tool_offered_first() -> None:
    twin = tool(
        "get_weather_copy", "Current weather for a city.", {"city": {"type": "string"}}, "city"
    )
    ranked = score_tools(
        "weather in Paris",
        [
            parse_openai(
                {
                    "model": "m",
                    "messages": [{"role": "user", "content": "x"}],
                    "tools": [WEATHER, twin],
                }
            ).tools[i]
            for i in (0, 1)
        ],
    )
    assert ranked[0].tool.name == "get_weather"


def test_no_fitting_tool_gives_a_text_answer() -> None:
    assert ask("Write a haiku about autumn leaves.") == Decision()


def test_tool_choice_none_required_and_named() -> None:
    assert ask("Weather in Paris?", tool_choice="none").calls == []
    forced = ask("Write a haiku.", tool_choice="required")
    assert len(forced.calls) == 1
    named = ask(
        "Weather in Paris?", tool_choice={"type": "function", "function": {"name": "sendEmail"}}
    )
    assert [name for name, _ in named.calls] == ["sendEmail"]


def test_arguments_from_the_prompt() -> None:
    calls = ask("Find flights from Oslo to Rome on 2 May 2026 for 3 passengers").calls
    assert calls == [
        (
            "search_flights",
            {"origin": "Oslo", "destination": "Rome", "date": "2026-05-02", "passengers": 3},
        )
    ]
    ((_name, args),) = ask("How much is 19.99 EUR in USD?").calls
    assert args == {"amount": 19.99, "from_currency": "EUR", "to_currency": "USD"}
    ((_name, args),) = ask('Send an email to bob@example.com, subject "Lunch", urgent').calls
    assert args == {"to": "bob@example.com", "subject": "Lunch", "urgent": True}
    ((_name, args),) = ask("Send an email to bob@example.com with subject 'Hi', not urgent").calls
    assert args["urgent"] is False


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-03-14", "2026-03-14"),
        ("March 14, 2026", "2026-03-14"),
        ("14th of March 2026", "2026-03-14"),
        ("14/03/2026", "2026-03-14"),
        ("03/14/2026", "2026-03-14"),
        ("2026/3/4", "2026-03-04"),
    ],
)
def test_dates_in_common_forms_become_iso(text: str, iso: str) -> None:
    assert [v.value for v in find_values(f"on {text} please") if v.kind == "date"] == [iso]


def test_required_arguments_fall_back_to_defaults_and_types() -> None:
    schema = {
        "type": "object",
        "properties": {
            "mode": {"type": "string", "enum": ["fast", "slow"], "default": "slow"},
            "count": {"type": "integer", "minimum": 5},
            "ratio": {"type": "number"},
            "flag": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["mode", "count", "ratio", "flag", "tags"],
    }
    args, _filler = fill_arguments("do it", schema)
    assert args == {"mode": "slow", "count": 5, "ratio": 1.0, "flag": False, "tags": []}
    typed, _filler = fill_arguments("count 7 and ratio 2 please, mode fast", schema)
    assert typed["count"] == 7 and typed["ratio"] == 2 and typed["mode"] == "fast"
    clamped, _filler = fill_arguments("count 2", schema)
    assert clamped["count"] == 5


def test_parallel_calls_for_several_values_and_several_tools() -> None:
    same = ask("Compare the weather in Tokyo and in Osaka, in fahrenheit.").calls
    assert same == [
        ("get_weather", {"city": "Tokyo", "unit": "fahrenheit"}),
        ("get_weather", {"city": "Osaka", "unit": "fahrenheit"}),
    ]
    mixed = ask("What's the weather in Paris and convert 10 USD to EUR").calls
    assert [name for name, _ in mixed] == ["get_weather", "convert_currency"]
    assert mixed[1][1] == {"amount": 10, "from_currency": "USD", "to_currency": "EUR"}
    single = ask("Compare the weather in Tokyo and in Osaka.", parallel_tool_calls=False).calls
    assert single == [("get_weather", {"city": "Tokyo"})]


def _chain(*turns: dict[str, Any]) -> dict[str, Any]:
    prompt = (
        "Search flights from Oslo to Rome on 2026-05-02, then book the first one for Grace Hopper"
    )
    return {"model": "m", "messages": [{"role": "user", "content": prompt}, *turns], "tools": TOOLS}


def test_a_chain_calls_one_tool_per_turn_then_summarises() -> None:
    first = decide(parse_openai(_chain()), PERFECT, 0)
    assert first.calls == [
        ("search_flights", {"origin": "Oslo", "destination": "Rome", "date": "2026-05-02"})
    ]
    searched = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "search_flights", "arguments": "{}"},
            }
        ],
    }
    result = {
        "role": "tool",
        "tool_call_id": "c1",
        "content": json.dumps({"flights": [{"flight_id": "SK4711"}]}),
    }
    second = decide(parse_openai(_chain(searched, result)), PERFECT, 0)
    assert second.calls == [("book_flight", {"flight_id": "SK4711", "passenger": "Grace Hopper"})]
    booked = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c2", "type": "function", "function": {"name": "book_flight", "arguments": "{}"}}
        ],
    }
    done = {"role": "tool", "tool_call_id": "c2", "content": '{"reference": "BS-1"}'}
    third = decide(parse_openai(_chain(searched, result, booked, done)), PERFECT, 0)
    assert third.calls == [] and third.text is not None and "BS-1" in third.text


def test_anthropic_and_gemini_requests_get_the_same_decision() -> None:
    prompt = "What's the weather in Paris?"
    anthropic = parse_anthropic(
        {
            "model": "m",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": prompt}],
            "tools": [
                {
                    "name": "get_weather",
                    "description": "Current weather for a city.",
                    "input_schema": WEATHER["function"]["parameters"],
                }
            ],
        }
    )
    gemini = parse_gemini(
        {
            "contents": [{"role": "user", "parts": [{"text": prompt}]}],
            "tools": [
                {
                    "functionDeclarations": [
                        {
                            "name": "get_weather",
                            "description": "Current weather for a city.",
                            "parameters": WEATHER["function"]["parameters"],
                        }
                    ]
                }
            ],
        },
        "m",
        False,
    )
    for request in (anthropic, gemini):
        assert decide(request, PERFECT, 0).calls == [("get_weather", {"city": "Paris"})]


def test_the_cli_flags_set_the_tool_policy_and_prefill(tmp_path: Any) -> None:
    from benchstudio.cli.demo_simulator import demo_config
    from benchstudio.cli.simulate_cmd import _build_config, _tool_policy

    sloppy = _build_config(
        None, {"tool_policy": _tool_policy("sloppy"), "prefill_ms_per_1k_tokens": 40}
    )
    assert (
        sloppy.default.tool_policy is not None and sloppy.default.tool_policy.accuracy == "sloppy"
    )
    assert sloppy.default.prefill_ms_per_1k_tokens == 40
    path = tmp_path / "demo.yaml"
    path.write_text(demo_config().read_text())
    off = _build_config(path, {"tool_policy": _tool_policy("off")})
    assert off.default.tool_policy is None and off.default.tool_script
    demo = _build_config(path, {})
    assert demo.default.tool_policy is not None and demo.default.prefill_ms_per_1k_tokens > 0
    assert demo.profile_for("benchstudio-sim-sloppy").tool_policy is not None
