"""Tolerant JSON extraction and validation: a verdict or a typed parse failure, never a score."""

from __future__ import annotations

import json

import pytest

from benchstudio.judge.domain.extraction import (
    ParseFailure,
    extract_json_object,
    parse_pick,
    parse_verdict,
)
from benchstudio.judge.schemas import CaseVerdict, ComparativePick

VERDICT = {
    "score": 4,
    "verdict": "pass",
    "tool_selection": {"status": "correct", "reason": "get_weather is the right tool"},
    "arguments": [
        {"name": "city", "status": "correct", "reason": "Paris"},
        {"name": "unit", "status": "missing", "reason": "celsius was asked for"},
    ],
    "reasoning": "Right tool; one optional argument missing. {braces} in text are fine.",
}
TEXT = json.dumps(VERDICT)


@pytest.mark.parametrize(
    "raw",
    [
        TEXT,
        f"```json\n{TEXT}\n```",
        f"Here is my verdict:\n\n```\n{TEXT}\n```\nHope this helps.",
        f"Sure! {TEXT} That is all.",
        TEXT.replace('"celsius was asked for"}]', '"celsius was asked for", },\n]'),
        TEXT[:-1] + ",}",
    ],
    ids=["bare", "fenced", "prose-and-fence", "leading-prose", "trailing-comma-array", "trailing"],
)
def test_verdict_is_found_in_common_wrappings(raw: str) -> None:
    verdict = parse_verdict(raw)
    assert isinstance(verdict, CaseVerdict), verdict
    assert verdict.score == 4
    assert verdict.verdict == "pass"
    assert verdict.tool_selection.status == "correct"
    assert [(a.name, a.status) for a in verdict.arguments] == [
        ("city", "correct"),
        ("unit", "missing"),
    ]


def test_empty_text_is_an_empty_failure() -> None:
    failure = parse_verdict("   ")
    assert isinstance(failure, ParseFailure) and failure.kind == "empty"


def test_truncated_json_is_a_no_json_failure() -> None:
    failure = parse_verdict(TEXT[: len(TEXT) // 2])
    assert isinstance(failure, ParseFailure)
    assert failure.kind == "no_json"
    assert failure.excerpt == TEXT[: len(TEXT) // 2][:200]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"score": 7}, "score"),
        ({"score": 0}, "score"),
        ({"verdict": "excellent"}, "verdict"),
        ({"extra": 1}, "extra"),
    ],
)
def test_wrong_shape_is_an_invalid_failure_naming_the_field(
    change: dict[str, object], where: str
) -> None:
    failure = parse_verdict(json.dumps(VERDICT | change))
    assert isinstance(failure, ParseFailure)
    assert failure.kind == "invalid"
    assert where in failure.message


def test_a_missing_field_is_invalid_not_defaulted() -> None:
    partial = {k: v for k, v in VERDICT.items() if k != "reasoning"}
    failure = parse_verdict(json.dumps(partial))
    assert isinstance(failure, ParseFailure) and "reasoning" in failure.message


def test_a_json_array_is_not_an_object() -> None:
    assert isinstance(extract_json_object("[1, 2]"), ParseFailure)


def test_the_first_valid_object_wins_over_prose_braces() -> None:
    found = extract_json_object('I weigh {options} first. {"winner": "B", "reasoning": "x"}')
    assert found == {"winner": "B", "reasoning": "x"}


def test_pick_parses() -> None:
    pick = parse_pick('```json\n{"winner": "tie", "reasoning": "same calls"}\n```')
    assert pick == ComparativePick(winner="tie", reasoning="same calls")
    assert isinstance(parse_pick('{"winner": "C", "reasoning": ""}'), ParseFailure)
