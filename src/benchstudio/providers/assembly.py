"""Fold a stream of events into a `ChatResponse` (for evals that stream, and for tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from benchstudio.providers.base import (
    CONTENT,
    FINISH,
    FIRST_BYTE,
    REASONING,
    TOOL_CALL_DELTA,
    USAGE,
    ChatResponse,
    StreamEvent,
    ToolCall,
    Usage,
)


class StreamAccumulator:
    """Collects text, reasoning, tool-call fragments (joined per index), usage and finish."""

    def __init__(self, request_id: str = "") -> None:
        self.request_id = request_id
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.calls: dict[int, ToolCall] = {}
        self.fragments: dict[int, list[str]] = {}
        self.usage = Usage()
        self.finish_reason: str | None = None
        self.first_ns: int | None = None
        self.last_ns: int | None = None

    def add(self, event: StreamEvent) -> None:
        kind = event.kind
        if kind == FIRST_BYTE:
            self.first_ns = event.t_ns
        elif kind == CONTENT:
            self.content.append(event.text)
        elif kind == REASONING:
            self.reasoning.append(event.text)
        elif kind == TOOL_CALL_DELTA:
            self._add_tool_fragment(event)
        elif kind == USAGE and event.usage is not None:
            self.usage = event.usage
        elif kind == FINISH:
            self.finish_reason = event.finish_reason
        self.last_ns = event.t_ns

    def _add_tool_fragment(self, event: StreamEvent) -> None:
        index = event.tool_index or 0
        call = self.calls.get(index)
        if call is None:
            call = self.calls[index] = ToolCall(
                id=f"call_{index}", name="", arguments="", index=index
            )
            self.fragments[index] = []
        if event.tool_id:
            call.id = event.tool_id
        if event.tool_name:
            call.name = event.tool_name
        self.fragments[index].append(event.text)

    def response(self, started_ns: int) -> ChatResponse:
        calls = []
        for index in sorted(self.calls):
            call = self.calls[index]
            call.arguments = "".join(self.fragments[index])
            calls.append(call)
        end = self.last_ns if self.last_ns is not None else started_ns
        return ChatResponse(
            content="".join(self.content),
            reasoning="".join(self.reasoning),
            tool_calls=calls,
            usage=self.usage,
            finish_reason=self.finish_reason,
            latency_ns=end - started_ns,
            request_id=self.request_id,
        )


async def collect_stream(
    events: AsyncIterator[StreamEvent], started_ns: int, request_id: str = ""
) -> ChatResponse:
    """Consume `events` (errors propagate) and return the assembled response."""
    accumulator = StreamAccumulator(request_id)
    async for event in events:
        accumulator.add(event)
    return accumulator.response(started_ns)
