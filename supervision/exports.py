"""Excel exports. They read through the visibility selectors, so a unit's export never holds an
unannounced visit before its release, nor a report it has not been sent."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from common.xlsx import append_row

from . import selectors


def inspections_workbook(user, inspections) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Inspections")[:31]
    append_row(
        ws,
        [
            _("Date"),
            _("Kind"),
            _("Key item"),
            _("Suggestion"),
            _("Units"),
            _("Findings"),
            _("Verdict"),
            _("Report released at"),
        ],
    )
    for insp in inspections:
        shown = selectors.report_visible_to(user, insp)
        suggestion = insp.suggestion
        append_row(
            ws,
            [
                insp.held_on,
                insp.get_kind_display(),
                insp.key_item.topic if insp.key_item else "",
                f"{suggestion.display_number} {suggestion.title}".strip() if suggestion else "",
                pgettext("list separator", ", ").join(u.name for u in insp.units.all()),
                insp.findings if shown else "",
                insp.get_verdict_display() if insp.verdict else "",
                timezone.localtime(insp.report_released_at).strftime("%Y-%m-%d %H:%M")
                if insp.report_released_at
                else "",
            ],
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
