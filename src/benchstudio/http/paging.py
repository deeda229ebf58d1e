"""`?limit=&offset=` as one dependency: each list sets its page size and its ceiling."""

# No `from __future__ import annotations`: FastAPI reads the closure's parameter annotations at
# runtime, and they name the factory's arguments.
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Query

from benchstudio.core.input_types import MAX_OFFSET


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def paging(default_limit: int, max_limit: int) -> Any:
    """`page: Annotated[Page, paging(50, 200)]`; the parameters document as before."""

    async def page(
        limit: int = Query(default_limit, ge=1, le=max_limit),
        offset: int = Query(0, ge=0, le=MAX_OFFSET),
    ) -> Page:
        return Page(limit, offset)

    dependency: Callable[..., Awaitable[Page]] = page
    return Depends(dependency)
