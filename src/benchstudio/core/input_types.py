"""Input shapes every API edge shares: row ids, free query text, bodies without NUL characters.

PostgreSQL cannot store or compare NUL, and its JSON columns refuse NaN and Infinity (which
Python's JSON parser accepts), so both are refused at the edge with a 422 rather than surfacing
as a database error (a 500) deep inside a query.
"""

from __future__ import annotations

import math
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


def unstorable_value(value: Any) -> str | None:
    """Why `value` (decoded JSON, at any depth) cannot be stored, or None.

    Iterative, so deeply nested input cannot exhaust the stack.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "text must not contain NUL characters"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "numbers must be finite (no NaN or Infinity)"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return None


class CleanInput(BaseModel):
    """Request bodies: refuse NUL characters and non-finite numbers anywhere (a 422)."""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        if problem := unstorable_value(data):
            raise ValueError(problem)
        return data
