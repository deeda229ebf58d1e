"""A per-key sliding-window rate limiter held in this process.

For work that costs this process CPU or memory (a benchmark preview sizes prompts with the
tokenizer): each API replica protects itself, so no shared store is needed. Sign-in throttles,
which must hold across replicas, live in the database instead (`auth`).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class WindowLimiter:
    """At most `limit` calls per `window_s` seconds per key; at most `max_keys` keys tracked
    (the ones idle longest are forgotten first, so memory stays bounded)."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int | None:
        """Count a call for `key`: None if allowed, else the seconds until one is (not counted)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            self._hits[key] = hits  # re-inserted: the dict's order is least recently used first
            if len(hits) >= self.limit:
                return max(1, math.ceil(hits[0] + self.window_s - now))
            hits.append(now)
            while len(self._hits) > self._max_keys:
                del self._hits[next(iter(self._hits))]
            return None

    def tracked_keys(self) -> int:
        with self._lock:
            return len(self._hits)
