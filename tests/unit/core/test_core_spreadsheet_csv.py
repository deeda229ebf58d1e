"""CSV cells (every export): plain decimals that read back to the JSON value, formulas quoted."""

from __future__ import annotations

import pytest

from benchstudio.core.spreadsheet_csv import spreadsheet_cell


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
    cell = spreadsheet_cell(value)
    assert cell == text
    assert float(cell) == value


def test_formula_starts_are_quoted_and_other_values_pass_through() -> None:
    assert spreadsheet_cell("=SUM(A1)") == "'=SUM(A1)"
    assert spreadsheet_cell(7) == 7
    assert spreadsheet_cell(None) is None


@pytest.mark.parametrize("text", ["+1", "-x", "@A1", "\tx", "\rx", "\nx", "＝1+1", "＠A1"])
def test_every_formula_start_is_quoted(text: str) -> None:
    assert spreadsheet_cell(text) == "'" + text


def test_negative_numbers_stay_numbers() -> None:
    assert spreadsheet_cell(-3) == -3
    assert spreadsheet_cell(-0.5) == "-0.5"
