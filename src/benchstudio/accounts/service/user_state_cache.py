"""A short-lived, per-process cache of what authentication reads about a user on every request.

Every authenticated request checks that its user is still active and that the token's
`token_version` is current. Reading that from the database on each request cost a full read
unit (about a third of the API's CPU per history page under `benchmarks/load_platform.py`).

Changes made in this process (`forget`) take effect at once. A change made by another API
replica is seen within `ttl_s`. A read that started before a change cannot store what it read
after it: each `forget` bumps a generation, and `put` only stores under the generation its
read began with (one counter for all users: changes are rare, a skipped store costs one read).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry(Generic[T]):
    value: T
    expires: float


class UserStateCache(Generic[T]):
    def __init__(self, ttl_s: float, max_entries: int) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry[T]] = OrderedDict()
        self._generation = 0

    def get(self, user_id: str) -> T | None:
        entry = self._entries.get(user_id)
        if entry is None:
            return None
        if entry.expires <= time.monotonic():
            del self._entries[user_id]
            return None
        return entry.value

    def generation(self) -> int:
        """Take before reading the user; hand to `put` with what was read."""
        return self._generation

    def put(self, user_id: str, value: T, generation: int) -> None:
        if generation != self._generation:
            return  # changed while it was being read: the value may be stale
        self._entries[user_id] = _Entry(value, time.monotonic() + self.ttl_s)
        self._entries.move_to_end(user_id)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget(self, user_id: str) -> None:
        """The user changed (role, active flag, sessions revoked, deleted)."""
        self._entries.pop(user_id, None)
        self._generation += 1
