"""One page of the suggestion list API, its rows and its capped count, in one query written out.

The list's page query has the same shape for everyone: the page's keys (chosen by the reader's
visibility, the filters and the list's order), then, for those keys only, the suggestion's columns,
its session, its co-signers and live assignments (`common.db.related_rows_sql`) and, on first
pages, the capped count of the whole list (`common.pagination.with_capped_count`). Built by the ORM
that was two compilations of the visibility conditions (the keys and the count) and one of the
outer query with its two correlated aggregates: about 3 ms of Python on every page, where the
hand-written twin of the list (bench/twin.py) spends 6 ms in all (docs/benchmarks.md, issue 13).

Here the ORM compiles the visible, filtered set once, without an order (`SELECT id FROM … WHERE
…`). The keys are that set in the list's order (`LIST_ORDER`), the count is that set capped, and
the outer query is fixed text made once per process. PostgreSQL only; a list in any other order (a
search ranked by relevance) and the embedded SQLite go through the ORM (`orm_page`), which returns
the same rows (`test_list_page.py` compares the two).
"""

from __future__ import annotations

from functools import cache

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import OrderBy

from common import pagination
from common.db import related_rows_sql
from common.pagination import CAPPED_COUNT, keyed_page, known_over_limit, remember_over_limit, with_capped_count

from .models import RETURNED_ASSIGNMENT, Assignment, CongressSession, CoSigner, Suggestion
from .selectors import (
    ASSIGNMENT_ROW_COLUMNS,
    COSIGNATURE_ROW_COLUMNS,
    NEWEST_FIRST_BY_OWN_ROWS,
    ROW_COLUMNS,
    row_relations,
    suggestion_rows,
)

# The list's order (`Suggestion.Meta.ordering`, newest first), and the same order as an expression
# no index serves (`selectors.NEWEST_FIRST_BY_OWN_ROWS`, a small unit's list), written out over
# the base table of the visible set's SQL.
VISIBLE_PREFIX = 'SELECT "suggestions_suggestion"."id" AS "pk" FROM "suggestions_suggestion"'
LIST_ORDER = '"suggestions_suggestion"."created_at" DESC, "suggestions_suggestion"."id" DESC'
LIST_ORDER_BY_OWN_ROWS = (
    '("suggestions_suggestion"."created_at" + INTERVAL \'0 seconds\') DESC, "suggestions_suggestion"."id" DESC'
)


def list_order_sql(queryset: QuerySet[Suggestion]) -> str | None:
    """The ORDER BY of `queryset`'s keys if it is one of the list's two spellings of newest first
    (`LIST_ORDER`, `LIST_ORDER_BY_OWN_ROWS`), else None (the page then goes through the ORM)."""
    query = queryset.query
    if query.annotations or query.extra_order_by or query.distinct or query.combinator or query.is_sliced:
        return None
    order = tuple(query.order_by)
    if not order and query.default_ordering and list(Suggestion._meta.ordering or ()) == ["-created_at", "-id"]:
        return LIST_ORDER
    if order == ("-created_at", "-id"):
        return LIST_ORDER
    if len(order) == 2 and isinstance(order[0], OrderBy) and order[0] is NEWEST_FIRST_BY_OWN_ROWS[0]:
        return LIST_ORDER_BY_OWN_ROWS if order[1] == NEWEST_FIRST_BY_OWN_ROWS[1] else None
    return None


def suggestion_page(
    queryset: QuerySet[Suggestion], offset: int, limit: int, *, counting: bool
) -> tuple[list, int | None, tuple | None]:
    """Rows `offset .. offset + limit` of the list `queryset` as `selectors.suggestion_rows` gives
    them; if `counting`, the list's count capped at `COUNT_LIMIT + 1` (None when the page is empty or
    not `counting`), read in the same query, or `COUNT_LIMIT + 1` unread when the same list counted
    past the cap within the minute (`common.pagination.known_over_limit`: the count shown is then the
    planner's estimate either way); and the visible set's SQL and parameters for that estimate."""
    connection = connections[queryset.db]
    order = list_order_sql(queryset)
    if connection.vendor != "postgresql" or order is None:
        return orm_page(queryset, offset, limit, counting=counting)
    visible, params = queryset.order_by().values("pk").query.sql_with_params()
    if not (visible == VISIBLE_PREFIX or visible.startswith(VISIBLE_PREFIX + " ")):
        return orm_page(queryset, offset, limit, counting=counting)
    limit_of_count = pagination.COUNT_LIMIT
    over = counting and known_over_limit(queryset.db, visible, params)
    counting = counting and not over
    select, relation_params, where = _page_sql(connection.alias)
    # `visible` is compiled by Django from the queryset, every value a bound parameter; the rest is
    # fixed text. Both orders are newest first, so the page's 51 rows are sorted by the plain columns.
    count = f", (SELECT COUNT(*) FROM ({visible} LIMIT {limit_of_count + 1}) AS capped)" if counting else ""  # noqa: S608
    keys = f"({visible} ORDER BY {order} LIMIT %s OFFSET %s)"
    sql = f'{select}{count}{where}{keys} ORDER BY s."created_at" DESC, s."id" DESC'
    with connection.cursor() as cursor:
        cursor.execute(sql, [*relation_params, *(params if counting else ()), *params, limit, offset])
        fetched = cursor.fetchall()
    rows, capped = [], None
    width = len(ROW_COLUMNS)
    for values in fetched:
        row = dict(zip(ROW_COLUMNS, values[:width], strict=True))
        row_relations(row, values[width], values[width + 1], values[width + 2], values[width + 3])
        if counting:
            capped = values[width + 4]
        rows.append(row)
    if over and rows:
        capped = limit_of_count + 1
    elif capped is not None and capped > limit_of_count:
        remember_over_limit(queryset.db, visible, params)
    return rows, capped, (visible, params)


def orm_page(
    queryset: QuerySet[Suggestion], offset: int, limit: int, *, counting: bool
) -> tuple[list, int | None, tuple | None]:
    """`suggestion_page` built by the ORM: any order, any database; it always counts."""
    page = keyed_page(queryset, offset, limit)
    rows = suggestion_rows(with_capped_count(page, queryset) if counting else page)
    capped = rows[0][CAPPED_COUNT] if counting and rows else None
    if counting:
        for row in rows:
            del row[CAPPED_COUNT]
    return rows, capped, None


@cache
def _page_sql(alias: str) -> tuple[str, list, str]:
    """The fixed text of the page query: its SELECT list (with the related rows' parameters) and
    `FROM … WHERE s.id IN`, which the keys follow."""
    quote = connections[alias].ops.quote_name
    connection = connections[alias]
    fields = Suggestion._meta
    columns = ", ".join(f"s.{quote(str(fields.get_field(name).column))}" for name in ROW_COLUMNS)
    session = f"{quote(CongressSession._meta.db_table)}"
    cosignatures, cosignature_params = related_rows_sql(
        connection, CoSigner, "suggestion_id", COSIGNATURE_ROW_COLUMNS, "s.id"
    )
    assignments, assignment_params = related_rows_sql(
        connection, Assignment, "suggestion_id", ASSIGNMENT_ROW_COLUMNS, "s.id", exclude=RETURNED_ASSIGNMENT
    )
    select = f"SELECT {columns}, ss.{quote('term')}, ss.{quote('number')}, {cosignatures}, {assignments}"
    where = (
        f" FROM {quote(fields.db_table)} s INNER JOIN {session} ss ON ss.{quote('id')} = s.{quote('session_id')}"
        " WHERE s.id IN "
    )
    return select, [*cosignature_params, *assignment_params], where
