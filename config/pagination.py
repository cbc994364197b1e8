from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from common.pagination import MAX_OFFSET, capped_count, needs_capped_count, page_count, page_rows


def _plain(queryset: QuerySet) -> bool:
    """Querysets `page_rows` slices as they are (DISTINCT, values())."""
    return bool(queryset.query.distinct) or queryset._fields is not None


class Pagination(PageNumberPagination):
    """`{"count","count_exact","next","previous","results"}`; clients may ask for up to 200 rows a page.

    `count` is exact up to 1,000 rows and the planner's estimate above that (`count_exact` is
    then false), so no request counts a million rows; a page's rows come by a deferred join, so
    page 2,000 costs about what page 1 does (see `common.pagination`). `next` is null exactly
    when there is no further row.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None, load=None):
        """The page's rows; `load(queryset, offset, limit, counting=…)`, if given, reads them itself
        (plain rows instead of model instances, say) and returns them with the list's count capped
        at `COUNT_LIMIT + 1` if `counting` (else None) and the visible set's compiled SQL for the
        planner's estimate (or None), as `suggestions.list_page.suggestion_page` does."""
        size = self.get_page_size(request)
        if not size:
            return None
        self.request = request
        raw = request.query_params.get(self.page_query_param) or 1
        if raw in self.last_page_strings:
            raw = 1
        try:
            self.number = int(raw)
            # Past any real list (and before PostgreSQL's OFFSET would overflow a bigint): a 404.
            if self.number < 1 or (self.number - 1) * size > MAX_OFFSET:
                raise ValueError
        except (TypeError, ValueError):
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="Invalid page.")) from None
        self.size = size
        offset = (self.number - 1) * size
        # One row beyond the page tells whether there is a next page (and often the count) without counting.
        capped = compiled = None
        if load is not None and isinstance(queryset, QuerySet) and not _plain(queryset):
            rows, capped, compiled = load(queryset, offset, size + 1, counting=needs_capped_count(offset, size))
        else:
            rows = list(page_rows(queryset, offset, size + 1))
        self._check_page(rows, raw)
        self.has_next = len(rows) > size
        if load is not None and isinstance(queryset, QuerySet):
            # The suggestion list: the page's query reads its capped count too (one query), and
            # a list longer than `COUNT_LIMIT` asks the planner's estimate (a second).
            self.counted = page_count(queryset, offset, size, len(rows), capped, compiled)
        else:
            self.counted = capped_count(queryset)
        return rows[:size]

    def _check_page(self, rows, raw) -> None:
        if not rows and self.number > 1:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="That page contains no results"))

    def get_next_link(self):
        if not self.has_next:
            return None
        return self._link(self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        return self._link(self.number - 1)

    def _link(self, number):
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.counted.value,
                "count_exact": self.counted.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "false when `count` is the planner's estimate (lists longer than 1,000 rows)",
        }
        result["required"] = sorted({*result.get("required", []), "count_exact"})
        return result

    def get_html_context(self):
        return {"previous_url": self.get_previous_link(), "next_url": self.get_next_link(), "page_links": []}
