"""BFCL import: formats, type mapping, names, irrelevance, and safe parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchstudio.toolcall.bfcl_bridge import bfcl_answer
from benchstudio.toolcall.bfcl_import import (
    BfclImportError,
    category_of,
    import_bfcl,
    read_entries,
)

QUESTION = {
    "id": "parallel_multiple_7",
    "question": [[{"role": "user", "content": "Factorial of 5, and add 2.5 kg in a dict."}]],
    "function": [
        {
            "name": "math.factorial",
            "description": "Factorial.",
            "parameters": {
                "type": "dict",
                "properties": {
                    "number": {"type": "integer", "description": "n"},
                    "scale": {"type": "float", "description": "s"},
                    "pair": {"type": "tuple", "items": {"type": "integer"}, "description": "p"},
                    "anything": {"type": "any", "description": "a"},
                    "options": {
                        "type": "dict",
                        "description": "o",
                        "properties": {"unit": {"type": "string"}},
                    },
                },
                "required": ["number"],
            },
        },
    ],
}
ANSWER = {
    "id": "parallel_multiple_7",
    "ground_truth": [
        {
            "math.factorial": {
                "number": [5],
                "scale": [2.5, ""],
                "pair": [[1, 2]],
                "anything": ["__import__('os').system('x')"],
                "options": [{"unit": ["kg", ""]}, ""],
            }
        },
    ],
}


def test_reads_json_lines_and_arrays(tmp_path: Path) -> None:
    lines = tmp_path / "q.json"
    lines.write_text(json.dumps(QUESTION) + "\n" + json.dumps({**QUESTION, "id": "x_1"}))
    assert [e["id"] for e in read_entries(lines)] == ["parallel_multiple_7", "x_1"]
    array = tmp_path / "a.json"
    array.write_text(json.dumps([ANSWER]))
    assert read_entries(array)[0]["id"] == ANSWER["id"]
    broken = tmp_path / "b.json"
    broken.write_text('{"id": 1}\n{oops')
    with pytest.raises(BfclImportError, match="line 2"):
        read_entries(broken)


@pytest.mark.parametrize(
    ("entry_id", "category"),
    [
        ("simple_python_0", "simple_python"),
        ("live_simple_106-63-0", "live_simple"),
        ("parallel_multiple_12", "parallel_multiple"),
        ("odd", "general"),
    ],
)
def test_category_from_entry_id(entry_id: str, category: str) -> None:
    assert category_of(entry_id) == category


def test_tools_are_converted_as_bfcl_sends_them() -> None:
    case = import_bfcl([QUESTION], [ANSWER]).suite.cases[0]
    assert case.tools is not None
    tool = case.tools[0]
    assert tool.function.name == "math_factorial"
    assert tool.source_name == "math.factorial"
    properties = tool.function.parameters["properties"]
    assert properties["scale"]["type"] == "number"
    assert properties["scale"]["format"] == "float"
    assert properties["pair"]["type"] == "array"
    assert properties["anything"]["type"] == "string"
    assert properties["options"]["type"] == "object"
    assert tool.function.parameters["type"] == "object"


def test_expectations_round_trip_and_strings_are_never_evaluated() -> None:
    case = import_bfcl([QUESTION], [ANSWER]).suite.cases[0]
    expected = case.expected_calls[0]
    assert expected.name == "math_factorial"
    assert expected.arguments["scale"].omittable
    assert expected.arguments["anything"].acceptable == ["__import__('os').system('x')"]
    assert expected.arguments["options"].objects[0]["unit"].omittable
    original = ANSWER["ground_truth"][0]["math.factorial"]
    assert bfcl_answer(expected.arguments) == original


def test_entries_without_answers_are_irrelevance_except_live_relevance() -> None:
    relevance = {**QUESTION, "id": "live_relevance_3-3-0"}
    cases = import_bfcl([QUESTION, relevance], []).suite.cases
    assert cases[0].should_call_tool is False
    assert cases[1].should_call_tool is True
    assert not cases[1].expected_calls


def test_unsupported_entries_are_skipped_with_a_reason() -> None:
    java = {**QUESTION, "id": "simple_java_3"}
    multi_turn = {**QUESTION, "id": "multi_turn_base_1", "initial_config": {}}
    result = import_bfcl([java, multi_turn, QUESTION], [ANSWER])
    assert [case.id for case in result.suite.cases] == ["parallel_multiple_7"]
    assert [entry_id for entry_id, _ in result.skipped] == ["simple_java_3", "multi_turn_base_1"]
