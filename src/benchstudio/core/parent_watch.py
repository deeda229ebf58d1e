"""Child processes that end with their parent: killed, crashed or paused.

Our children (measuring children, the summary worker) are started by multiprocessing's fork
server, so they are *grandchildren* of the server or worker that wants them. That rules out
Linux's `prctl(PR_SET_PDEATHSIG)`: it fires when the direct parent (the fork server, which
outlives its clients) exits, and even then per parent *thread*, not process. It is also
Linux-only. A pipe does not care who forked whom:

- `lifeline()`: a pipe whose write end only the parent process holds and never writes. A child
  given the read end sees EOF the moment the parent is gone, however it ended (`kill -9`
  included), and `exit_with_parent` ends the child then.
- `ParentWatch`: for a child that must also stop while its parent is *paused* (SIGSTOP, a
  frozen VM: the parent can neither renew its job lease nor tell the child anything), the
  parent sends a keep-alive every `KEEPALIVE_S` and the child stops after `silence_s` without
  one.

Once its clients are gone, the fork server sees EOF on its own "alive" pipe and exits, and the
multiprocessing resource tracker exits when the last holder of its pipe is gone: nothing stays.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

KEEPALIVE = "alive"
STOP = "stop"
KEEPALIVE_S = 0.5
# Exit code of a child ended because its parent was gone or silent.
EXIT_PARENT_LOST = 75

_lock = threading.Lock()
_lifeline: tuple[int, Connection, Connection] | None = None


def lifeline() -> Connection:
    """The read end of this process's lifeline, to hand to a child (multiprocessing passes the
    child a duplicate). Nothing is ever written: EOF means this process has exited."""
    global _lifeline
    with _lock:
        if _lifeline is None or _lifeline[0] != os.getpid():  # a forked copy needs its own
            reader, writer = multiprocessing.Pipe(duplex=False)
            _lifeline = (os.getpid(), reader, writer)
        return _lifeline[1]


def _exit_on_eof(connection: Connection) -> None:
    with contextlib.suppress(OSError, EOFError):
        while True:
            connection.recv_bytes()  # blocks; nothing is ever sent, so this ends at EOF
    os._exit(EXIT_PARENT_LOST)


def _exit_on_fd_eof(fd: int) -> None:
    with contextlib.suppress(OSError):
        while os.read(fd, 1):
            pass  # nothing is ever written; a read returns b"" at EOF
    os._exit(EXIT_PARENT_LOST)


def exit_when_fd_closes(fd: int) -> None:
    """In a child started with `subprocess` (no multiprocessing connection to hand over): end
    this process at once when `fd`, the read end of a pipe only the parent writes to, reaches
    EOF. The demo simulator that `serve` starts uses it, so a `kill -9` of the server does not
    leave the simulator holding its port."""
    thread = threading.Thread(
        target=_exit_on_fd_eof, args=(fd,), name="parent-lifeline", daemon=True
    )
    thread.start()


def exit_with_parent(connection: Connection) -> None:
    """In the child: end this process at once when the parent's `lifeline()` reaches EOF.

    A `ProcessPoolExecutor` initializer: the pool worker blocks on its call queue, whose write
    end it holds itself, so without this it would wait for work forever after the parent died.
    """
    thread = threading.Thread(
        target=_exit_on_eof, args=(connection,), name="parent-lifeline", daemon=True
    )
    thread.start()


class ParentWatch:
    """The child's side of its control pipe, read by a thread so a busy event loop misses
    nothing: "stop", keep-alives, the parent's silence and its end (EOF).

    `on_stop(reason)` is called once, from the watching thread, with `reason` one of "stop"
    (the parent asked), "parent_gone" (EOF) or "parent_silent" (no keep-alive for
    `silence_s`). After the last two, nobody will read what the child sends (or not in time):
    the child gets `grace_s` to wind down by itself, then the process is ended.
    """

    def __init__(
        self,
        connection: Any,
        *,
        silence_s: float,
        grace_s: float,
        on_stop: Callable[[str], None],
    ) -> None:
        self._connection = connection
        self._silence_s = silence_s
        self._grace_s = grace_s
        self._on_stop = on_stop
        self.reason: str | None = None
        self._thread = threading.Thread(target=self._watch, name="parent-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def parent_lost(self) -> bool:
        return self.reason in ("parent_gone", "parent_silent")

    def _next_reason(self) -> str:
        while True:
            try:
                if not self._connection.poll(self._silence_s):
                    return "parent_silent"
                if self._connection.recv() == STOP:
                    return "stop"
            except (EOFError, OSError):
                return "parent_gone"

    def _watch(self) -> None:
        self.reason = self._next_reason()
        self._on_stop(self.reason)
        if self.parent_lost:
            time.sleep(self._grace_s)
            os._exit(EXIT_PARENT_LOST)
