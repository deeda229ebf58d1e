"""The streamed response body as the read loop sees it: `read`, `release`, `close`.

`read()` returns what one network read delivered (b"" at the end of the body): one read is one
chunk, so the read loop timestamps right after it returns. The aiohttp implementation lives in
`transport.py` (its `read` is aiohttp's own bound `readany`: no extra coroutine per read);
`MemoryByteStream` feeds the read loop scripted reads in unit tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class ByteStream(Protocol):
    async def read(self) -> bytes:
        """The bytes of the next network read; b"" once the body has ended."""
        ...

    def release(self) -> None:
        """Fully read: hand the connection back to the pool."""

    def close(self) -> None:
        """Stopped early or failed: drop the connection (a half-read one must not be reused)."""


class MemoryByteStream:
    """Scripted reads: each item is one read's bytes, or an exception that read raises."""

    def __init__(self, reads: Iterable[bytes | BaseException]) -> None:
        self._reads = list(reads)
        self.reads_done = 0
        self.released = False
        self.closed = False

    async def read(self) -> bytes:
        if self.reads_done >= len(self._reads):
            return b""
        item = self._reads[self.reads_done]
        self.reads_done += 1
        if isinstance(item, BaseException):
            raise item
        return item

    def release(self) -> None:
        self.released = True

    def close(self) -> None:
        self.closed = True
