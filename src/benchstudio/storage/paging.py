"""What a page of results already tells about the whole list, so `count(*)` can be skipped."""

from __future__ import annotations


def total_from_page(rows_on_page: int, limit: int, offset: int) -> int | None:
    """The list's length when the page shows it, else None (count it).

    A short page is the last one: the total is everything before it plus what it holds. An
    empty page past the first says nothing (the offset may lie beyond the end).
    """
    if rows_on_page < limit and (rows_on_page > 0 or offset == 0):
        return offset + rows_on_page
    return None
