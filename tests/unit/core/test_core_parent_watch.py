from __future__ import annotations

import multiprocessing
import threading

from benchstudio.core.parent_watch import KEEPALIVE, STOP, ParentWatch


def test_keep_alives_do_not_stop_the_child_and_stop_does() -> None:
    reader, writer = multiprocessing.Pipe(duplex=False)
    reasons: list[str] = []
    called = threading.Event()

    def on_stop(reason: str) -> None:
        reasons.append(reason)
        called.set()

    watch = ParentWatch(reader, silence_s=60.0, grace_s=60.0, on_stop=on_stop)
    watch.start()
    for _ in range(3):
        writer.send(KEEPALIVE)
    writer.send(STOP)
    assert called.wait(30)
    assert reasons == ["stop"]
    assert not watch.parent_lost  # asked to stop: the child winds down and reports as usual
    writer.close()
    reader.close()
