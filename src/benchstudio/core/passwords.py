"""Argon2id password hashing (pwdlib), with rehash detection when parameters change."""

from __future__ import annotations

from dataclasses import dataclass

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


@dataclass(frozen=True)
class Argon2Params:
    time_cost: int = 3
    memory_kib: int = 65_536
    parallelism: int = 4


class PasswordHasher:
    """Hash and verify passwords; verification also says whether to re-hash."""

    def __init__(self, params: Argon2Params | None = None) -> None:
        p = params or Argon2Params()
        self._hash = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=p.time_cost, memory_cost=p.memory_kib, parallelism=p.parallelism
                ),
            )
        )

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, stored_hash: str) -> tuple[bool, str | None]:
        """Return (valid, new_hash_or_None); a new hash means parameters changed."""
        return self._hash.verify_and_update(password, stored_hash)
