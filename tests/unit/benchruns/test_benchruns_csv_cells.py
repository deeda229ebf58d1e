"""CSV cells of the per-request export: plain decimals that read back to the JSON's value."""

from __future__ import annotations

import pytest

from benchstudio.benchruns.exchange import _csv_cell


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (8.82e-05, "0.0000882"),
        (1.5e-09, "0.0000000015"),
        (12.25, "12.25"),
        (3e20, "300000000000000000000"),
    ],
)
def test_floats_are_plain_decimals_equal_to_the_value(value: float, text: str) -> None:
    cell = _csv_cell(value)
    assert cell == text
    assert float(cell) == value


def test_formula_starts_are_quoted_and_other_values_pass_through() -> None:
    assert _csv_cell("=SUM(A1)") == "'=SUM(A1)"
    assert _csv_cell(7) == 7
    assert _csv_cell(None) is None
