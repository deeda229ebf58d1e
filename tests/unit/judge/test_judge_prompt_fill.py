"""Filling a judge prompt body: known placeholders only; other braces untouched."""

from __future__ import annotations

from benchstudio.judge.domain.judge_prompt import fill_prompt, placeholders_in


def test_known_placeholders_are_filled_and_unknown_ones_kept() -> None:
    body = "Tools:\n{tools}\nRubric: {rubric}\nUnknown: {not_given}"
    filled = fill_prompt(body, {"tools": "- get_weather", "rubric": "1-5"})
    assert filled == "Tools:\n- get_weather\nRubric: 1-5\nUnknown: {not_given}"


def test_json_in_the_body_and_in_values_does_not_break_it() -> None:
    body = 'Answer like {"score": 5, "verdict": "pass"} {{x}} } { for {transcript}.\n{tools}'
    values = {"transcript": 'call f {"a": "{tools}"}', "tools": "T"}
    filled = fill_prompt(body, values)
    # The value's own "{tools}" is inserted as-is, never filled in a second pass.
    assert filled == (
        'Answer like {"score": 5, "verdict": "pass"} {{x}} } { for call f {"a": "{tools}"}.\nT'
    )


def test_placeholders_in_order_of_first_use() -> None:
    body = '{transcript} {tools} {transcript} {"a": 1} {automated_result}'
    assert placeholders_in(body) == ["transcript", "tools", "automated_result"]
