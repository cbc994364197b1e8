"""Cells of exported tables (Excel, CSV) that a spreadsheet must not run as formulas.

Text a deputy or a unit typed may start with = + - @ (or a tab / carriage return that some
spreadsheets strip first); opened in Excel it would be evaluated (CSV/formula injection).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """A CSV cell: formula-like text gets a leading apostrophe, which spreadsheets show as text."""
    return "'" + value if is_formula_like(value) else value


def append_row(ws, values) -> None:
    """Append to an openpyxl sheet; formula-like text is stored as a plain string, not a formula."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = "s"
