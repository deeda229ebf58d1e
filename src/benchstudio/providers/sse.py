"""A small, fast Server-Sent Events decoder (bytes in, (event, data) pairs out).

Tolerates what real servers send: `:` comments and keep-alives, CRLF or LF line ends, several
`data:` lines per event (joined with newlines), `event:` names, and events split across reads.
It is on the measured hot path, so it works on bytes, avoids per-line objects and appends into
the caller's list instead of building a new one per read. `data` stays bytes: the JSON decoders
read bytes directly, so no text decode is spent on it.
"""

from __future__ import annotations

from typing import Final

_DATA: Final = b"data:"
_EVENT: Final = b"event:"
_LF: Final = b"\n"


class SSEDecoder:
    """Incremental decoder; call `feed(chunk, out)` per network read and `flush(out)` at EOF.

    An unfinished line is kept as a list of the reads that carried it and joined once, when the
    read that ends it arrives: an event split over n reads costs O(total bytes), not O(n²).
    `copied` counts the bytes joined that way (for tests and diagnostics).
    """

    __slots__ = ("_data", "_event", "_parts", "copied")

    def __init__(self) -> None:
        self._parts: list[bytes] = []  # reads carrying the unfinished last line
        self._data: list[bytes] = []
        self._event = ""
        self.copied = 0

    def feed(self, chunk: bytes, out: list[tuple[str, bytes]]) -> None:
        """Append the events completed by `chunk`, in order, as (event name, data bytes)."""
        parts = self._parts
        if parts:  # a line is unfinished: keep the read, join only once its end has come
            parts.append(chunk)
            if _LF not in chunk:
                return
            chunk = b"".join(parts)
            self.copied += len(chunk)
            parts.clear()
        lines = chunk.split(_LF)
        pending = lines.pop()  # the (possibly empty) unfinished last line
        if pending:
            parts.append(pending)
        data = self._data
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if data:
                    out.append((self._event, data[0] if len(data) == 1 else _LF.join(data)))
                    data.clear()
                self._event = ""
            elif line.startswith(_DATA):
                data.append(line[6:] if line[5:6] == b" " else line[5:])
            elif line[0] == 0x3A:  # ":" comment / keep-alive
                continue
            elif line.startswith(_EVENT):
                self._event = line[6:].strip().decode("utf-8", "replace")
            # id:, retry: and unknown fields are ignored, as the SSE spec says

    def flush(self, out: list[tuple[str, bytes]]) -> None:
        """Append the events left when the stream ended without a final blank line."""
        if self._parts or self._data:
            self.feed(b"\n\n", out)
        self._parts.clear()
