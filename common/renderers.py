"""A CSV renderer for read-only list endpoints (djangorestframework-csv is unmaintained).

It writes the rows of a (paginated) JSON answer: nested lists become "a; b" and nested objects
their values joined the same way. Text a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from rest_framework.renderers import BaseRenderer

from .xlsx import csv_cell


def _flat(value: Any) -> Any:
    if isinstance(value, dict):
        return "; ".join(str(_flat(v)) for v in value.values() if v not in (None, ""))
    if isinstance(value, list | tuple):
        return "; ".join(str(_flat(v)) for v in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        header: list[str] = list((renderer_context or {}).get("csv_header") or [])
        for row in rows:
            for key in row:
                if key not in header:
                    header.append(key)
        buffer = io.StringIO()
        # A byte-order mark so that Excel opens UTF-8 Chinese text correctly.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_cell(_flat(row.get(key))) for key in header])
        return buffer.getvalue().encode("utf-8")
