"""Translate our suite records into BFCL's shapes (and back) for the `bfcl` rules.

Kept apart from `bfcl_rules.py` so that the port stays a plain copy of BFCL's logic.
"""

from __future__ import annotations

from typing import Any

from benchstudio.toolcall.bfcl_rules import BfclDoc, BfclParam
from benchstudio.toolcall.schemas import ArgumentExpectation, MatchMode, Tool

# JSON Schema type -> Gorilla type. `number` is BFCL's `float` (its converter maps float to
# number); tuple and any become array and string, which BFCL's Python checker treats alike.
_JSON_TO_GORILLA = {
    "string": "string",
    "integer": "integer",
    "number": "float",
    "boolean": "boolean",
    "array": "array",
    "object": "dict",
}


def gorilla_type(schema: dict[str, Any]) -> str:
    """The Gorilla type BFCL would check for a property schema (untyped means string)."""
    declared = schema.get("type", "string")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "string")
    return _JSON_TO_GORILLA.get(str(declared), "string")


def bfcl_param(schema: dict[str, Any]) -> BfclParam:
    kind = gorilla_type(schema)
    items = schema.get("items")
    items_type = gorilla_type(items) if kind == "array" and isinstance(items, dict) else None
    return BfclParam(kind, items_type)


def bfcl_doc(tool: Tool) -> BfclDoc:
    parameters = tool.function.parameters
    properties = parameters.get("properties", {})
    return BfclDoc(
        name=tool.function.name,
        properties={name: bfcl_param(schema) for name, schema in properties.items()},
        required=list(parameters.get("required", [])),
    )


def bfcl_acceptable(expectation: ArgumentExpectation) -> list[Any]:
    """BFCL's list of acceptable values for one argument, with `""` when it is omittable."""
    values: list[Any] = list(expectation.acceptable)
    values.extend(_bfcl_object(shape) for shape in expectation.objects)
    values.extend([_bfcl_element(item) for item in items] for items in expectation.item_lists)
    # BFCL cannot say "any value": an ignored argument becomes one that may be left out.
    if expectation.omittable or expectation.match is MatchMode.IGNORE:
        values.append("")
    return values


def _bfcl_object(shape: dict[str, ArgumentExpectation]) -> dict[str, list[Any]]:
    return {key: bfcl_acceptable(inner) for key, inner in shape.items()}


def _bfcl_element(item: ArgumentExpectation) -> Any:
    # A list-of-dicts candidate holds one dict (of acceptable lists) per position.
    if item.objects:
        return _bfcl_object(item.objects[0])
    if item.acceptable:
        return item.acceptable[0]
    return ""


def bfcl_answer(arguments: dict[str, ArgumentExpectation]) -> dict[str, list[Any]]:
    return {name: bfcl_acceptable(expectation) for name, expectation in arguments.items()}


def expectation_from_bfcl(acceptable: list[Any], kind: str, items_type: str | None) -> Any:
    """Our expectation for BFCL's acceptable list, given the parameter's Gorilla type."""
    values = [value for value in acceptable if value != ""]
    omittable = len(values) != len(acceptable)
    if kind == "dict" and values and all(isinstance(v, dict) for v in values):
        shapes = [_shape_from_bfcl(value) for value in values]
        return ArgumentExpectation(objects=shapes, omittable=omittable)
    if kind in ("array", "tuple") and items_type == "dict" and _all_lists_of_dicts(values):
        item_lists = [
            [ArgumentExpectation(objects=[_shape_from_bfcl(element)]) for element in value]
            for value in values
        ]
        return ArgumentExpectation(item_lists=item_lists, omittable=omittable)
    return ArgumentExpectation(acceptable=values, omittable=omittable)


def _all_lists_of_dicts(values: list[Any]) -> bool:
    return bool(values) and all(
        isinstance(value, list) and all(isinstance(e, dict) for e in value) for value in values
    )


def _shape_from_bfcl(candidate: dict[str, Any]) -> dict[str, ArgumentExpectation]:
    shape: dict[str, ArgumentExpectation] = {}
    for key, accepted in candidate.items():
        accepted_list = accepted if isinstance(accepted, list) else [accepted]
        values = [value for value in accepted_list if value != ""]
        shape[key] = ArgumentExpectation(
            acceptable=values, omittable=len(values) != len(accepted_list)
        )
    return shape
