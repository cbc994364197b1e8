"""Portable query expressions the ORM does not ship (PostgreSQL and the embedded SQLite alike)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Aggregate, TextField


class JSONList(Aggregate):
    """The aggregated values (each a JSON value, say `JSONArray(...)`) as one JSON array, in no
    particular order: `JSONB_AGG` on PostgreSQL, `JSON_GROUP_ARRAY` on SQLite; NULL over no rows.

    Returned as text (Django hands PostgreSQL's jsonb back undecoded); read it with `json_rows`.
    Used as a correlated subquery, it folds a page's related rows into the page's own query
    instead of one more query per relation."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def json_rows(value: Any) -> list[list]:
    """The list a `JSONList` read: `[]` for NULL (no related row)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


def json_datetime(value: str | None) -> dt.datetime | None:
    """A time as a JSON function wrote it: ISO 8601 with its offset on PostgreSQL (the connection's
    zone is UTC), naive UTC text ("YYYY-MM-DD HH:MM:SS[.ffffff]") on SQLite."""
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def json_date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)

