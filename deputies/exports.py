"""Everyone's record of duty for a year as an Excel workbook (staff)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from common.xlsx import append_row

from .selectors import records_summary


def records_workbook(year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = (_("Records of duty %(year)s") % {"year": year})[:31]
    append_row(
        ws,
        [
            _("Deputy"),
            _("Delegation"),
            _("Term"),
            _("Suggestions led"),
            _("Suggestions co-signed"),
            _("Led and replied"),
            _("Led and solved (class A)"),
            _("Consultations"),
            _("Inspections attended"),
            _("Meetings attended"),
            _("Committees and groups"),
        ],
    )
    for deputy, c, committees in records_summary(year):
        profile = getattr(deputy, "deputy_profile", None)
        append_row(
            ws,
            [
                deputy.display_name,
                profile.delegation if profile else "",
                profile.term if profile and profile.term else "",
                c["led"],
                c["cosigned"],
                c["replied"],
                c["solved"],
                c["consultations"],
                c["inspections"],
                c["meetings"],
                pgettext("list separator", ", ").join(committees),
            ],
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
