"""Pagination that stays fast at a million rows, for the HTML lists and the API alike.

Two costs grow with the table in a naive paginator, and both are bounded here:

- **The count.** An exact `COUNT(*)` over everything a user may see reads the whole visible set on
  every request. `capped_count` counts at most `COUNT_LIMIT + 1` rows (`SELECT COUNT(*) FROM
  (SELECT … LIMIT n)`), which is exact for every list a deputy or a unit has and for any narrow
  filter; above the limit it returns the planner's estimate for the same query (one `EXPLAIN`,
  no rows read, kept a minute per query) and says so (`exact=False`). The unfiltered staff list's estimate is the table's
  own row estimate, kept by autovacuum.
- **Deep pages.** `OFFSET 100000` makes the database fetch and discard 100,000 full rows.
  `page_rows` first picks the page's primary keys in the list's order (an index-only walk of
  the ordering index), then loads only those rows with what they display (a "deferred join").
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

COUNT_LIMIT = 1_000


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool


# The planner's estimates, by query, for `ESTIMATE_SECONDS`: an estimate only changes when
# `ANALYZE` refreshes the statistics, and a list people page through asks the same one again and
# again (every staff member's unfiltered list, each page of it). Per process, at most
# `ESTIMATES_KEPT` queries; a stale one is as good as a fresh one (both are guesses).
ESTIMATE_SECONDS = 60.0
ESTIMATES_KEPT = 512
_estimates: dict[tuple, tuple[float, int]] = {}


def forget_estimates() -> None:
    _estimates.clear()
    _over_limit.clear()


# Lists whose capped count found more than `COUNT_LIMIT` rows, by query (as `_estimates`), for
# `ESTIMATE_SECONDS`: their next pages show the estimate without counting 1,001 rows again
# (`known_over_limit`). A list that shrinks below the cap within the minute shows the estimate
# until then, as a list above it always does.
_over_limit: dict[tuple, float] = {}


def _key(db: str, sql: str, params) -> tuple:
    return (db, sql, tuple(map(repr, params)))


def known_over_limit(db: str, sql: str, params) -> bool:
    """Whether the list `sql` (its visible rows, no order) counted more than `COUNT_LIMIT` rows
    within the last `ESTIMATE_SECONDS` (`remember_over_limit`)."""
    kept = _over_limit.get((*_key(db, sql, params), COUNT_LIMIT))
    return kept is not None and kept > time.monotonic()


def remember_over_limit(db: str, sql: str, params) -> None:
    if len(_over_limit) >= ESTIMATES_KEPT:
        _over_limit.clear()
    _over_limit[(*_key(db, sql, params), COUNT_LIMIT)] = time.monotonic() + ESTIMATE_SECONDS


def _estimate(queryset: QuerySet, compiled: tuple[str, list] | None = None) -> int:
    """The planner's row estimate for `queryset` (PostgreSQL); 0 where there is no estimate.
    `compiled`: `queryset.order_by().values("pk")`'s SQL and parameters, if the caller has them."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return 0
    sql, params = compiled or queryset.order_by().values("pk").query.sql_with_params()
    key = _key(queryset.db, sql, params)
    now = time.monotonic()
    kept = _estimates.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    rows = int(plan[0]["Plan"]["Plan Rows"])
    if len(_estimates) >= ESTIMATES_KEPT:
        _estimates.clear()
    _estimates[key] = (now + ESTIMATE_SECONDS, rows)
    return rows


def capped_count(queryset, limit: int | None = None) -> Count:
    """Exact up to `limit` rows (default `COUNT_LIMIT`), the planner's estimate (at least
    `limit + 1`) above it."""
    limit = COUNT_LIMIT if limit is None else limit
    if not isinstance(queryset, QuerySet):
        return Count(len(queryset), True)
    counted = queryset.order_by().values("pk")[: limit + 1].count()
    if counted <= limit:
        return Count(counted, True)
    return Count(max(_estimate(queryset), limit + 1), False)


def capped_counts(querysets: dict[str, QuerySet], limit: int | None = None) -> dict[str, Count]:
    """`capped_count` of several querysets (of one database) in a single query:
    `SELECT (SELECT COUNT(*) FROM (… LIMIT n+1)), …`. Above `limit` (default `COUNT_LIMIT`) a count
    is `Count(limit, exact=False)`, "more than `limit`" (pages show "1000+"); no estimate is asked for."""
    limit = COUNT_LIMIT if limit is None else limit
    if not querysets:
        return {}
    parts, params = [], []
    for queryset in querysets.values():
        sql, part_params = queryset.order_by().values("pk")[: limit + 1].query.sql_with_params()
        # The SQL is compiled by Django from the querysets; every value stays a bound parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped)")  # noqa: S608
        params.extend(part_params)
    db = next(iter(querysets.values())).db
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {
        name: Count(int(value), True) if int(value) <= limit else Count(limit, False)
        for name, value in zip(querysets, row, strict=True)
    }


def page_rows(queryset, offset: int, limit: int):
    """The rows `offset .. offset + limit` of `queryset`, in its order, by a deferred join:
    `WHERE pk IN (SELECT pk … ORDER BY … OFFSET o LIMIT n) ORDER BY …`. Lists (computed tables),
    DISTINCT and values() querysets are sliced plainly."""
    if not isinstance(queryset, QuerySet) or queryset.query.distinct or queryset._fields is not None:
        return queryset[offset : offset + limit]
    keys = queryset.values("pk")[offset : offset + limit]
    return queryset.filter(pk__in=keys)


def page_count(
    queryset: QuerySet, offset: int, size: int, read: int, capped: int | None = None, compiled=None
) -> Count:
    """The count of a list whose page at `offset` read `read` rows when asked for `size + 1` (one
    more than the page, which tells whether there is a next page), with as little counting as can be:

    - a page with no row after it ends the list: the count is exact, no query of its own (every
      deputy's list, the last page of any list);
    - a page past `COUNT_LIMIT` rows: more than `COUNT_LIMIT`, so the planner's estimate;
    - otherwise `capped_count`, which lets the planner count in whatever order is cheapest; `capped`
      is that count if the page's own query read it (`with_capped_count`), and then no query is made;
    `compiled` as `_estimate`'s."""
    seen = offset + read
    if read <= size:
        # The list ends on this page (a page past the end has no rows and no count).
        return Count(seen, True) if read or offset == 0 else Count(0, False)
    if seen > COUNT_LIMIT:
        return Count(max(_estimate(queryset, compiled), seen), False)
    if capped is None:
        return capped_count(queryset)
    if capped <= COUNT_LIMIT:
        return Count(capped, True)
    return Count(max(_estimate(queryset, compiled), COUNT_LIMIT + 1), False)


# The annotation `with_capped_count` adds to a page's rows.
CAPPED_COUNT = "capped_count_of_list"


def needs_capped_count(offset: int, size: int) -> bool:
    """Whether `page_count` may want the capped count of a page at `offset` of `size` rows (read as
    `size + 1`): only if a full page there still leaves the list within `COUNT_LIMIT` rows."""
    return offset + size + 1 <= COUNT_LIMIT


def with_capped_count(page: QuerySet, queryset: QuerySet) -> QuerySet:
    """`page` (rows of `queryset`) with `capped_count(queryset)`'s `COUNT(*) FROM (… LIMIT n + 1)`
    as the annotation `CAPPED_COUNT`: an uncorrelated scalar subquery, run once per query, so a list
    page and its count are one round trip instead of two."""
    sql, params = queryset.order_by().values("pk")[: COUNT_LIMIT + 1].query.sql_with_params()
    # The SQL is compiled by Django from the queryset; every value stays a bound parameter.
    counted = RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params, output_field=IntegerField())  # noqa: S608, S611
    return page.annotate(**{CAPPED_COUNT: counted})


def keyed_page(queryset: QuerySet, offset: int, limit: int) -> QuerySet:
    """`page_rows` for a caller that reads the rows itself (`.values()`): the keys are picked by
    `queryset` (visibility, filters, order), the rows are read by primary key alone, in the same
    order, without planning the visibility conditions a second time for rows already chosen by them.
    Annotated querysets (a search rank to order by) keep everything."""
    keys = queryset.values("pk")[offset : offset + limit]
    if queryset.query.annotations or queryset.query.extra_order_by:
        return queryset.filter(pk__in=keys)
    rows = queryset.model._default_manager.filter(pk__in=keys)
    if queryset.query.order_by:
        return rows.order_by(*queryset.query.order_by)
    return rows if queryset.query.default_ordering else rows.order_by()


MAX_OFFSET = 10**12


class FastPaginator(Paginator):
    """Django's paginator with a capped count and deferred-join pages (for the HTML lists).

    Above the cap `count` is an estimate, so a page past the real end comes back empty rather
    than as the last page; the list templates already say "nothing here" for an empty page.
    """

    @cached_property
    def counted(self) -> Count:
        return capped_count(self.object_list)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return self.counted.value

    def validate_number(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        # Past any real list (and before PostgreSQL's OFFSET would overflow a bigint): no rows.
        if (number - 1) * self.per_page > MAX_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        if self.counted.exact and number > self.num_pages:
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = page_rows(self.object_list, bottom, self.per_page)
        return self._get_page(rows, number, self)
