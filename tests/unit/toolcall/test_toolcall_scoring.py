"""Case scoring across profiles, on the shipped sample suite and small inline cases."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchstudio.toolcall.outputs import CallFormat, ModelOutput
from benchstudio.toolcall.profiles import get_profile
from benchstudio.toolcall.samples import sample_suite_text
from benchstudio.toolcall.schemas import ArgumentExpectation, MatchMode, Suite, TestCase
from benchstudio.toolcall.scoring import score_case, tool_selection
from benchstudio.toolcall.suite_file import parse_suite
from benchstudio.toolcall.verdicts import CaseVerdict, ErrorCategory

SUITE = parse_suite(sample_suite_text())
PARIS = ("get_weather", {"city": "Paris"})
CASES = {case.id: case for case in SUITE.cases}
PROFILES = ["bfcl", "strict", "lenient"]


def output(case_id: str, *calls: tuple[str, Any], content: str | None = None) -> ModelOutput:
    tool_calls = [
        {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)}
        for name, args in calls
    ]
    return ModelOutput(case_id=case_id, tool_calls=tool_calls, content=content)


def score(case_id: str, recorded: ModelOutput, profile: str = "lenient") -> CaseVerdict:
    case = CASES[case_id]
    return score_case(case, SUITE.tools_for(case), recorded, get_profile(profile))


def gold_value(expectation: ArgumentExpectation, rng: random.Random) -> Any:
    if expectation.acceptable:
        return rng.choice(expectation.acceptable)
    if expectation.objects:
        shape = rng.choice(expectation.objects)
        return {
            key: gold_value(inner, rng)
            for key, inner in shape.items()
            if inner.acceptable or inner.objects
        }
    return None


def gold_output(case: TestCase, rng: random.Random) -> ModelOutput:
    calls = []
    for expected in case.expected_calls:
        arguments = {}
        for name, expectation in expected.arguments.items():
            if expectation.match is MatchMode.IGNORE or (
                expectation.omittable and rng.random() < 0.5
            ):
                continue
            arguments[name] = gold_value(expectation, rng)
        calls.append((expected.name, arguments))
    if case.order.value != "ordered":
        rng.shuffle(calls)
    return output(case.id, *calls)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([c.id for c in SUITE.cases if c.expected_calls]), st.randoms())
def test_any_gold_answer_passes_every_profile(case_id: str, rng: random.Random) -> None:
    recorded = gold_output(CASES[case_id], rng)
    for profile in PROFILES:
        verdict = score(case_id, recorded, profile)
        assert verdict.passed, (profile, verdict.explanation)
        assert verdict.tool_selection_f1 == 1.0
        assert verdict.argument_accuracy == 1.0


# Hand-computed: hits = size of the multiset intersection, P = hits/|called|,
# R = hits/|expected|, F1 = 2PR/(P+R).
@pytest.mark.parametrize(
    ("called", "expected", "precision", "recall", "f1"),
    [
        ([], [], 1.0, 1.0, 1.0),  # nothing expected, nothing called
        (["b", "a"], ["a", "b"], 1.0, 1.0, 1.0),  # order does not matter
        (["a", "a", "b"], ["a", "b"], 2 / 3, 1.0, 4 / 5),  # one extra call
        (["a"], ["a", "b"], 1.0, 1 / 2, 2 / 3),  # one missing call
        (["a", "c"], ["a", "b", "b"], 1 / 2, 1 / 3, 2 / 5),  # partial overlap
        (["a", "a", "a", "b"], ["a", "a", "b", "b", "c"], 3 / 4, 3 / 5, 2 / 3),  # multisets
        (["c"], ["a"], 0.0, 0.0, 0.0),  # wrong tool
        ([], ["a"], 0.0, 0.0, 0.0),  # no call made
        (["a"], [], 0.0, 0.0, 0.0),  # a call where none was expected
    ],
)
def test_tool_selection_known_values(
    called: list[str], expected: list[str], precision: float, recall: float, f1: float
) -> None:
    scores = tool_selection(called, expected)
    assert scores.precision == pytest.approx(precision)
    assert scores.recall == pytest.approx(recall)
    assert scores.f1 == pytest.approx(f1)


@given(
    st.lists(st.sampled_from(["a", "b", "c"]), max_size=5),
    st.lists(st.sampled_from(["a", "b", "c"]), max_size=5),
)
def test_tool_selection_properties(called: list[str], expected: list[str]) -> None:
    scores = tool_selection(called, expected)
    swapped = tool_selection(expected, called)
    # Precision one way is recall the other way; F1 is symmetric.
    assert scores.precision == pytest.approx(swapped.recall)
    assert scores.recall == pytest.approx(swapped.precision)
    assert scores.f1 == pytest.approx(swapped.f1)
    # F1 is 1.0 exactly when the multisets are equal, and lies between P and R otherwise.
    assert (scores.f1 == 1.0) == (sorted(called) == sorted(expected))
    low, high = sorted([scores.precision, scores.recall])
    assert low - 1e-12 <= scores.f1 <= high + 1e-12


@pytest.mark.parametrize("profile", PROFILES)
def test_verdict_reports_precision_and_recall_off_the_diagonal(profile: str) -> None:
    # Two calls for one expected: precision 1/2, recall 1, F1 2/3.
    extra = score("weather-single", output("weather-single", PARIS, PARIS), profile)
    assert (extra.tool_selection_precision, extra.tool_selection_recall) == (0.5, 1.0)
    assert extra.tool_selection_f1 == pytest.approx(2 / 3)
    # One call for two expected: precision 1, recall 1/2, F1 2/3.
    missing = score("weather-parallel", output("weather-parallel", PARIS), profile)
    assert (missing.tool_selection_precision, missing.tool_selection_recall) == (1.0, 0.5)
    assert missing.tool_selection_f1 == pytest.approx(2 / 3)
    # search_flights + book_flight expected, search_flights + get_weather called: 1/2, 1/2.
    search = ("search_flights", {"origin": "OSL", "destination": "FCO", "date": "2026-05-02"})
    chain = "chain-search-then-book"
    swapped = score(chain, output(chain, search, PARIS), profile)
    assert (swapped.tool_selection_precision, swapped.tool_selection_recall) == (0.5, 0.5)
    assert swapped.tool_selection_f1 == pytest.approx(0.5)
    assert not (extra.passed or missing.passed or swapped.passed)


def test_irrelevance_case() -> None:
    assert score("irrelevant-poem", output("irrelevant-poem", content="Waves...")).passed
    verdict = score("irrelevant-poem", output("irrelevant-poem", PARIS))
    assert not verdict.passed
    assert verdict.error_category is ErrorCategory.UNWANTED_CALL
    assert verdict.irrelevance_correct is False


@pytest.mark.parametrize("profile", PROFILES)
def test_failed_api_call_is_a_failed_case(profile: str) -> None:
    recorded = ModelOutput(case_id="weather-single", error="HTTP 500")
    verdict = score("weather-single", recorded, profile)
    assert not verdict.passed
    assert verdict.error_category is ErrorCategory.API_ERROR
    assert "500" not in " ".join(verdict.explanation)  # raw errors are not echoed


def test_bad_json_and_hallucinated_tools() -> None:
    bad = score("weather-single", output("weather-single", ("get_weather", '{"city": ')))
    assert bad.error_category is ErrorCategory.BAD_JSON
    assert bad.format is CallFormat.FAILED
    made_up = score("weather-single", output("weather-single", ("weather_now", {"city": "Paris"})))
    assert made_up.error_category is ErrorCategory.HALLUCINATED_TOOL
    assert made_up.hallucinated_tools == ["weather_now"]


def test_calls_written_as_text_pass_only_in_lenient() -> None:
    text = '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'
    recorded = output("weather-single", content=text)
    assert score("weather-single", recorded, "lenient").passed
    assert score("weather-single", recorded, "lenient").format is CallFormat.RECOVERED
    assert score("weather-single", recorded, "strict").error_category is ErrorCategory.BAD_FORMAT
    assert not score("weather-single", recorded, "bfcl").passed


def test_lenient_normalizes_where_strict_does_not() -> None:
    recorded = output(
        "flight-search-superset",
        (
            "search_flights",
            {"origin": "lis", "destination": "BER", "date": "2026-03-14", "passengers": "2"},
        ),
    )
    assert score("flight-search-superset", recorded, "lenient").passed
    strict = score("flight-search-superset", recorded, "strict")
    assert strict.error_category is ErrorCategory.WRONG_ARGUMENT
    assert strict.argument_accuracy == pytest.approx(0.5)


def test_order_rules() -> None:
    search = ("search_flights", {"origin": "OSL", "destination": "FCO", "date": "2026-05-02"})
    book = (
        "book_flight",
        {
            "flight_id": "SK4711",
            "traveller": {"name": "Grace Hopper", "email": "grace@example.org"},
        },
    )
    chain = "chain-search-then-book"
    assert score(chain, output(chain, search, book)).passed
    assert score(chain, output(chain, book, search)).error_category is ErrorCategory.WRONG_ORDER
    # superset: extra calls allowed; unordered: not.
    flight = (
        "search_flights",
        {"origin": "LIS", "destination": "BER", "date": "2026-03-14", "passengers": 2},
    )
    superset = "flight-search-superset"
    assert score(superset, output(superset, ("get_weather", {"city": "Berlin"}), flight)).passed
    extra = score("weather-single", output("weather-single", PARIS, PARIS))
    assert extra.error_category is ErrorCategory.WRONG_CALL_COUNT


def test_parallel_calls_use_maximum_matching_in_lenient() -> None:
    suite = Suite.model_validate(
        {
            "name": "t",
            "tools": json.loads(sample_suite_text())["tools"],
            "cases": [
                {
                    "id": "p",
                    "prompt": "x",
                    "category": "own",
                    "expected_calls": [
                        {
                            "name": "get_weather",
                            "arguments": {"city": {"acceptable": ["Paris", "Rome"]}},
                        },
                        {"name": "get_weather", "arguments": {"city": {"acceptable": ["Rome"]}}},
                    ],
                }
            ],
        }
    )
    case = suite.cases[0]
    recorded = output("p", ("get_weather", {"city": "Rome"}), PARIS)
    assert score_case(case, suite.tools, recorded, get_profile("lenient")).passed
    assert not score_case(case, suite.tools, recorded, get_profile("bfcl")).passed


def test_unexpected_optional_argument_is_allowed_only_in_lenient() -> None:
    suite = Suite.model_validate(
        {
            "name": "t",
            "tools": json.loads(sample_suite_text())["tools"],
            "cases": [
                {
                    "id": "o",
                    "prompt": "x",
                    "expected_calls": [
                        {"name": "get_weather", "arguments": {"city": {"acceptable": ["Paris"]}}}
                    ],
                }
            ],
        }
    )
    case = suite.cases[0]
    with_unit = output("o", ("get_weather", {"city": "Paris", "unit": "celsius"}))
    assert score_case(case, suite.tools, with_unit, get_profile("lenient")).passed
    strict = score_case(case, suite.tools, with_unit, get_profile("strict"))
    assert strict.error_category is ErrorCategory.EXTRA_ARGUMENT
    bad_unit = output("o", ("get_weather", {"city": "Paris", "unit": "kelvin"}))
    assert not score_case(case, suite.tools, bad_unit, get_profile("lenient")).passed
