"""Ground truth: what the simulator did per request, on the monotonic perf_counter_ns clock.

time.perf_counter_ns() is CLOCK_MONOTONIC on Linux, shared by every process on the machine, so
a client in another process can compare its own timestamps with these.
Events are kept in compact arrays (8+8+1 bytes each) because the hot path appends one per SSE
event; records live in a bounded ring buffer (oldest evicted first).
"""

from __future__ import annotations

import json
from array import array
from collections import deque
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

ROLE, CONTENT, REASONING, TOOL, FINISH, USAGE, DONE, META, COMMENT, ERROR, MALFORMED, BODY = range(
    12
)
KIND_NAMES = (
    "role",
    "content",
    "reasoning",
    "tool",
    "finish",
    "usage",
    "done",
    "meta",
    "comment",
    "error",
    "malformed",
    "body",
)


class RequestRecord:
    """One request: identity, outcome, and every event written with its token count."""

    __slots__ = (
        "completed",
        "event_kinds",
        "event_times",
        "event_tokens",
        "faults",
        "format",
        "model",
        "output_tokens",
        "path",
        "planned_ttft_ms",
        "prefill_ms",
        "prompt_tokens",
        "quirks",
        "reasoning_tokens",
        "request_id",
        "request_read_ns",
        "status",
        "stream",
        "tool_mistake",
    )

    def __init__(self, request_id: str, path: str, request_read_ns: int) -> None:
        self.request_id = request_id
        self.path = path
        self.request_read_ns = request_read_ns
        self.format = ""
        self.model = ""
        self.stream = False
        self.status = 0
        self.prompt_tokens = 0
        self.output_tokens = 0
        self.reasoning_tokens = 0
        self.prefill_ms = 0.0
        self.planned_ttft_ms = 0.0
        self.tool_mistake: str | None = None
        self.faults: list[str] = []
        self.quirks: list[str] = []
        self.completed = False
        self.event_times = array("q")
        self.event_tokens = array("q")
        self.event_kinds = bytearray()

    def add_event(self, t_ns: int, kind: int, tokens: int) -> None:
        self.event_times.append(t_ns)
        self.event_tokens.append(tokens)
        self.event_kinds.append(kind)

    def to_dict(self) -> dict[str, Any]:
        events = [
            {"t_ns": t, "kind": KIND_NAMES[k], "tokens": n}
            for t, k, n in zip(self.event_times, self.event_kinds, self.event_tokens, strict=True)
        ]
        return {
            "request_id": self.request_id,
            "format": self.format,
            "model": self.model,
            "path": self.path,
            "stream": self.stream,
            "status": self.status,
            "request_read_ns": self.request_read_ns,
            "prompt_tokens": self.prompt_tokens,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "prefill_ms": self.prefill_ms,
            "planned_ttft_ms": self.planned_ttft_ms,
            "tool_mistake": self.tool_mistake,
            "faults": self.faults,
            "quirks": self.quirks,
            "completed": self.completed,
            "events": events,
        }


class TimingLog:
    """Bounded ring buffer of request records, oldest first."""

    def __init__(self, capacity: int) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=capacity)
        self._by_id: dict[str, RequestRecord] = {}
        self.evicted = 0

    def add(self, record: RequestRecord) -> None:
        if len(self._records) == self._records.maxlen:
            oldest = self._records[0]
            if self._by_id.get(oldest.request_id) is oldest:
                del self._by_id[oldest.request_id]
            self.evicted += 1
        self._records.append(record)
        self._by_id[record.request_id] = record

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self._records)

    def find(self, request_id: str) -> RequestRecord | None:
        return self._by_id.get(request_id)

    def clear(self) -> None:
        self._records.clear()
        self._by_id.clear()
        self.evicted = 0

    def page(self, offset: int, limit: int) -> dict[str, Any]:
        """A JSON-ready page: items[offset:offset+limit], oldest first."""
        items = [r.to_dict() for r in islice(self._records, offset, offset + limit)]
        return {
            "total": len(self._records),
            "evicted": self.evicted,
            "offset": offset,
            "limit": limit,
            "items": items,
        }

    def dump_jsonl(self, path: Path | str) -> int:
        """Write every record as one JSON line; returns how many were written."""
        count = 0
        with Path(path).open("w", encoding="utf-8") as out:
            for record in self._records:
                out.write(json.dumps(record.to_dict(), separators=(",", ":")) + "\n")
                count += 1
        return count
