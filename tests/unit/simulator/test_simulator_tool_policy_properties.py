"""Property tests: emitted arguments always validate; decisions and mistakes are deterministic
per (seed, prompt); mistakes come at their stated rates."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from benchstudio.simulator.chat_request import parse_openai
from benchstudio.simulator.tool_mistakes import ACCURACY_PRESETS, MISTAKE_KINDS, MistakeRates
from benchstudio.simulator.tool_policy import ToolPolicyConfig, decide

NAMES = [
    "city",
    "amount",
    "date",
    "count",
    "flag",
    "mode",
    "tags",
    "info",
    "to",
    "from_unit",
    "email",
]
WORDS = [
    "Paris",
    "Tokyo",
    "in",
    "for",
    "to",
    "from",
    "and",
    "city",
    "amount",
    "count",
    "mode",
    "fast",
    "slow",
    "7",
    "19.99",
    "-3",
    "2026-03-14",
    "March 4, 2026",
    "'quoted text'",
    "bob@example.com",
    "LH1234",
    "USD",
    "not",
    "flag",
    "info",
    "that",
    "tags",
    "one",
]


def _bounded(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    numbers = st.integers(-5, 20) if kind == "integer" else st.floats(-5, 20, allow_nan=False)

    def schema(bounds: tuple[float | None, float | None]) -> dict[str, Any]:
        low, high = bounds
        out: dict[str, Any] = {"type": kind}
        if low is not None:
            out["minimum"] = low
        if high is not None:
            out["maximum"] = high if low is None else max(high, low + 1)
        return out

    return st.tuples(st.none() | numbers, st.none() | numbers).map(schema)


SCALARS: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.just({"type": "string"}),
    st.just({"type": "string", "format": "date"}),
    st.just({"type": "string", "format": "date-time"}),
    st.just({"type": "string", "format": "email"}),
    st.lists(st.sampled_from(["fast", "slow", "auto", "Paris"]), min_size=1, unique=True).map(
        lambda members: {"type": "string", "enum": members}
    ),
    st.lists(st.integers(0, 9), min_size=1, max_size=3, unique=True).map(
        lambda members: {"type": "integer", "enum": members}
    ),
    _bounded("integer"),
    _bounded("number"),
    st.just({"type": "boolean"}),
    st.just({"type": "array", "items": {"type": "string"}}),
    st.just({"type": "array", "items": {"type": "integer", "minimum": 0}}),
)


def _object(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    properties = st.dictionaries(st.sampled_from(NAMES), children, min_size=1, max_size=5)

    def build(props: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
        required = data.draw(st.lists(st.sampled_from(sorted(props)), unique=True))
        return {"type": "object", "properties": props, "required": required}

    return st.builds(build, properties, st.data())


SCHEMAS = _object(st.one_of(SCALARS, _object(SCALARS)))
PROMPTS = st.lists(st.sampled_from(WORDS) | st.text(max_size=12), max_size=14).map(" ".join)
CHECK = Draft7Validator.FORMAT_CHECKER


def _request(prompt: str, parameters: dict[str, Any], **extra: Any) -> Any:
    tool = {
        "type": "function",
        "function": {"name": "do_thing", "description": "Do the thing.", "parameters": parameters},
    }
    other = {
        "type": "function",
        "function": {"name": "other", "parameters": {"type": "object", "properties": {}}},
    }
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": prompt or "x"}],
        "tools": [tool, other],
        **extra,
    }
    return parse_openai(body)


@settings(max_examples=300, deadline=None)
@given(SCHEMAS, PROMPTS)
def test_arguments_always_validate_against_the_schema(
    parameters: dict[str, Any], prompt: str
) -> None:
    request = _request(
        prompt, parameters, tool_choice={"type": "function", "function": {"name": "do_thing"}}
    )
    decision = decide(request, ToolPolicyConfig(accuracy="perfect"), 0)
    assert decision.calls
    for name, arguments in decision.calls:
        assert name == "do_thing"
        errors = [
            e.message
            for e in Draft7Validator(parameters, format_checker=CHECK).iter_errors(arguments)
        ]
        assert not errors, (arguments, errors)


@settings(max_examples=100, deadline=None)
@given(SCHEMAS, PROMPTS, st.integers(0, 2**32))
def test_decisions_are_deterministic_per_seed_and_prompt(
    parameters: dict[str, Any], prompt: str, seed: int
) -> None:
    config = ToolPolicyConfig(accuracy="sloppy")
    first = decide(_request(prompt, parameters, tool_choice="required"), config, seed)
    again = decide(_request(prompt, parameters, tool_choice="required"), config, seed)
    assert first == again


def test_mistakes_come_at_their_stated_rates() -> None:
    rates = MistakeRates(
        no_call=0.1, wrong_tool=0.05, missing_argument=0.1, extra_argument=0.05, wrong_argument=0.1
    )
    config = ToolPolicyConfig(mistakes=rates)
    weather = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    draws = 4000
    seen: Counter[str | None] = Counter()
    for index in range(draws):
        decision = decide(_request(f"Do the thing in Paris, request {index}", weather), config, 7)
        seen[decision.mistake] += 1
        if decision.mistake == "no_call":
            assert decision.calls == []
        elif decision.mistake == "wrong_tool":
            assert decision.calls[0][0] == "other"
        elif decision.mistake == "missing_argument":
            assert decision.calls[0][1] == {}
        elif decision.mistake == "extra_argument":
            assert set(decision.calls[0][1]) == {"city", "include_details"}
        elif decision.mistake == "wrong_argument":
            assert decision.calls[0][1] != {"city": "Paris"}
        else:
            assert decision.calls == [("do_thing", {"city": "Paris"})]
    for kind in MISTAKE_KINDS:
        assert abs(seen[kind] / draws - getattr(rates, kind)) < 0.025, (kind, seen)


def test_presets_state_their_rates() -> None:
    assert ACCURACY_PRESETS["perfect"].total == 0
    assert round(ACCURACY_PRESETS["accurate"].total, 9) == 0.1
    assert round(ACCURACY_PRESETS["sloppy"].total, 9) == 0.4


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "properties",
                    "required",
                    "enum",
                    "items",
                    "default",
                    "format",
                    "minimum",
                    "maximum",
                    "city",
                    "x",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["type", "properties", "required", "x"]), JSON), PROMPTS)
def test_any_json_as_parameters_never_breaks_a_decision(
    parameters: dict[str, Any], prompt: str
) -> None:
    request = _request(prompt, parameters, tool_choice="required")
    decision = decide(request, ToolPolicyConfig(accuracy="sloppy"), 3)
    for _name, arguments in decision.calls:
        assert isinstance(arguments, dict)
