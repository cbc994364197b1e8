"""One INSERT for many rows, without building a model instance per row (the sweep's hot path).

`bulk_create` prepares every value of every instance through its field (tens of thousands of calls
for a batch of reminders) and costs more than the database's own work. On PostgreSQL the rows travel
instead as one array per column and are expanded by `unnest`, so a batch is one short statement
whatever its size; elsewhere (SQLite in development) the rows become model instances and go through
`bulk_create`, so both paths store the same thing. Values are given as the database stores them:
JSON fields as Python objects (serialised here), foreign keys by their `_id` column.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _columns(model: type[models.Model], given: Sequence[str]) -> list[models.Field]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    unknown = set(given) - by_attname.keys()
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    return [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in given]


def _default(field: models.Field, now) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.empty_strings_allowed:
        return ""
    raise ValueError(f"{field.model.__name__}.{field.attname} needs a value")


def _element(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, dt.date | dt.datetime | dt.time) else str(value)
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text + '"'


def array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array in its text form ('{1,2,NULL,"a b"}'), to be cast to the column's array type.

    One string parameter per column: the server reads it with the array type's input function,
    much cheaper than parsing the `ARRAY[...]` expression of thousands of constants that the
    driver would make of a Python list.
    """
    if all(type(v) is int for v in values):  # ids, the commonest column: no per-value dispatch
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join([_element(v) for v in values]) + "}"


def insert_ignoring_conflicts(
    model: type[models.Model], rows: list[dict[str, Any]], *, returning: Sequence[str] = ()
) -> list[tuple] | None:
    """INSERT the rows (dicts keyed by column attname); a row that breaks a unique constraint is skipped.

    Every row must carry the same keys; the other columns get their model default (or now() for
    auto_now fields), computed once for the whole batch. With `returning` (column names), on PostgreSQL
    the inserted rows' values come back as tuples (the skipped rows' do not); elsewhere None: the
    caller reads them back itself.
    """
    if not rows:
        return [] if returning and connection.vendor == "postgresql" else None
    given = list(rows[0])
    now = timezone.now()
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], ignore_conflicts=True)
        return None
    fields = _columns(model, given)
    names, casts, arrays = [], [], []
    for f in fields:
        names.append(connection.ops.quote_name(f.column))
        db_type = f.db_type(connection)
        casts.append(f"%s::{db_type}[]")
        is_json = isinstance(f, models.JSONField)
        if f.attname in given:
            values = [row[f.attname] for row in rows]
            if is_json:
                # Rows often share one params object (a deadline's stage, told to several people), and
                # outbox rows mostly carry an empty one.
                dumped: dict[int, str] = {}
                values = [
                    None
                    if v is None
                    else "{}"
                    if v == {}
                    else dumped.get(id(v)) or dumped.setdefault(id(v), json.dumps(v, cls=f.encoder))
                    for v in values
                ]
        else:
            value = _default(f, now)
            if is_json and value is not None:
                value = json.dumps(value, cls=f.encoder)
            arrays.append("{" + ",".join([_element(value)] * len(rows)) + "}")
            continue
        arrays.append(array_literal(values))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608 (names come from the model, values are parameters)
        f"SELECT * FROM unnest({', '.join(casts)}) ON CONFLICT DO NOTHING"
    )
    if returning:
        column = {f.attname: f.column for f in model._meta.concrete_fields}
        sql += " RETURNING " + ", ".join(connection.ops.quote_name(column[name]) for name in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return cursor.fetchall() if returning else None
