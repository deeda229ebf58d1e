"""The one cell encoder for every CSV we write: safe to open in a spreadsheet.

Model names, error messages, case ids and explanations come from users and from providers. A
cell that starts with `=`, `+`, `-`, `@` (or their full-width forms), a tab or a line break is
run as a formula by Excel, LibreOffice and Google Sheets, so it gets a leading `'` (CSV
injection, OWASP); numbers are never quoted, negative ones included. Floats are written as
plain decimals, digit for digit the value the JSON exports carry (0.0000882, never 8.82e-05).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def spreadsheet_cell(value: Any) -> Any:
    """`value` ready for `csv.writer`: formula-like text neutralised, floats as plain decimals."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    return [spreadsheet_cell(value) for value in values]
