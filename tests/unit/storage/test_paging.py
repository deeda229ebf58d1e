from __future__ import annotations

import pytest

from benchstudio.storage.paging import total_from_page


@pytest.mark.parametrize(
    ("rows", "limit", "offset", "total"),
    [
        (0, 20, 0, 0),  # an empty first page: the list is empty
        (7, 20, 0, 7),  # a short first page is the whole list
        (7, 20, 40, 47),  # a short later page is the last one
        (20, 20, 0, None),  # a full page: more may follow
        (20, 20, 40, None),
        (0, 20, 40, None),  # past the end, or exactly at it: unknown
    ],
)
def test_total_is_known_only_from_a_short_page(
    rows: int, limit: int, offset: int, total: int | None
) -> None:
    assert total_from_page(rows, limit, offset) == total
