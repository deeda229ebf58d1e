"""Garbage-collector settings for processes whose pauses users would see in our figures.

A full (generation 2) collection walks every tracked object: in the API process, with the app
and its libraries loaded, that measured 180 ms, long enough to stall every request and socket
in flight (`benchmarks/load_platform.py`). In a measuring process the same pause would land
inside someone's time to first token.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def freeze_heap() -> None:
    """Exempt everything alive now (modules, the built app) from future collections.

    Call once a long-running process has loaded what it will keep for its lifetime. Later
    collections then only walk objects made since; garbage is collected first so none of it
    is kept for good.
    """
    gc.collect()
    gc.freeze()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """`freeze_heap` for a stretch of work, such as a measurement, then back to normal.

    Unfreezing hands the objects back to the collector, so a process that measures more than
    once (a test session running the CLI) does not keep its garbage for good. A heap already
    frozen for good (`serve`, `worker`) stays as it is: `gc.unfreeze` would undo that too.
    """
    if gc.get_freeze_count():
        yield
        return
    freeze_heap()
    try:
        yield
    finally:
        gc.unfreeze()
