"""The parent reads the measuring child's pipe whole messages at a time, under uvloop too."""

from __future__ import annotations

import multiprocessing
import pickle
import struct
import threading
from typing import Any

import uvloop

from benchstudio.benchruns.tasks.child_pipe import FrameReader, open_reader


def _collect(messages: list[Any]) -> tuple[list[Any], bool]:
    """Send `messages` from a thread into a pipe; read them back on a uvloop event loop."""
    reader_end, writer_end = multiprocessing.Pipe(duplex=False)

    def write() -> None:
        for message in messages:
            writer_end.send(message)
        writer_end.close()

    async def read() -> tuple[list[Any], bool]:
        transport, reader = await open_reader(reader_end)
        writer = threading.Thread(target=write)
        writer.start()
        found: list[Any] = []
        while not reader.ended:
            await reader.arrived.wait()
            found.extend(reader.take())
        found.extend(reader.take())
        transport.close()
        writer.join()
        return found, reader.ended

    return uvloop.run(read())


def test_a_message_bigger_than_the_pipe_buffer_arrives_whole_under_uvloop() -> None:
    # 1.5 MB: far over the 64 KB pipe buffer, so it arrives over many reads. Connection.recv()
    # on the fd uvloop had made non-blocking raised BlockingIOError here ("stopped unexpectedly").
    big = ("batch", {"records": [{"request_id": f"r{i}", "pad": "x" * 1000} for i in range(1500)]})
    messages = [("batch", {"records": []}), big, ("done", {"records": 1500})]
    found, ended = _collect(messages)
    assert found == messages
    assert ended


def test_frames_split_anywhere_and_the_huge_header_are_decoded() -> None:
    first, second = pickle.dumps(("batch", {"n": 1})), pickle.dumps(("done", {"records": 7}))
    wire = (
        struct.pack("!i", len(first))
        + first
        # The form multiprocessing uses for messages of 2 GiB and more: -1, then 8 bytes.
        + struct.pack("!i", -1)
        + struct.pack("!Q", len(second))
        + second
    )
    reader = FrameReader()
    for index in range(len(wire)):
        reader.data_received(wire[index : index + 1])
    assert reader.take() == [("batch", {"n": 1}), ("done", {"records": 7})]
    assert not reader.ended
    reader.eof_received()
    assert reader.ended and reader.take() == []


class _Connection:
    """Fails to send one kind of message the way an unpicklable value would."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.closed = False

    def send(self, message: Any) -> None:
        if message[0] == "batch" and message[1].get("bad"):
            raise TypeError("cannot pickle 'generator' object")
        self.sent.append(message)

    def close(self) -> None:
        self.closed = True


def test_the_sender_thread_reports_a_failed_send_instead_of_vanishing() -> None:
    from benchstudio.benchruns.tasks.measuring import PipeSender

    connection = _Connection()
    sender = PipeSender(connection)
    sender.put(("batch", {"records": []}))
    sender.put(("batch", {"bad": True}))
    sender.put(("done", {"records": 0}))
    sender.close()
    assert sender.failed is not None and "TypeError" in sender.failed
    kinds = [kind for kind, _ in connection.sent]
    # The parent hears why (an error, not a silent end of the pipe); nothing follows it.
    assert kinds == ["batch", "error"] and connection.closed
