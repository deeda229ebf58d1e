"""BFCL's checker rules as documented in the spec (each verified against BFCL itself)."""

from __future__ import annotations

from typing import Any

import pytest

from benchstudio.toolcall.bfcl_rules import (
    BfclDoc,
    BfclExpectation,
    BfclParam,
    check_call,
    check_calls,
    standardize_string,
)

DOC = BfclDoc(
    name="get_weather",
    properties={
        "city": BfclParam("string"),
        "days": BfclParam("integer"),
        "scale": BfclParam("float"),
        "metric": BfclParam("boolean"),
        "hours": BfclParam("array", "integer"),
        "weights": BfclParam("array", "float"),
        "options": BfclParam("dict"),
        "unlisted": BfclParam("string"),
    },
    required=["city"],
)
ANSWER: dict[str, list[Any]] = {
    "city": ["New York"],
    "days": [3, ""],
    "scale": [2.0, ""],
    "metric": [True, ""],
    "hours": [[1, 2, 3], ""],
    "weights": [[1.5, 2.5]],
    "options": [{"size": ["large"], "temp": ["hot", ""]}, ""],
}
BASE = {"city": "New York", "weights": [1.5, 2.5]}


def passes(**changes: Any) -> bool:
    arguments = {**BASE, **changes}
    return check_call(DOC, "get_weather", arguments, ANSWER).valid


@pytest.mark.parametrize("city", ["new-york", "NewYork", "New_York.", "  New York", "new york"])
def test_strings_are_standardized(city: str) -> None:
    assert passes(city=city)


@pytest.mark.parametrize("city", ["New York!", "New York City", "Nueva York"])
def test_other_strings_fail(city: str) -> None:
    assert not passes(city=city)


@pytest.mark.parametrize(
    ("argument", "value", "expected"),
    [
        ("scale", 2, True),  # int for float is converted
        ("days", 3.0, False),  # float for int is not
        ("days", "3", False),  # strings are never coerced
        ("days", True, False),  # a bool is not an integer
        ("metric", 1, False),  # an int is not a bool
        ("hours", [3, 2, 1], False),  # list order matters
        ("hours", [1, 2, 3], True),
        ("options", {"size": "large"}, True),  # dict key with "" may be omitted
        ("options", {"size": "large", "extra": 1}, False),
        ("options", {"size": "LARGE", "temp": "hot"}, True),  # first level is standardized
        ("unlisted", "x", False),  # a schema parameter the answer does not list
        ("weights", [1, 2], False),  # no int->float inside lists
    ],
)
def test_documented_rules(argument: str, value: Any, expected: bool) -> None:
    assert passes(**{argument: value}) is expected


def test_optional_parameter_may_be_omitted_and_required_may_not() -> None:
    assert passes()
    assert not check_call(DOC, "get_weather", {"weights": [1.5, 2.5]}, ANSWER).valid


def test_dotted_name_fails_for_function_calling_models() -> None:
    assert not check_call(DOC, "get.weather", BASE, ANSWER).valid


def test_string_answer_for_integer_parameter_is_a_variable() -> None:
    answer = {**ANSWER, "days": ["num_days"]}
    assert check_call(DOC, "get_weather", {**BASE, "days": "num_days"}, answer).valid
    assert not check_call(DOC, "get_weather", {**BASE, "days": 3}, answer).valid


def test_nested_type_check_is_vacuous_when_omittable() -> None:
    doc = BfclDoc("f", {"xs": BfclParam("array", "float")}, [])
    assert check_call(doc, "f", {"xs": [1, 2]}, {"xs": [[1, 2], ""]}).valid
    assert not check_call(doc, "f", {"xs": [1, 2]}, {"xs": [[1.0, 2.0]]}).valid


def test_standardize_string() -> None:
    assert standardize_string("It's New-York, 2024/01") == 'it"snewyork202401'


def _expect(city: str) -> BfclExpectation:
    doc = BfclDoc("w", {"city": BfclParam("string")}, ["city"])
    return BfclExpectation(doc, {"city": [city]})


def test_parallel_is_greedy_first_fit() -> None:
    # The first expectation accepts either city; greedy consumes the first call it fits.
    doc = BfclDoc("w", {"city": BfclParam("string")}, ["city"])
    either = BfclExpectation(doc, {"city": ["Paris", "Rome"]})
    rome = _expect("Rome")
    calls = [("w", {"city": "Rome"}), ("w", {"city": "Paris"})]
    result, _ = check_calls("parallel", calls, [either, rome])
    assert not result.valid  # a maximum matching would pass; BFCL does not
    result, pairing = check_calls("parallel", list(reversed(calls)), [either, rome])
    assert result.valid
    assert pairing == [0, 1]


def test_multiple_category_checks_only_the_first_call_and_needs_equal_counts() -> None:
    calls = [("w", {"city": "Paris"}), ("w", {"city": "Rome"})]
    assert not check_calls("multiple", calls, [_expect("Paris")])[0].valid
    assert check_calls("multiple", calls[:1], [_expect("Paris")])[0].valid


def test_simple_category_needs_exactly_one_call() -> None:
    assert not check_calls("simple_python", [], [_expect("Paris")])[0].valid
    assert check_calls("live_simple", [("w", {"city": "paris"})], [_expect("Paris")])[0].valid
