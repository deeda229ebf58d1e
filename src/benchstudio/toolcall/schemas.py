"""Suites, test cases and expectations: the records every other toolcall module works on.

These Pydantic models are also the suite file format (see `suite_file.py`); the published JSON
Schema in `docs/schemas/suite.schema.json` is generated from them.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

# OpenAI's rule for function names; dotted BFCL names are exposed with underscores.
TOOL_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
SUITE_FORMAT_VERSION = 1


class MatchMode(StrEnum):
    """How an argument value is compared with its acceptable values."""

    EXACT = "exact"  # canonical JSON equality (1 == 1.0, True != 1)
    BFCL = "bfcl"  # BFCL's AST checker rules for this one argument
    FUZZY = "fuzzy"  # normalised strings with a similarity threshold, numeric tolerance
    CONTAINS = "contains"  # expected is a substring / sub-list / sub-object of the actual value
    SEMANTIC = "semantic"  # an injected scorer (judge model or embeddings) decides
    IGNORE = "ignore"  # never checked; may be omitted
    PRESENT = "present"  # must be supplied, any value


class CallOrder(StrEnum):
    """How the model's calls must relate to the expected calls."""

    ORDERED = "ordered"  # the same calls, in the expected order
    UNORDERED = "unordered"  # the same calls, any order
    SUBSET = "subset"  # every call made is expected; some expected calls may be missing
    SUPERSET = "superset"  # every expected call is made; extra calls are allowed


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ArgumentExpectation(_Strict):
    """What one argument may be. A value passes if it matches ANY alternative.

    `acceptable` lists whole literal values. `objects` lists structured alternatives for
    object values (per-key expectations; keys not listed are unexpected). `item_lists` lists
    structured alternatives for list values, compared position by position. With no
    alternative at all (and not omittable) nothing passes, as in BFCL's few unpassable entries.
    """

    acceptable: list[JsonValue] = Field(default_factory=list)
    objects: list[dict[str, ArgumentExpectation]] = Field(default_factory=list)
    item_lists: list[list[ArgumentExpectation]] = Field(default_factory=list)
    omittable: bool = False
    match: MatchMode | None = Field(
        default=None, description="Match mode; None means the profile's default."
    )
    fuzzy_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    numeric_tolerance: float | None = Field(default=None, ge=0.0)


class ExpectedCall(_Strict):
    """One call the model should make."""

    name: str
    arguments: dict[str, ArgumentExpectation] = Field(default_factory=dict)
    # Arguments that must come from an earlier tool result (multi-turn chains).
    sourced_arguments: list[ArgumentSource] = Field(default_factory=list)


class ArgumentSource(_Strict):
    """This call's `argument` must equal the value at `path` in an earlier `from_tool` result."""

    argument: str
    from_tool: str
    path: list[str | int] = Field(default_factory=list)


class MockResponse(_Strict):
    """A canned tool result; `when_arguments` (sub-object match) narrows it to some calls."""

    tool: str
    when_arguments: dict[str, JsonValue] | None = None
    result: JsonValue


def _default_tool_result() -> JsonValue:
    return {"status": "ok"}


class MultiTurnSettings(_Strict):
    """A chain: the model is driven in a loop with mock tool results."""

    max_rounds: int = Field(default=8, ge=1, le=100)
    optimal_hops: int | None = Field(default=None, ge=1)
    mock_responses: list[MockResponse] = Field(default_factory=list)
    default_response: JsonValue = Field(default_factory=_default_tool_result)


class ChatMessage(_Strict):
    role: Literal["system", "user", "assistant", "tool"]
    content: str


class ToolFunction(_Strict):
    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})

    @field_validator("name")
    @classmethod
    def _openai_name(cls, name: str) -> str:
        if not TOOL_NAME_PATTERN.match(name):
            raise ValueError(f"tool name {name!r} must match {TOOL_NAME_PATTERN.pattern}")
        return name

    @field_validator("parameters")
    @classmethod
    def _valid_schema(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        from benchstudio.toolcall.schema_check import schema_problem  # lazy: fast CLI start

        problem = schema_problem(parameters)
        if problem is not None:
            raise ValueError(f"tool parameters are not a valid JSON Schema: {problem}")
        if parameters.get("type") != "object":
            raise ValueError("tool parameters must be a JSON Schema of type 'object'")
        return parameters


class Tool(_Strict):
    """A tool in OpenAI function format; `source_name` keeps a dotted BFCL name."""

    type: Literal["function"] = "function"
    function: ToolFunction
    source_name: str | None = None


class TestCase(_Strict):
    """One prompt (or message list) and what the model should do with it."""

    __test__ = False  # not a pytest class, despite the name

    id: str = Field(min_length=1, max_length=200)
    category: str = "general"
    prompt: str | None = None
    messages: list[ChatMessage] | None = None
    # Tools for this case only; None means the suite's tools (BFCL entries bring their own).
    tools: list[Tool] | None = None
    expected_calls: list[ExpectedCall] = Field(default_factory=list)
    order: CallOrder = CallOrder.UNORDERED
    should_call_tool: bool | None = Field(
        default=None,
        description="False: irrelevance case. True with no expected calls: any call passes. "
        "None: derived from expected_calls.",
    )
    multi_turn: MultiTurnSettings | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TestCase:
        if (self.prompt is None) == (self.messages is None):
            raise ValueError(f"case {self.id}: give exactly one of prompt or messages")
        if self.should_call_tool is False and self.expected_calls:
            raise ValueError(f"case {self.id}: should_call_tool is false but calls are expected")
        return self

    @property
    def expects_a_call(self) -> bool:
        if self.should_call_tool is None:
            return bool(self.expected_calls)
        return self.should_call_tool


class Suite(_Strict):
    """A named, versioned set of tools and test cases."""

    format_version: int = SUITE_FORMAT_VERSION
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    version: int = Field(default=1, ge=1)
    system_prompt: str | None = None
    tools: list[Tool] = Field(default_factory=list)
    cases: list[TestCase] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_and_resolvable(self) -> Suite:
        seen: set[str] = set()
        for case in self.cases:
            if case.id in seen:
                raise ValueError(f"duplicate case id {case.id!r}")
            seen.add(case.id)
        _require_unique_tool_names(self.tools, "suite")
        for case in self.cases:
            if case.tools is not None:
                _require_unique_tool_names(case.tools, f"case {case.id}")
        return self

    def tools_for(self, case: TestCase) -> list[Tool]:
        return case.tools if case.tools is not None else self.tools


def _require_unique_tool_names(tools: list[Tool], where: str) -> None:
    names = [tool.function.name for tool in tools]
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: duplicate tool names")


ExpectedCall.model_rebuild()
ArgumentExpectation.model_rebuild()
