"""A multi-turn result turn by turn, for the case drill-down (pure).

Everything is read from what the run stored: the opening messages from the first exchange's
request, each round's calls and the mock results fed back from the chain transcript. Which mock
answered a call is not stored; it is recomputed with the chain's own rule (the first mock of that
tool whose `when_arguments` the call contains, else its unconditional mock, else the default
response), which is deterministic for the suite snapshot the run kept.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from benchstudio.toolcall.matching import contains
from benchstudio.toolcall.outputs import decode_call
from benchstudio.toolcall.schemas import MultiTurnSettings, TestCase

MockSource = Literal["when_arguments", "unconditional", "default"]


class OpeningMessage(BaseModel):
    role: str
    content: str


class TranscriptCall(BaseModel):
    call_index: int = Field(
        description="Position over all the model's calls, as in argument_checks."
    )
    name: str
    arguments: Any = Field(description="Decoded arguments; the raw text when they were not JSON.")
    result: Any = Field(description="The mock tool result fed back to the model.")
    mock_source: MockSource
    mock_index: int | None = Field(default=None, description="Index in mock_responses.")
    when_arguments: dict[str, Any] | None = None
    expected_index: int | None = Field(default=None, description="The expected call it paired.")
    passed: bool | None = Field(default=None, description="Null: it paired no expected call.")


class TranscriptRound(BaseModel):
    number: int = Field(description="1-based model turn.")
    content: str | None
    calls: list[TranscriptCall]


class Conversation(BaseModel):
    opening: list[OpeningMessage] = Field(description="System and user messages as first sent.")
    rounds: list[TranscriptRound]
    final_answer: str | None = Field(description="The model's text once it stopped calling tools.")
    max_rounds: int
    error: str | None = None


def matched_mock(
    settings: MultiTurnSettings, tool: str, arguments: dict[str, Any]
) -> tuple[MockSource, int | None]:
    """Which mock `toolcall.multiturn.mock_result` answers this call with (same rule)."""
    fallback: int | None = None
    for index, mock in enumerate(settings.mock_responses):
        if mock.tool != tool:
            continue
        if mock.when_arguments is None:
            fallback = index if fallback is None else fallback
        elif contains(mock.when_arguments, arguments):
            return "when_arguments", index
    return ("default", None) if fallback is None else ("unconditional", fallback)


def _opening(exchanges: list[dict[str, Any]]) -> list[OpeningMessage]:
    if not exchanges:
        return []
    messages = (exchanges[0].get("request") or {}).get("messages") or []
    return [
        OpeningMessage(role=str(m.get("role", "")), content=str(m.get("content") or ""))
        for m in messages
        if isinstance(m, dict)
    ]


def build_conversation(
    case: TestCase,
    transcript: dict[str, Any],
    exchanges: list[dict[str, Any]],
    pairs: dict[int, tuple[int, bool]],
) -> Conversation:
    """`pairs` maps a call's index over all calls to (expected index, whether it matched)."""
    settings = case.multi_turn or MultiTurnSettings()
    rounds: list[TranscriptRound] = []
    final_answer: str | None = None
    index = 0
    for number, stored in enumerate(transcript.get("rounds") or [], start=1):
        results = stored.get("results") or []
        calls: list[TranscriptCall] = []
        for position, recorded in enumerate(stored.get("tool_calls") or []):
            decoded = decode_call(recorded["name"], recorded.get("arguments", ""))
            arguments = decoded.arguments or {}
            source, mock_index = matched_mock(settings, decoded.name, arguments)
            mock = settings.mock_responses[mock_index] if mock_index is not None else None
            expected_index, passed = pairs.get(index, (None, None))
            calls.append(
                TranscriptCall(
                    call_index=index,
                    name=decoded.name,
                    arguments=arguments if decoded.arguments is not None else recorded["arguments"],
                    result=results[position] if position < len(results) else None,
                    mock_source=source,
                    mock_index=mock_index,
                    when_arguments=mock.when_arguments if mock is not None else None,
                    expected_index=expected_index,
                    passed=passed,
                )
            )
            index += 1
        content = stored.get("content")
        if not calls:
            final_answer = content
        rounds.append(TranscriptRound(number=number, content=content, calls=calls))
    return Conversation(
        opening=_opening(exchanges),
        rounds=rounds,
        final_answer=final_answer,
        max_rounds=settings.max_rounds,
        error=transcript.get("error"),
    )
