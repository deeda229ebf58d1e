"""Input shapes every API edge shares: row ids, free query text, bodies without NUL characters.

PostgreSQL cannot store or compare NUL, so it is refused at the edge with a 422 rather than
surfacing as a database error (a 500) deep inside a query.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints, model_validator

# Row ids in paths and filters: what `core.ids.new_id` produces, and nothing PostgreSQL rejects.
ObjectId = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
]
# Paging offsets stay far inside every database's integer range.
MAX_OFFSET = 1_000_000
# Free text in query strings: anything but NUL.
QueryText = Annotated[str, StringConstraints(max_length=320, pattern=r"^[^\x00]*$")]


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(v) for v in value)
    return False


class CleanInput(BaseModel):
    """Request bodies: refuse NUL characters anywhere (a 422, not a database error)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if contains_nul(data):
            raise ValueError("text must not contain NUL characters")
        return data
