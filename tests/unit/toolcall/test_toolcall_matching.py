"""Match modes, with property-based checks of their algebra."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchstudio.toolcall.matching import (
    ArgumentProblem,
    MatchSettings,
    SemanticScorerMissingError,
    canonical_equal,
    contains,
    fuzzy_equal,
    match_value,
    normalize_text,
)
from benchstudio.toolcall.schemas import ArgumentExpectation, MatchMode

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)
EXACT = MatchSettings(default_mode=MatchMode.EXACT)
LENIENT = MatchSettings(MatchMode.FUZZY, fuzzy_threshold=1.0, coerce_numeric_strings=True)


@given(json_values)
def test_canonical_equality_is_reflexive(value: Any) -> None:
    assert canonical_equal(value, value)


@given(json_values, json_values)
def test_canonical_equality_is_symmetric(a: Any, b: Any) -> None:
    assert canonical_equal(a, b) == canonical_equal(b, a)


@given(json_values)
def test_fuzzy_and_contains_accept_the_value_itself(value: Any) -> None:
    assert fuzzy_equal(value, value, threshold=1.0, tolerance=0.0)
    assert contains(value, value)


@given(st.text())
def test_normalization_is_idempotent(text: str) -> None:
    assert normalize_text(normalize_text(text)) == normalize_text(text)


@given(st.lists(st.integers(), max_size=6), st.lists(st.integers(), max_size=6))
def test_a_list_contains_each_of_its_sublists(head: list[int], tail: list[int]) -> None:
    assert contains(head, head + tail)
    assert contains(tail, head + tail)


def test_exact_is_json_equality() -> None:
    assert canonical_equal(1, 1.0)
    assert not canonical_equal(True, 1)
    assert not canonical_equal("1", 1)
    assert canonical_equal({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]})


def test_fuzzy_normalizes_and_tolerates() -> None:
    assert fuzzy_equal("São Paulo", "sao-paulo", threshold=1.0, tolerance=1e-6)
    assert fuzzy_equal(19.99, "19.990", threshold=1.0, tolerance=1e-6)
    assert not fuzzy_equal("Paris", "Pariss", threshold=1.0, tolerance=0)
    assert fuzzy_equal("San Francisco", "San Fransisco", threshold=0.85, tolerance=0)
    assert not fuzzy_equal(100, 101, threshold=1.0, tolerance=1e-3)


def test_contains_is_one_way() -> None:
    assert contains("vegetarian", "Needs a VEGETARIAN meal")
    assert not contains("Needs a vegetarian meal", "vegetarian")
    assert contains({"a": 1}, {"a": 1, "b": 2})
    assert not contains({"a": 1, "b": 2}, {"a": 1})


def test_match_value_modes_and_problems() -> None:
    city = ArgumentExpectation(acceptable=["Paris"])
    assert match_value("city", "paris", city, LENIENT).passed
    assert not match_value("city", "paris", city, EXACT).passed
    assert match_value("city", 5, city, EXACT).problem is ArgumentProblem.TYPE
    assert match_value("city", "Rome", city, EXACT).problem is ArgumentProblem.WRONG
    ignored = ArgumentExpectation(match=MatchMode.IGNORE)
    assert match_value("x", {"anything": 1}, ignored, EXACT).passed


def test_nested_object_expectations() -> None:
    traveller = ArgumentExpectation(
        objects=[
            {
                "name": ArgumentExpectation(acceptable=["Ada"]),
                "seat": ArgumentExpectation(acceptable=["window"], omittable=True),
            }
        ]
    )
    assert match_value("t", {"name": "Ada"}, traveller, EXACT).passed
    assert not match_value("t", {"name": "Ada", "x": 1}, traveller, EXACT).passed
    assert not match_value("t", {"seat": "window"}, traveller, EXACT).passed


def test_semantic_needs_an_injected_scorer() -> None:
    expectation = ArgumentExpectation(acceptable=["a cheap hotel"], match=MatchMode.SEMANTIC)
    with pytest.raises(SemanticScorerMissingError):
        match_value("query", "budget lodging", expectation, EXACT)
    scorer_settings = MatchSettings(MatchMode.EXACT, semantic_lookup=lambda expected, actual: 0.9)
    assert match_value("query", "budget lodging", expectation, scorer_settings).passed
