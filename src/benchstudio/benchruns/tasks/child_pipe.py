"""The parent's end of a measuring child's message pipe, read by the event loop itself.

The child writes with `multiprocessing.Connection.send` (a pickle framed by a 4-byte big-endian
signed length, or -1 and then an 8-byte length for a message of 2 GiB or more). Reading it back
with `Connection.recv()` after `loop.add_reader()` is not safe: uvloop makes a watched fd
non-blocking, so a message bigger than the pipe buffer (64 KB) raised `BlockingIOError` mid-way,
which looked like the end of the pipe ("stopped unexpectedly (exit code 0)"). Here an asyncio
read-pipe protocol gathers bytes as they come and unpickles only complete messages.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import struct
from typing import Any

_HEADER = struct.Struct("!i")
_HUGE_HEADER = struct.Struct("!Q")


class FrameReader(asyncio.Protocol):
    """Complete messages of a `multiprocessing` pipe, as they arrive; `ended` at EOF."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._start = 0  # bytes of `_buffer` already consumed
        self.messages: list[Any] = []
        self.ended = False
        self.arrived = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (message := self._next_frame()) is not None:
            # Our own child wrote it, as `Connection.recv()` would have unpickled it.
            self.messages.append(pickle.loads(message))  # noqa: S301
        if self._start:
            del self._buffer[: self._start]
            self._start = 0
        if self.messages:
            self.arrived.set()

    def _next_frame(self) -> bytes | None:
        buffer, start = self._buffer, self._start
        available = len(buffer) - start
        if available < _HEADER.size:
            return None
        (size,) = _HEADER.unpack_from(buffer, start)
        header = _HEADER.size
        if size == -1:
            if available < header + _HUGE_HEADER.size:
                return None
            (size,) = _HUGE_HEADER.unpack_from(buffer, start + header)
            header += _HUGE_HEADER.size
        if available < header + size:
            return None
        self._start = start + header + size
        return bytes(buffer[start + header : self._start])

    def eof_received(self) -> bool:
        self.ended = True
        self.arrived.set()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.arrived.set()

    def take(self) -> list[Any]:
        found, self.messages = self.messages, []
        if not self.ended:
            self.arrived.clear()
        return found


async def open_reader(connection: Any) -> tuple[asyncio.BaseTransport, FrameReader]:
    """Hand `connection`'s fd to the event loop (the connection is closed: the loop owns it)."""
    fd = os.dup(connection.fileno())
    connection.close()
    pipe = os.fdopen(fd, "rb", buffering=0)
    loop = asyncio.get_running_loop()
    transport, reader = await loop.connect_read_pipe(FrameReader, pipe)
    return transport, reader
