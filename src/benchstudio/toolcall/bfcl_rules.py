"""BFCL's AST checker rules (bfcl-eval 2026.3.23, Python language), reproduced verdict for verdict.

This is a deliberate, line-by-line port of `bfcl_eval/eval_checker/ast_eval/ast_checker.py`
for function-calling models whose dotted names are exposed with underscores. Quirks are kept
on purpose (they are what the `bfcl` profile promises); `strict` and `lenient` do not use them.
The integration test `test_toolcall_bfcl_agreement.py` compares it with BFCL's own code.

Inputs are BFCL-shaped: a `BfclDoc` (parameter types in Gorilla names, the `required` list)
and a possible answer `{param: [acceptable, ...]}` where `""` marks an omittable parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PYTHON_TYPE_MAPPING: dict[str, type] = {
    "string": str,
    "integer": int,
    "float": float,
    "boolean": bool,
    "array": list,
    "tuple": list,
    "dict": dict,
    "any": str,
}
NESTED_TYPE_CHECK = ("array", "tuple")
_STANDARDIZE = re.compile(r"[ \,\.\/\-\_\*\^]")


@dataclass(frozen=True, slots=True)
class BfclParam:
    type: str  # a Gorilla type name: string, integer, float, boolean, array, tuple, dict, any
    items_type: str | None = None


@dataclass(frozen=True, slots=True)
class BfclDoc:
    name: str
    properties: dict[str, BfclParam]
    required: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class BfclResult:
    valid: bool
    error_type: str = ""
    message: str = ""
    is_variable: bool = False


OK = BfclResult(True)


def standardize_string(text: str) -> str:
    """BFCL's string normalisation: drop ` ,./-_*^`, lowercase, single quotes to double."""
    return _STANDARDIZE.sub("", text).lower().replace("'", '"')


def _answer_type(possible_answer: list[Any]) -> type | None:
    for answer in possible_answer:
        if answer != "":
            return type(answer)
    return None


def check_type(
    value: Any, possible_answer: list[Any], expected: type, nested: type | None
) -> BfclResult:
    """BFCL's `type_checker`: exact Python type, the 'variable' escape, one nested level."""
    answer_type = _answer_type(possible_answer)
    is_variable = answer_type is not None and answer_type != expected
    nested_failed = False
    elements: Any = value  # keeps `value` un-narrowed by the `type(...) is` test below
    if type(value) is expected:
        if nested is None:
            return BfclResult(True, is_variable=is_variable)
        for candidate in possible_answer:
            elements_ok = True
            if type(candidate) is list:
                elements_ok = all(
                    check_type(element, candidate, nested, None).valid for element in elements
                )
            if elements_ok:  # a non-list candidate (such as "") passes vacuously, as in BFCL
                return BfclResult(True, is_variable=is_variable)
        nested_failed = True
    if answer_type is not None and type(value) is answer_type and not nested_failed:
        return BfclResult(True, is_variable=True)
    if nested_failed:
        return BfclResult(False, "type_error:nested", "nested type check failed")
    return BfclResult(False, "type_error:simple", f"wrong type {type(value).__name__}")


def _standardized(value: Any) -> Any:
    return standardize_string(value) if type(value) is str else value


def check_string(value: str, possible_answer: list[Any]) -> BfclResult:
    candidates = [standardize_string(a) for a in possible_answer if type(a) is str]
    if standardize_string(value) in candidates:
        return OK
    return BfclResult(False, "value_error:string", "string not among acceptable values")


def check_list(value: list[Any], possible_answer: list[Any]) -> BfclResult:
    standardized = [_standardized(element) for element in value]
    candidates: list[list[Any]] = []
    for candidate in possible_answer:
        if isinstance(candidate, list | str):  # BFCL indexes into a string char by char
            candidates.append([_standardized(element) for element in candidate])
    if standardized in candidates:
        return OK
    return BfclResult(False, "value_error:list/tuple", "list not among acceptable values")


def _dict_matches(value: dict[str, Any], candidate: dict[str, Any]) -> BfclResult:
    for key, item in value.items():
        if key not in candidate:
            return BfclResult(False, "value_error:dict_key", f"unexpected dict key {key!r}")
        accepted = [_standardized(a) for a in candidate[key]]
        if _standardized(item) not in accepted:
            return BfclResult(False, "value_error:dict_value", f"bad value for key {key!r}")
    for key, accepted in candidate.items():
        if key not in value and "" not in accepted:
            return BfclResult(False, "value_error:dict_key", f"missing dict key {key!r}")
    return OK


def check_dict(value: dict[str, Any], possible_answer: list[Any]) -> BfclResult:
    result = BfclResult(False, "dict_checker:unclear", "no acceptable dict")
    for candidate in possible_answer:
        if candidate == "":
            continue
        if not isinstance(candidate, dict):
            result = BfclResult(False, "dict_checker:unclear", "acceptable value is not a dict")
            continue
        result = _dict_matches(value, candidate)
        if result.valid:
            return OK
    return result


def check_list_of_dicts(value: list[Any], possible_answer: list[Any]) -> BfclResult:
    result = BfclResult(False, "list_dict_checker:unclear", "no acceptable list of dicts")
    for candidate in possible_answer:
        if not isinstance(candidate, list | str) or len(value) != len(candidate):
            result = BfclResult(False, "value_error:list_dict_count", "wrong number of dicts")
            continue
        all_match = True
        for element, expected in zip(value, candidate, strict=True):
            if not isinstance(element, dict):
                # BFCL crashes here (`.items()` on a non-dict); a crash is never a pass.
                result = BfclResult(False, "list_dict_checker:unclear", "element is not a dict")
                all_match = False
                break
            result = check_dict(element, [expected])
            if not result.valid:
                all_match = False
                break
        if all_match:
            return OK
    return result


def check_param(param: str, value: Any, detail: BfclParam, accepted: list[Any]) -> BfclResult:
    expected = PYTHON_TYPE_MAPPING[detail.type]
    nested = None
    if detail.type in NESTED_TYPE_CHECK and detail.items_type is not None:
        nested = PYTHON_TYPE_MAPPING[detail.items_type]
    if detail.type == "float" and type(value) is int:
        value = float(value)  # BFCL's one allowed conversion
    typed = check_type(value, accepted, expected, nested)
    if not typed.valid:
        return BfclResult(False, typed.error_type, f"{param}: {typed.message}")
    if not typed.is_variable:
        if expected is dict:
            return check_dict(value, accepted)
        if expected is list and nested is dict:
            return check_list_of_dicts(value, accepted)
        if expected is str:
            return check_string(value, accepted)
        if expected is list:
            return check_list(value, accepted)
    if value not in accepted:
        return BfclResult(False, "value_error:others", f"{param}: value not acceptable")
    return OK


def check_call(
    doc: BfclDoc, call_name: str, call_args: dict[str, Any], answer: dict[str, list[Any]]
) -> BfclResult:
    """BFCL's `simple_function_checker` for one decoded call against one expected call."""
    if call_name != doc.name:
        return BfclResult(False, "simple_function_checker:wrong_func_name", "wrong function")
    for param in doc.required:
        if param not in call_args:
            return BfclResult(
                False, "simple_function_checker:missing_required", f"missing {param!r}"
            )
    for param, value in call_args.items():
        if param not in doc.properties or param not in answer:
            return BfclResult(
                False, "simple_function_checker:unexpected_param", f"unexpected {param!r}"
            )
        result = check_param(param, value, doc.properties[param], answer[param])
        if not result.valid:
            return result
    for param, accepted in answer.items():
        if param not in call_args and "" not in accepted:
            return BfclResult(
                False, "simple_function_checker:missing_optional", f"missing {param!r}"
            )
    return OK


def bfcl_checker_path(category: str) -> str:
    """BFCL dispatches on substrings of the category name; our own categories go parallel.

    `parallel` (greedy, counts equal) is also the right rule for a single expected call, so
    a suite's own categories (no `simple`/`multiple`/`parallel` in the name) use it.
    """
    if "parallel" in category:
        return "parallel"
    if "multiple" in category:
        return "multiple"
    if "simple" in category:
        return "simple"
    return "parallel"


@dataclass(frozen=True, slots=True)
class BfclExpectation:
    doc: BfclDoc | None  # None when the expected tool is not defined (BFCL would crash)
    answer: dict[str, list[Any]]


def check_calls(
    category: str,
    calls: list[tuple[str, dict[str, Any]]],
    expected: list[BfclExpectation],
) -> tuple[BfclResult, list[int | None]]:
    """BFCL's category dispatch, count rules and greedy first-fit pairing.

    Returns the verdict and, per expected call, the index of the model call it consumed.
    """
    pairing: list[int | None] = [None] * len(expected)
    path = bfcl_checker_path(category)
    required_count = 1 if path == "simple" else len(expected)
    if len(calls) != required_count:
        return BfclResult(False, "wrong_count", "wrong number of functions"), pairing
    # BFCL's simple and multiple checkers look at the first expected call only.
    expected_subset = expected if path == "parallel" else expected[:1]
    used: set[int] = set()
    for position, expectation in enumerate(expected_subset):
        last = BfclResult(False, "cannot_find_match", "no call matches")
        for index, (name, args) in enumerate(calls):
            if index in used:
                continue
            if expectation.doc is None:
                last = BfclResult(False, "undefined_tool", "expected tool is not defined")
                break
            last = check_call(expectation.doc, name, args, expectation.answer)
            if last.valid:
                used.add(index)
                pairing[position] = index
                break
        if not last.valid:
            return last, pairing
    return OK, pairing
