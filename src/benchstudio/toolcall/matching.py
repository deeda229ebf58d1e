"""Argument match modes: is this value one of the acceptable ones? (pure functions)"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

from benchstudio.toolcall.bfcl_bridge import bfcl_acceptable, bfcl_param
from benchstudio.toolcall.bfcl_rules import check_param
from benchstudio.toolcall.schemas import ArgumentExpectation, MatchMode

# Threshold for an argument that asks for `fuzzy` without saying how fuzzy.
DEFAULT_FUZZY_THRESHOLD = 0.85
DEFAULT_NUMERIC_TOLERANCE = 1e-6
DEFAULT_SEMANTIC_THRESHOLD = 0.5


# Similarity of (expected text, actual text), filled by an async pre-pass (embeddings or a
# judge); None: no similarity is known for that pair (the scorer then fails the value).
SemanticLookup = Callable[[str, str], float | None]


class SemanticScorerMissingError(RuntimeError):
    """A case asks for semantic matching but no scorer was given."""


class ArgumentProblem(StrEnum):
    MISSING = "missing_argument"
    EXTRA = "extra_argument"
    TYPE = "type_error"
    WRONG = "wrong_argument"


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """How a profile compares values when an argument does not say otherwise."""

    default_mode: MatchMode
    # Threshold for arguments that fall back to `fuzzy` through `default_mode`.
    fuzzy_threshold: float = 1.0
    numeric_tolerance: float = DEFAULT_NUMERIC_TOLERANCE
    coerce_numeric_strings: bool = False
    semantic_lookup: SemanticLookup | None = None
    semantic_threshold: float = DEFAULT_SEMANTIC_THRESHOLD


@dataclass(frozen=True, slots=True)
class ComparedValue:
    """One `semantic` value compared: its path in the argument (`city`, `address.city`,
    `items[1].name`), the best similarity (None: unknown), the threshold, and the texts
    compared for that similarity (expected, actual)."""

    path: str
    similarity: float | None
    threshold: float
    passed: bool
    expected: str | None = None
    actual: str | None = None


@dataclass(frozen=True, slots=True)
class ValueVerdict:
    passed: bool
    problem: ArgumentProblem | None = None
    detail: str = ""
    # `semantic` arguments: the best similarity among the acceptable values, and the texts
    # compared for it (expected, actual).
    similarity: float | None = None
    compared: tuple[str, str] | None = None
    # Every `semantic` value compared for this verdict, the value itself and nested ones.
    semantic: tuple[ComparedValue, ...] = ()


PASSED = ValueVerdict(True)


def canonical_equal(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (1 == 1.0), booleans are not numbers, order of keys free."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(canonical_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(canonical_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)


def normalize_text(text: str) -> str:
    """Casefold, strip accents, turn punctuation and runs of spaces into one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _PUNCTUATION.sub(" ", stripped.casefold()).strip()


def _as_number(value: Any, coerce_strings: bool) -> float | None:
    if _is_number(value):
        return float(value)
    if coerce_strings and isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def numbers_close(a: float, b: float, tolerance: float) -> bool:
    """Within `tolerance`, relative to the larger magnitude (absolute below 1)."""
    if a == b:  # also covers equal infinities, whose difference is NaN
        return True
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def fuzzy_equal(expected: Any, actual: Any, threshold: float, tolerance: float) -> bool:
    """Normalised strings with a similarity threshold; numbers (and numeric strings) with a
    tolerance; booleans also as "true"/"false"; lists and objects element by element."""
    expected_number = _as_number(expected, coerce_strings=True)
    actual_number = _as_number(actual, coerce_strings=True)
    if expected_number is not None and actual_number is not None:
        return numbers_close(expected_number, actual_number, tolerance)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return normalize_text(str(expected)) == normalize_text(str(actual))
    if isinstance(expected, str) and isinstance(actual, str):
        left, right = normalize_text(expected), normalize_text(actual)
        if left == right:
            return True
        return threshold < 1.0 and SequenceMatcher(None, left, right).ratio() >= threshold
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            fuzzy_equal(e, a, threshold, tolerance) for e, a in zip(expected, actual, strict=True)
        )
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            fuzzy_equal(expected[k], actual[k], threshold, tolerance) for k in expected
        )
    return canonical_equal(expected, actual)


def contains(expected: Any, actual: Any) -> bool:
    """One-way containment: substring (normalised), sub-list (each expected element present),
    sub-object (each expected key present with a contained value); otherwise equality."""
    if isinstance(expected, str) and isinstance(actual, str):
        return normalize_text(expected) in normalize_text(actual)
    if isinstance(expected, list) and isinstance(actual, list):
        remaining = list(actual)
        for element in expected:
            found = next((i for i, a in enumerate(remaining) if contains(element, a)), None)
            if found is None:
                return False
            remaining.pop(found)
        return True
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and contains(v, actual[k]) for k, v in expected.items())
    return canonical_equal(expected, actual)


def _literal_matches(
    mode: MatchMode,
    expected: Any,
    actual: Any,
    expectation: ArgumentExpectation,
    settings: MatchSettings,
    argument: str,
) -> bool:
    if mode is MatchMode.EXACT:
        if settings.coerce_numeric_strings and _is_number(expected) and isinstance(actual, str):
            number = _as_number(actual, coerce_strings=True)
            return number is not None and number == expected
        return canonical_equal(expected, actual)
    if mode is MatchMode.FUZZY:
        explicit = expectation.match is MatchMode.FUZZY
        default_threshold = DEFAULT_FUZZY_THRESHOLD if explicit else settings.fuzzy_threshold
        threshold = _first_set(expectation.fuzzy_threshold, default_threshold)
        tolerance = _first_set(expectation.numeric_tolerance, settings.numeric_tolerance)
        return fuzzy_equal(expected, actual, threshold, tolerance)
    if mode is MatchMode.CONTAINS:
        return contains(expected, actual)
    if mode is MatchMode.SEMANTIC:
        similarity = semantic_similarity(expected, actual, settings, argument)
        return similarity is not None and similarity >= settings.semantic_threshold
    raise ValueError(f"no literal comparison for mode {mode}")


def semantic_text(value: Any) -> str:
    """The text a similarity source compares: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def semantic_similarity(
    expected: Any, actual: Any, settings: MatchSettings, argument: str
) -> float | None:
    """Texts equal once normalised are identical (1.0) without asking; else the lookup."""
    if settings.semantic_lookup is None:
        raise SemanticScorerMissingError(
            f"argument {argument!r} asks for semantic matching; no semantic scorer is set"
        )
    left, right = semantic_text(expected), semantic_text(actual)
    if normalize_text(left) == normalize_text(right):
        return 1.0
    return settings.semantic_lookup(left, right)


def _first_set(value: float | None, fallback: float) -> float:
    return fallback if value is None else value


def match_value(
    argument: str,
    actual: Any,
    expectation: ArgumentExpectation,
    settings: MatchSettings,
    property_schema: dict[str, Any] | None = None,
) -> ValueVerdict:
    """Does a supplied value satisfy its expectation? (Presence is the caller's business.)"""
    mode = expectation.match or settings.default_mode
    if mode in (MatchMode.IGNORE, MatchMode.PRESENT):
        return PASSED
    if mode is MatchMode.BFCL:
        result = check_param(
            argument, actual, bfcl_param(property_schema or {}), bfcl_acceptable(expectation)
        )
        if result.valid:
            return PASSED
        problem = ArgumentProblem.TYPE if "type_error" in result.error_type else None
        return ValueVerdict(False, problem or ArgumentProblem.WRONG, result.message)
    if mode is MatchMode.SEMANTIC and expectation.acceptable:
        return _match_semantic(argument, actual, expectation, settings)
    for expected in expectation.acceptable:
        if _literal_matches(mode, expected, actual, expectation, settings, argument):
            return PASSED
    tried: list[ComparedValue] = []
    for nested in _nested_matches(argument, actual, expectation, settings):
        if nested.passed:
            return nested
        tried += nested.semantic
    problem = _classify_mismatch(actual, expectation)
    return ValueVerdict(False, problem, f"{argument}: no match", semantic=tuple(tried))


def _nested_matches(
    argument: str, actual: Any, expectation: ArgumentExpectation, settings: MatchSettings
) -> Iterator[ValueVerdict]:
    """Each object shape or item list the value could match, tried in turn (lazily: the
    caller stops at the first that passes)."""
    if isinstance(actual, dict):
        for shape in expectation.objects:
            yield match_object(actual, shape, settings, None, path=argument)
    if isinstance(actual, list):
        for items in expectation.item_lists:
            if len(items) == len(actual):
                yield _match_items(argument, actual, items, settings)


def _match_items(
    argument: str, actual: list[Any], items: list[ArgumentExpectation], settings: MatchSettings
) -> ValueVerdict:
    compared: list[ComparedValue] = []
    for i, (value, item) in enumerate(zip(actual, items, strict=True)):
        verdict = match_value(f"{argument}[{i}]", value, item, settings)
        compared += verdict.semantic
        if not verdict.passed:
            return replace(verdict, semantic=tuple(compared))
    return ValueVerdict(True, semantic=tuple(compared))


def _match_semantic(
    argument: str, actual: Any, expectation: ArgumentExpectation, settings: MatchSettings
) -> ValueVerdict:
    """Every acceptable value is compared, so the verdict carries the best similarity."""
    actual_text = semantic_text(actual)
    found = [
        (similarity, semantic_text(expected))
        for expected in expectation.acceptable
        if (similarity := semantic_similarity(expected, actual, settings, argument)) is not None
    ]
    threshold = settings.semantic_threshold
    if not found:
        detail = f"{argument}: no similarity is known (the similarity source failed)"
        unknown = ComparedValue(argument, None, threshold, False)
        return ValueVerdict(False, ArgumentProblem.WRONG, detail, semantic=(unknown,))
    best, expected_text = max(found, key=lambda item: item[0])
    compared = (expected_text, actual_text)
    passed = best >= threshold
    record = ComparedValue(argument, best, threshold, passed, expected_text, actual_text)
    if passed:
        return ValueVerdict(True, similarity=best, compared=compared, semantic=(record,))
    detail = f"{argument}: similarity {best:.3f} below {threshold:g}"
    return ValueVerdict(False, ArgumentProblem.WRONG, detail, best, compared, (record,))


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    return type(value).__name__


def _classify_mismatch(actual: Any, expectation: ArgumentExpectation) -> ArgumentProblem:
    kinds = {_json_kind(value) for value in expectation.acceptable}
    if expectation.objects:
        kinds.add("dict")
    if expectation.item_lists:
        kinds.add("list")
    if kinds and _json_kind(actual) not in kinds:
        return ArgumentProblem.TYPE
    return ArgumentProblem.WRONG


def match_object(
    actual: dict[str, Any],
    shape: dict[str, ArgumentExpectation],
    settings: MatchSettings,
    properties: dict[str, Any] | None,
    *,
    path: str = "",
) -> ValueVerdict:
    """Per-key expectations for an object: no unknown keys, no missing required ones. Keys are
    named by their path below `path` (`address.city`); the verdict keeps every `semantic`
    value compared on the way."""
    compared: list[ComparedValue] = []
    for key, value in actual.items():
        if key not in shape:
            return ValueVerdict(
                False, ArgumentProblem.EXTRA, f"unexpected key {key!r}", semantic=tuple(compared)
            )
        schema = (properties or {}).get(key)
        verdict = match_value(f"{path}.{key}" if path else key, value, shape[key], settings, schema)
        compared += verdict.semantic
        if not verdict.passed:
            return replace(verdict, semantic=tuple(compared))
    for key, expectation in shape.items():
        if key not in actual and not _may_be_absent(expectation, settings):
            return ValueVerdict(
                False, ArgumentProblem.MISSING, f"missing key {key!r}", semantic=tuple(compared)
            )
    return ValueVerdict(True, semantic=tuple(compared))


def _may_be_absent(expectation: ArgumentExpectation, settings: MatchSettings) -> bool:
    mode = expectation.match or settings.default_mode
    return expectation.omittable or mode is MatchMode.IGNORE
