"""Account use cases."""

from __future__ import annotations

import asyncio

from benchstudio.accounts import repository
from benchstudio.accounts.schemas import NewUser, UserOut
from benchstudio.audit import service as audit
from benchstudio.core.errors import ConflictError
from benchstudio.core.passwords import PasswordHasher
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import write_unit


async def create_user(
    db: Database, hasher: PasswordHasher, new_user: NewUser, *, actor_id: str | None = None
) -> UserOut:
    """Create a user; the first user of an instance always becomes admin."""
    # Argon2 is deliberately slow: keep it off the event loop.
    password_hash = await asyncio.to_thread(hasher.hash, new_user.password)
    async with write_unit(db) as session:
        if await repository.get_by_email(session, new_user.email) is not None:
            raise ConflictError("A user with this email already exists.", code="email_taken")
        role = "admin" if await repository.count_users(session) == 0 else new_user.role
        user = repository.add_user(session, new_user.email, password_hash, role)
        await session.flush()
        audit.record(
            session, "user.created", actor_id=actor_id, target=user.id, detail={"role": role}
        )
        return UserOut.model_validate(user)
