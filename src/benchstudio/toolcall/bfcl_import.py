"""Import BFCL question and possible-answer files into a suite (parsed as JSON, never `eval`).

What the model sees is what BFCL's function-calling handlers send: Gorilla types mapped to
JSON Schema (`float` becomes `number` with `format: float` and a hint in the description,
`dict` becomes `object`, `tuple` becomes `array`, `any` becomes `string`), dotted names exposed
with underscores (the dotted name is kept as `source_name`), and the Python-syntax note BFCL
appends to each description. Case ids are BFCL's entry ids.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchstudio.toolcall.bfcl_bridge import expectation_from_bfcl
from benchstudio.toolcall.schemas import (
    ArgumentExpectation,
    CallOrder,
    ChatMessage,
    ExpectedCall,
    Suite,
    TestCase,
    Tool,
    ToolFunction,
)

GORILLA_TO_JSON_SCHEMA = {
    "integer": "integer",
    "number": "number",
    "float": "number",
    "string": "string",
    "boolean": "boolean",
    "bool": "boolean",
    "array": "array",
    "list": "array",
    "dict": "object",
    "object": "object",
    "tuple": "array",
    "any": "string",
}
PYTHON_HINT = " Note that the provided function is in Python 3 syntax."
_CATEGORY = re.compile(r"^(?P<category>.+?)_\d+(?:-\d+)*$")


class BfclImportError(ValueError):
    """The file is not in a BFCL format we can read."""


@dataclass(slots=True)
class BfclImport:
    suite: Suite
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry id, reason)


def read_entries(path: Path) -> list[dict[str, Any]]:
    """Entries from a JSON array, a single JSON object, or JSON lines."""
    return parse_entries(path.read_text(encoding="utf-8"), path.name)


def parse_entries(text: str, source: str) -> list[dict[str, Any]]:
    """`read_entries` for text already read (an upload); `source` names it in errors."""
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json goes
        parsed = None
    if isinstance(parsed, list):
        entries = parsed
    elif isinstance(parsed, dict):
        entries = [parsed]
    else:
        entries = _json_lines(text, source)
    if not all(isinstance(entry, dict) and "id" in entry for entry in entries):
        raise BfclImportError(f"{source}: every entry must be an object with an 'id'")
    return entries


def _json_lines(text: str, source: str) -> list[Any]:
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError as error:
            raise BfclImportError(f"{source} line {number}: not JSON ({error.msg})") from None
        except RecursionError:
            raise BfclImportError(f"{source} line {number}: nested too deeply") from None
    return entries


def category_of(entry_id: str) -> str:
    """`live_simple_106-63-0` -> `live_simple`; `parallel_12` -> `parallel`."""
    match = _CATEGORY.match(entry_id)
    return match.group("category") if match else "general"


def exposed_name(name: str) -> str:
    return name.replace(".", "_")


def _convert_property(schema: dict[str, Any], hint: bool) -> dict[str, Any]:
    converted = dict(schema)
    gorilla = converted.get("type")
    if gorilla is None:
        converted["type"] = "string"
    else:
        if gorilla == "float" and hint:
            converted["format"] = "float"
            converted["description"] = converted.get("description", "") + (
                " This is a float type value."
            )
        converted["type"] = GORILLA_TO_JSON_SCHEMA.get(str(gorilla), "string")
    if not isinstance(converted.get("required", []), list):
        del converted["required"]  # a stray boolean `required` is not JSON Schema
    if isinstance(converted.get("properties"), dict):
        converted["properties"] = _convert_properties(converted["properties"], hint)
    if isinstance(converted.get("items"), dict):
        converted["items"] = _convert_property(converted["items"], hint=False)
    return converted


def _convert_properties(properties: dict[str, Any], hint: bool = True) -> dict[str, Any]:
    return {
        name: _convert_property(schema if isinstance(schema, dict) else {}, hint)
        for name, schema in properties.items()
    }


def convert_function(doc: dict[str, Any]) -> Tool:
    """A BFCL (Gorilla) function doc as an OpenAI tool, as BFCL's FC handlers send it."""
    doc = copy.deepcopy(doc)
    parameters = doc.get("parameters") or {}
    converted: dict[str, Any] = {
        "type": "object",
        "properties": _convert_properties(parameters.get("properties") or {}),
    }
    if isinstance(parameters.get("required"), list):
        converted["required"] = parameters["required"]
    name = str(doc["name"])
    return Tool(
        function=ToolFunction(
            name=exposed_name(name),
            description=str(doc.get("description", "")) + PYTHON_HINT,
            parameters=converted,
        ),
        source_name=name if "." in name else None,
    )


def _messages(entry: dict[str, Any]) -> list[ChatMessage]:
    turns = entry.get("question")
    if not isinstance(turns, list) or len(turns) != 1 or not isinstance(turns[0], list):
        raise BfclImportError("only single-turn entries are supported")
    return [ChatMessage(role=m["role"], content=str(m["content"])) for m in turns[0]]


def _expected_call(call: dict[str, Any], docs: dict[str, dict[str, Any]]) -> ExpectedCall:
    if not isinstance(call, dict) or len(call) != 1:
        raise BfclImportError("each ground-truth call must be {name: {param: [values]}}")
    ((name, params),) = call.items()
    properties = (docs.get(name, {}).get("parameters") or {}).get("properties") or {}
    arguments: dict[str, ArgumentExpectation] = {}
    for param, acceptable in params.items():
        schema = properties.get(param) or {}
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        values = acceptable if isinstance(acceptable, list) else [acceptable]
        arguments[param] = expectation_from_bfcl(
            values, str(schema.get("type", "string")), items.get("type")
        )
    return ExpectedCall(name=exposed_name(name), arguments=arguments)


def convert_entry(entry: dict[str, Any], answer: dict[str, Any] | None) -> TestCase:
    """One BFCL question (and its possible answer, if any) as a test case."""
    entry_id = str(entry["id"])
    category = category_of(entry_id)
    if "java" in category:
        raise BfclImportError("Java and JavaScript categories are not supported")
    if "initial_config" in entry or "involved_classes" in entry:
        raise BfclImportError("multi-turn and agentic entries are not supported")
    docs = {str(doc["name"]): doc for doc in entry.get("function", [])}
    messages = _messages(entry)
    tools = [convert_function(doc) for doc in docs.values()]
    if answer is None:
        relevance = "relevance" in category and "irrelevance" not in category
        return TestCase(
            id=entry_id,
            category=category,
            messages=messages,
            tools=tools,
            should_call_tool=relevance,
        )
    expected = [_expected_call(call, docs) for call in answer.get("ground_truth", [])]
    return TestCase(
        id=entry_id,
        category=category,
        messages=messages,
        tools=tools,
        expected_calls=expected,
        order=CallOrder.UNORDERED,
    )


def import_bfcl(
    questions: list[dict[str, Any]],
    answers: list[dict[str, Any]] | None = None,
    name: str = "BFCL import",
) -> BfclImport:
    """Questions (+ possible answers) as a suite; unsupported entries are skipped, with why."""
    answer_by_id = {str(a["id"]): a for a in answers or []}
    cases: list[TestCase] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for entry in questions:
        entry_id = str(entry["id"])
        if entry_id in seen:  # the suite refuses duplicate case ids: keep the first
            skipped.append((entry_id, "duplicate id"))
            continue
        try:
            cases.append(convert_entry(entry, answer_by_id.get(entry_id)))
        except (BfclImportError, ValueError, KeyError, TypeError, AttributeError) as error:
            # AttributeError: a field of the wrong JSON type (a list where an object belongs)
            skipped.append((entry_id, _reason(error)))
            continue
        seen.add(entry_id)
    description = "Imported from Berkeley Function Calling Leaderboard files."
    return BfclImport(Suite(name=name, description=description, cases=cases), skipped)


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error}"
    return str(error).splitlines()[0][:200]
