"""Argon2 off the event loop, in bounded slots.

Argon2 runs in worker threads, at most `HASH_CONCURRENCY` at once per event loop: a burst of
sign-ups, resets or logins waits its turn instead of taking every core and the loop's thread
pool (requests that hash nothing are not slowed).
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from benchstudio.accounts.domain import normalise_password
from benchstudio.core.passwords import PasswordHasher

HASH_CONCURRENCY = max(1, min(4, (os.cpu_count() or 2) // 2))
_hash_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)

# Verified when the email is unknown, so both paths take as long (no account enumeration).
_DUMMY_PASSWORD = "benchstudio-timing-equaliser"  # noqa: S105 (not a credential)
_dummy_hashes: dict[int, str] = {}

_P = ParamSpec("_P")
_R = TypeVar("_R")


async def _in_slot(work: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
    """Run one Argon2 hash or verification off the event loop, in a bounded slot."""
    loop = asyncio.get_running_loop()
    slots = _hash_slots.get(loop)
    if slots is None:
        slots = _hash_slots[loop] = asyncio.Semaphore(HASH_CONCURRENCY)
    async with slots:
        return await asyncio.to_thread(work, *args, **kwargs)


class BoundedHasher:
    """A `PasswordHasher` whose work runs in the bounded slots, on normalised passwords."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher

    async def hash(self, password: str) -> str:
        # Argon2 is deliberately slow: callers check everything else first (no free work).
        return await _in_slot(self.hasher.hash, normalise_password(password))

    async def verify(self, password: str, stored: str) -> tuple[bool, str | None]:
        """Whether `password` matches `stored`, and a new hash when the parameters changed."""
        return await _in_slot(self.hasher.verify, normalise_password(password), stored)

    async def verify_nothing(self) -> None:
        """As long as a verification, for an unknown account (no account enumeration)."""
        key = id(self.hasher)
        if key not in _dummy_hashes:
            _dummy_hashes[key] = await _in_slot(self.hasher.hash, _DUMMY_PASSWORD)
        await _in_slot(self.hasher.verify, _DUMMY_PASSWORD, _dummy_hashes[key])
