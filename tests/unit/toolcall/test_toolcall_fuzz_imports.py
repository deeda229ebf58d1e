"""Fuzz: suite files, BFCL files and MCP tool listings, fed garbage.

Each import ends in its classified error (`SuiteFileError`, `BfclImportError`, a `ValueError`
the MCP import endpoint turns into a 422) or in a suite, with unusable entries listed as
skipped. Never another exception, never a hang.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from benchstudio.providers.mcp_client import McpTool
from benchstudio.toolcall.bfcl_import import BfclImportError, import_bfcl, parse_entries
from benchstudio.toolcall.mcp_import import McpImportResult, suite_from_mcp_tools
from benchstudio.toolcall.samples import sample_suite_text
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.suite_file import SuiteFileError, parse_suite, read_outputs
from fuzz_inputs import deep_json, dumps, fuzz_settings, json_values, mutated

SUITE = json.loads(sample_suite_text())
QUESTION: dict[str, Any] = {
    "id": "parallel_multiple_7",
    "question": [[{"role": "user", "content": "Factorial of 5, and add 2.5 kg."}]],
    "function": [
        {
            "name": "math.factorial",
            "description": "Factorial.",
            "parameters": {
                "type": "dict",
                "properties": {
                    "number": {"type": "integer", "description": "n"},
                    "scale": {"type": "float", "description": "s"},
                    "pair": {"type": "tuple", "items": {"type": "integer"}},
                    "options": {"type": "dict", "properties": {"unit": {"type": "string"}}},
                },
                "required": ["number"],
            },
        },
    ],
}
ANSWER: dict[str, Any] = {
    "id": "parallel_multiple_7",
    "ground_truth": [
        {"math.factorial": {"number": [5], "scale": [2.5, ""], "options": [{"unit": ["kg"]}]}}
    ],
}
MCP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "examples": ["Paris"]},
        "when": {"$ref": "#/$defs/day"},
        "tree": {"$ref": "#/$defs/node"},
    },
    "required": ["city", "when"],
    "$defs": {
        "day": {"type": "string", "enum": ["today", "tomorrow"]},
        "node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}},
    },
}


def _laughs(levels: int) -> dict[str, Any]:
    """Each definition refers to the next one twice: 2**levels copies once inlined."""
    defs: dict[str, Any] = {
        f"d{i}": {"anyOf": [{"$ref": f"#/$defs/d{i + 1}"}] * 2} for i in range(levels)
    }
    defs[f"d{levels}"] = {"type": "string"}
    return {"type": "object", "properties": {"a": {"$ref": "#/$defs/d0"}}, "$defs": defs}


def _deep_schema(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        node = {"type": "object", "properties": {"a": node}}
    return node


DEEP_TEXT = deep_json(5000).decode()


@fuzz_settings(150)
@given(st.one_of(mutated(SUITE), json_values).map(dumps) | st.text(max_size=200))
@example(DEEP_TEXT)
@example(
    dumps(
        {
            **SUITE,
            "tools": [
                {"type": "function", "function": {"name": "f", "parameters": _deep_schema(400)}}
            ],
        }
    )
)
def test_suite_files_parse_or_say_why(text: str) -> None:
    try:
        suite = parse_suite(text, "fuzz")
    except SuiteFileError:
        return
    assert isinstance(suite, Suite)


def check_bfcl(questions: str, answers: str | None) -> None:
    """`evals.suite_imports.import_bfcl_files` up to storing the suite."""
    try:
        question_entries = parse_entries(questions, "questions")
        answer_entries = parse_entries(answers, "answers") if answers else None
    except BfclImportError:
        return
    result = import_bfcl(question_entries, answer_entries, name="fuzz")
    assert isinstance(result.suite, Suite)
    assert len(result.suite.cases) + len(result.skipped) == len(question_entries)


bfcl_files = st.one_of(
    st.lists(mutated(QUESTION), max_size=3).map(lambda entries: "\n".join(map(dumps, entries))),
    st.lists(json_values, max_size=3).map(dumps),
    st.text(max_size=100),
)


@fuzz_settings(200)
@given(bfcl_files, st.none() | st.lists(mutated(ANSWER), max_size=2).map(dumps))
@example(dumps([QUESTION, QUESTION]), None)  # was: ValidationError (duplicate case id)
@example(dumps(QUESTION), dumps({**ANSWER, "ground_truth": [{"math.factorial": [5]}]}))
@example(dumps({**QUESTION, "function": [{"name": "f", "parameters": [1]}]}), None)
@example(DEEP_TEXT, None)  # was: RecursionError
@example(dumps({**QUESTION, "function": [{"name": "f", "parameters": _deep_schema(300)}]}), None)
@example(dumps(QUESTION) + "\n" + DEEP_TEXT, None)  # was: RecursionError (JSON lines)
def test_bfcl_files_import_or_say_why(questions: str, answers: str | None) -> None:
    check_bfcl(questions, answers)


mcp_tools = st.builds(
    McpTool,
    name=st.text(max_size=70) | st.just("get_weather"),
    description=st.text(max_size=20),
    input_schema=st.one_of(
        mutated(MCP_SCHEMA), st.dictionaries(st.text(max_size=6), json_values, max_size=4)
    ),
    title=st.none() | st.text(max_size=10),
)


@fuzz_settings(200)
@given(st.lists(mcp_tools, max_size=3), st.booleans())
@example([McpTool("t", "", _laughs(40))], True)  # was: a hang (2**40 inlined copies)
@example([McpTool("t", "", {"$ref": "#"})], True)
@example([McpTool("t", "", _deep_schema(400))], True)  # was: RecursionError (schema check)
def test_mcp_listings_import_or_say_why(tools: list[McpTool], draft_cases: bool) -> None:
    try:
        result = suite_from_mcp_tools(tools, name="fuzz", draft_cases=draft_cases)
    except ValueError:  # what `evals.suite_imports.import_mcp_server` turns into a 422
        return
    assert isinstance(result, McpImportResult)
    assert len(result.suite.tools) + len(result.skipped) == len(tools)


OUTPUT: dict[str, Any] = {
    "case_id": "c1",
    "tool_calls": [{"function": {"name": "f", "arguments": '{"a": 1}'}}],
    "content": None,
    "latency_ms": 12.5,
    "usage": {"input_tokens": 3, "output_tokens": 2},
}


@fuzz_settings(100)
@given(
    st.lists(
        st.one_of(mutated(OUTPUT).map(dumps), json_values.map(dumps), st.text(max_size=40)),
        max_size=4,
    ),
    st.binary(max_size=8),
)
@example([dumps(OUTPUT), DEEP_TEXT], b"")  # was: RecursionError
@example([dumps(OUTPUT)], b"\xff")  # was: UnicodeDecodeError
def test_recorded_outputs_read_or_say_which_line(lines: list[str], tail: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "outputs.jsonl"
        path.write_bytes("\n".join(lines).encode() + b"\n" + tail)
        try:
            outputs = list(read_outputs(path))
        except SuiteFileError:
            return
    assert all(isinstance(output.case_id, str) for output in outputs)
