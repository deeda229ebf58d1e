"""The `bfcl` profile's verdict: BFCL's decoding, relevance rules and AST checker.

Decoding follows BFCL's OpenAI function-calling handler: each tool call becomes
`{name: json.loads(arguments)}`; with no tool calls the model's text is what gets decoded,
which never yields a call.
"""

from __future__ import annotations

import json
from typing import Any

from benchstudio.toolcall.bfcl_bridge import bfcl_answer, bfcl_doc
from benchstudio.toolcall.bfcl_rules import (
    BfclExpectation,
    BfclResult,
    check_calls,
)
from benchstudio.toolcall.outputs import DecodedCall, ModelOutput
from benchstudio.toolcall.schemas import TestCase, Tool
from benchstudio.toolcall.verdicts import ErrorCategory

_DECODE_FAILED = BfclResult(False, "ast_decoder:decoder_failed", "could not decode the output")


def decode_like_bfcl(output: ModelOutput) -> list[tuple[str, Any]] | None:
    """BFCL's FC decode: None when it raises (no tool calls, or arguments that are not JSON)."""
    if not output.tool_calls:
        # BFCL decodes the text content instead; only "" decodes (to no calls at all).
        return [] if output.content == "" else None
    decoded: list[tuple[str, Any]] = []
    for call in output.tool_calls:
        try:
            decoded.append((call.name, json.loads(call.arguments)))
        except ValueError:
            return None
    return decoded


def _is_call_format(decoded: list[tuple[str, Any]]) -> bool:
    return all(isinstance(arguments, dict) for _, arguments in decoded)


def contains_call(output: ModelOutput) -> bool:
    """BFCL's relevance test: decoding worked and gave a non-empty list in call format."""
    decoded = decode_like_bfcl(output)
    return decoded is not None and _is_call_format(decoded) and len(decoded) > 0


def _expectations(case: TestCase, tools: list[Tool]) -> list[BfclExpectation]:
    # BFCL's simple checker takes the entry's first doc; in every BFCL simple entry that is
    # the expected function, so looking the doc up by name agrees and suits our own suites.
    by_name = {tool.function.name: tool for tool in tools}
    expectations = []
    for expected in case.expected_calls:
        tool = by_name.get(expected.name)
        doc = bfcl_doc(tool) if tool is not None else None
        expectations.append(BfclExpectation(doc, bfcl_answer(expected.arguments)))
    return expectations


def judge(case: TestCase, tools: list[Tool], output: ModelOutput) -> BfclResult:
    """BFCL's verdict for one case."""
    if not case.expected_calls:
        called = contains_call(output)
        if called == case.expects_a_call:
            return BfclResult(True)
        if called:
            return BfclResult(False, "irrelevance_error:decoder_success", "a call was made")
        return BfclResult(False, "relevance_error:decoder_failed", "no call was made")
    decoded = decode_like_bfcl(output)
    if decoded is None:
        return _DECODE_FAILED
    if not _is_call_format(decoded):
        return BfclResult(False, "ast_decoder:decoder_wrong_output_format", "not call format")
    result, _ = check_calls(case.category, decoded, _expectations(case, tools))
    return result


def error_category(
    error_type: str, calls: list[DecodedCall], tools: list[Tool], case: TestCase
) -> ErrorCategory:
    """Map BFCL's error type onto our taxonomy."""
    names = {tool.function.name for tool in tools}
    if error_type.startswith("irrelevance_error"):
        return ErrorCategory.UNWANTED_CALL
    if error_type.startswith("relevance_error"):
        return ErrorCategory.NO_CALL
    if error_type.startswith("ast_decoder"):
        return ErrorCategory.NO_CALL if not calls else ErrorCategory.BAD_JSON
    if any(call.name not in names for call in calls):
        return ErrorCategory.HALLUCINATED_TOOL
    if "wrong_count" in error_type:
        return ErrorCategory.NO_CALL if not calls else ErrorCategory.WRONG_CALL_COUNT
    if "wrong_func_name" in error_type:
        return ErrorCategory.WRONG_TOOL
    if "missing" in error_type:
        return ErrorCategory.MISSING_ARGUMENT
    if "unexpected_param" in error_type or "dict_key" in error_type:
        return ErrorCategory.EXTRA_ARGUMENT
    if error_type.startswith("type_error"):
        return ErrorCategory.TYPE_ERROR
    if "cannot_find_match" in error_type:
        called = sorted(call.name for call in calls)
        expected = sorted(expected.name for expected in case.expected_calls)
        return ErrorCategory.WRONG_ARGUMENT if called == expected else ErrorCategory.WRONG_TOOL
    return ErrorCategory.WRONG_ARGUMENT
