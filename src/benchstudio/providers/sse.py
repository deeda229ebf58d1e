"""A small, fast Server-Sent Events decoder (bytes in, (event, data) pairs out).

Tolerates what real servers send: `:` comments and keep-alives, CRLF or LF line ends, several
`data:` lines per event (joined with newlines), `event:` names, and events split across reads.
It is on the measured hot path, so it works on bytes and avoids per-line objects.
"""

from __future__ import annotations

from typing import Final

_DATA: Final = b"data:"
_EVENT: Final = b"event:"


class SSEDecoder:
    """Incremental decoder; call `feed(chunk)` per network read and `flush()` at EOF."""

    __slots__ = ("_data", "_event", "_pending")

    def __init__(self) -> None:
        self._pending = b""
        self._data: list[bytes] = []
        self._event = ""

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        """Return the events completed by `chunk`, in order, as (event name, data text)."""
        if self._pending:
            chunk = self._pending + chunk
        lines = chunk.split(b"\n")
        self._pending = lines.pop()  # the (possibly empty) unfinished last line
        out: list[tuple[str, str]] = []
        data = self._data
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if data:
                    text = data[0] if len(data) == 1 else b"\n".join(data)
                    out.append((self._event, text.decode("utf-8", "replace")))
                    data.clear()
                self._event = ""
            elif line.startswith(_DATA):
                value = line[5:]
                data.append(value[1:] if value[:1] == b" " else value)
            elif line[0] == 0x3A:  # ":" comment / keep-alive
                continue
            elif line.startswith(_EVENT):
                self._event = line[6:].strip().decode("utf-8", "replace")
            # id:, retry: and unknown fields are ignored, as the SSE spec says
        return out

    def flush(self) -> list[tuple[str, str]]:
        """Events left when the stream ended without a final blank line."""
        out = self.feed(b"\n\n") if (self._pending or self._data) else []
        self._pending = b""
        return out
