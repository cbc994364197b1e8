"""Portable query expressions the ORM does not ship (PostgreSQL and the embedded SQLite alike)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Expression, TextField


class RelatedRowsJSON(Expression):
    """The rows of `model` pointing at the query's own row through `foreign_key`, as one JSON array
    of `[column, …]` arrays, in no particular order, NULL over no rows:

        (SELECT JSON_AGG(JSON_BUILD_ARRAY(r.a, r.b)) FROM table r WHERE r.fk = outer.id [AND r.c <> %s])

    (`JSON_GROUP_ARRAY(JSON_ARRAY(…))` on SQLite). A correlated subquery folds a page's related rows
    into the page's own query instead of a query per relation; written out rather than built from
    ORM parts, whose grouping and casts cost more to compile and to plan than the rows cost to read.
    `json`, not `jsonb`, on PostgreSQL: built as text, with no binary form made and printed again
    (psycopg2 decodes it; SQLite returns text). Read it with `json_rows`.
    `exclude`: `{column: value}` rows left out (a bound parameter each)."""

    output_field = TextField()

    def __init__(self, model, foreign_key: str, columns: tuple[str, ...], exclude: dict | None = None):
        super().__init__()
        self.model, self.foreign_key, self.columns, self.exclude = model, foreign_key, columns, exclude or {}

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        outer = f"{quote(compiler.query.get_initial_alias())}.{quote(compiler.query.model._meta.pk.column)}"
        return related_rows_sql(connection, self.model, self.foreign_key, self.columns, outer, self.exclude)


def related_rows_sql(
    connection, model, foreign_key: str, columns: tuple[str, ...], outer: str, exclude: dict | None = None
) -> tuple[str, list]:
    """`RelatedRowsJSON`'s SQL and parameters, correlated to the column `outer` (quoted SQL), for
    queries written out by hand (`suggestions.list_page`)."""
    quote = connection.ops.quote_name
    exclude = exclude or {}
    listed = ", ".join(f"r.{quote(column)}" for column in columns)
    aggregate = (
        f"JSON_AGG(JSON_BUILD_ARRAY({listed}))"
        if connection.vendor == "postgresql"
        else f"JSON_GROUP_ARRAY(JSON_ARRAY({listed}))"
    )
    where = [f"r.{quote(foreign_key)} = {outer}", *(f"r.{quote(c)} <> %s" for c in exclude)]
    # Names come from the models and are quoted; the one value is a bound parameter.
    sql = f"(SELECT {aggregate} FROM {quote(model._meta.db_table)} r WHERE {' AND '.join(where)})"  # noqa: S608
    return sql, list(exclude.values())


def json_rows(value: Any) -> list[list]:
    """The list a `RelatedRowsJSON` read: `[]` for NULL (no related row)."""
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
