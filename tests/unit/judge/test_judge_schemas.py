"""The verdict JSON Schemas meet OpenAI's strict structured-output rules and match the models."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from benchstudio.judge.schemas import (
    CaseVerdict,
    ComparativePick,
    comparative_json_schema,
    verdict_json_schema,
)

# Keywords OpenAI's strict mode accepts; anything else (minimum, pattern, format, $ref,
# default, minLength, ...) is refused or ignored, so the schema must not carry it.
ALLOWED = {"type", "properties", "required", "additionalProperties", "items", "enum"}


def _strict_errors(schema: dict[str, Any], where: str = "$") -> list[str]:
    errors = [f"{where}: unsupported keyword {key}" for key in schema if key not in ALLOWED]
    if schema.get("type") == "object":
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            errors.append(f"{where}: additionalProperties must be false")
        if sorted(schema.get("required", [])) != sorted(properties):
            errors.append(f"{where}: every property must be required")
        for name, sub in properties.items():
            errors += _strict_errors(sub, f"{where}.{name}")
    if schema.get("type") == "array":
        errors += _strict_errors(schema["items"], f"{where}[]")
    return errors


def _same_fields(schema: dict[str, Any], model: type[BaseModel]) -> None:
    assert list(schema["properties"]) == list(model.model_fields)
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            _same_fields(schema["properties"][name], annotation)


@pytest.mark.parametrize("schema", [verdict_json_schema(), comparative_json_schema()])
def test_schema_meets_openai_strict_rules(schema: dict[str, Any]) -> None:
    assert schema["type"] == "object"
    assert _strict_errors(schema) == []


def test_the_walker_catches_each_rule() -> None:
    loose = {
        "type": "object",
        "properties": {"a": {"type": "integer", "minimum": 1}, "b": {"type": "object"}},
        "required": ["a"],
    }
    errors = _strict_errors(loose)
    assert "$: additionalProperties must be false" in errors
    assert "$: every property must be required" in errors
    assert "$.a: unsupported keyword minimum" in errors
    assert "$.b: additionalProperties must be false" in errors


def test_schemas_match_the_models_field_for_field() -> None:
    verdict = verdict_json_schema()
    _same_fields(verdict, CaseVerdict)
    items = verdict["properties"]["arguments"]["items"]
    assert list(items["properties"]) == ["name", "status", "reason"]
    assert verdict["properties"]["score"]["enum"] == [1, 2, 3, 4, 5]
    _same_fields(comparative_json_schema(), ComparativePick)


def test_each_call_returns_a_fresh_copy() -> None:
    first = verdict_json_schema()
    first["properties"].clear()
    assert verdict_json_schema()["properties"]
