"""Excel (.xlsx) exports: the same rows the pages and the API show, written with openpyxl.

Rates are written as the same fractions the API returns, formatted as percentages, so a cell
read back holds exactly the API's number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from common.xlsx import append_row

from . import metrics as m

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (key, header, kind); kind is one of text, int, rate, date, datetime, score.
Column = tuple[str, Any, str]


def metric_columns(*, with_units: bool = False) -> list[Column]:
    columns: list[Column] = []
    for name, count in m.COUNTS.items():
        columns.append((name, count.label, "int"))
        if name == "assigned" and with_units:
            columns.append(("co_assigned", _("Co-assignments"), "int"))
    columns += [(name, r.label, "rate") for name, r in m.RATES.items()]
    return columns


def _cell_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, dt.datetime):
        # Excel has no time zones: write the Shanghai wall-clock time.
        return timezone.localtime(value, m.SHANGHAI).replace(tzinfo=None)
    if kind == "text":
        return str(value)
    return value


def add_sheet(wb: Workbook, title: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]]) -> None:
    ws = wb.create_sheet(title=title[:31])
    for cell in append_row(ws, [str(header) for _key, header, _kind in columns]):
        cell.font = Font(bold=True)
    for row in rows:
        cells = append_row(ws, [_cell_value(row.get(key), kind) for key, _header, kind in columns])
        for (_key, _header, kind), cell in zip(columns, cells, strict=True):
            if kind == "rate":
                cell.number_format = "0.0%"
            elif kind == "date":
                cell.number_format = "yyyy-mm-dd"
            elif kind == "datetime":
                cell.number_format = "yyyy-mm-dd hh:mm"
    for index, (_key, header, _kind) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(str(header)) * 2))
    ws.freeze_panes = "B2"


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def response(wb: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    wb.save(buffer)
    resp = HttpResponse(buffer.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def table_workbook(
    title: str, first: Sequence[Column], rows: Iterable[dict[str, Any]], *, with_units=False
) -> Workbook:
    wb = new_workbook()
    add_sheet(wb, title, [*first, *metric_columns(with_units=with_units)], rows)
    return wb


UNIT_COLUMNS: list[Column] = [("code", "代码 Code", "text"), ("label", "单位 Unit", "text")]
LABEL_COLUMNS: list[Column] = [("label", "名称 Name", "text")]


def assignment_list_columns() -> list[Column]:
    return [
        ("number", _("Number"), "text"),
        ("title", _("Title"), "text"),
        ("role", _("Role"), "text"),
        ("assignment_status", _("Assignment status"), "text"),
        ("status", _("Suggestion status"), "text"),
        ("assigned_at", _("Assigned at"), "datetime"),
        ("due_date", _("Due date"), "date"),
        ("original_due_date", _("Original due date"), "date"),
        ("signed_at", _("Signed at"), "datetime"),
        ("replied_at", _("Replied at"), "datetime"),
        ("closed_at", _("Closed at"), "datetime"),
    ]


def assignment_list_rows(assignments: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {
            "number": a.suggestion.display_number,
            "title": a.suggestion.title,
            "role": a.get_role_display(),
            "assignment_status": a.get_status_display(),
            "status": a.suggestion.get_status_display(),
            "assigned_at": a.assigned_at,
            "due_date": a.due_date,
            "original_due_date": a.original_due_date,
            "signed_at": a.signed_at,
            "replied_at": a.replied_at,
            "closed_at": a.suggestion.closed_at,
        }
        for a in assignments
    ]
