"""The per-case verdict record and the error taxonomy."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.toolcall.outputs import CallFormat


class ErrorCategory(StrEnum):
    """Why a case failed (the first reason, in this order of precedence)."""

    API_ERROR = "api_error"
    BAD_FORMAT = "bad_format"  # calls only written as text where native calls are required
    BAD_JSON = "bad_json"
    UNWANTED_CALL = "unwanted_call"
    NO_CALL = "no_call"
    HALLUCINATED_TOOL = "hallucinated_tool"
    WRONG_TOOL = "wrong_tool"
    WRONG_CALL_COUNT = "wrong_call_count"
    MISSING_ARGUMENT = "missing_argument"
    EXTRA_ARGUMENT = "extra_argument"
    TYPE_ERROR = "type_error"
    WRONG_ARGUMENT = "wrong_argument"
    WRONG_ORDER = "wrong_order"
    TOO_MANY_ROUNDS = "too_many_rounds"
    INCOMPLETE_CHAIN = "incomplete_chain"
    UNSOURCED_ARGUMENT = "unsourced_argument"


class MultiTurnScores(BaseModel):
    """Chain scores; see `multiturn.py` for how they fold into the verdict."""

    rounds: int
    completion: float
    efficiency: float | None
    redundant_calls: int
    detours: int
    sourcing: float | None


class ArgumentSimilarity(BaseModel):
    """A `semantic` value of a paired call: its path in the arguments (`city`, nested:
    `address.city`, `items[1].name`), its best similarity (None: unknown), the threshold it
    was held to, and the texts compared for it."""

    call: str
    argument: str
    similarity: float | None
    passed: bool
    threshold: float | None = None
    expected: str | None = None
    actual: str | None = None


def recorded_similarities(verdict: dict[str, Any]) -> dict[tuple[str, str], float | None]:
    """A stored verdict's similarities by (expected text, actual text), to score it again."""
    found: dict[tuple[str, str], float | None] = {}
    for item in verdict.get("semantic") or []:
        record = ArgumentSimilarity.model_validate(item)
        if record.expected is not None and record.actual is not None:
            found[(record.expected, record.actual)] = record.similarity
    return found


class CaseVerdict(BaseModel):
    """Everything measured for one case. Serialised with `pass` as the verdict's key."""

    model_config = ConfigDict(populate_by_name=True)

    case_id: str
    category: str
    profile: str
    passed: bool = Field(alias="pass")
    tool_selection_precision: float
    tool_selection_recall: float
    tool_selection_f1: float
    argument_accuracy: float | None
    schema_valid: bool | None
    hallucinated_tools: list[str] = Field(default_factory=list)
    format: CallFormat
    irrelevance_correct: bool | None
    error_category: ErrorCategory | None
    explanation: list[str] = Field(default_factory=list)
    call_count: int = 0
    latency_ms: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    model: str | None = None
    multi_turn: MultiTurnScores | None = None
    semantic: list[ArgumentSimilarity] = Field(default_factory=list)

    def to_json_line(self) -> str:
        return self.model_dump_json(by_alias=True, exclude_none=False)
