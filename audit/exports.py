"""The audit log as .xlsx. Every text cell is written as text: a user agent or a name typed at the
login form that starts with = + - @ must not become a formula in the reader's spreadsheet."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from common.xlsx import append_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def audit_workbook(events) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Audit log")[:31]
    ws.append([_("At"), _("Action"), _("Username"), _("Object type"), _("Object id"), _("Address"),
               _("User agent"), _("Path"), _("Detail")])  # fmt: skip
    for e in events.iterator(chunk_size=2000):
        row = [
            timezone.localtime(e.at).replace(tzinfo=None),
            e.get_action_display(),
            e.username,
            e.object_type,
            e.object_id,
            e.ip or "",
            e.user_agent,
            e.path,
            str(e.detail) if e.detail else "",
        ]
        append_row(ws, row)
        ws.cell(row=ws.max_row, column=1).number_format = "yyyy-mm-dd hh:mm:ss"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
