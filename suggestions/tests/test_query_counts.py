"""List endpoints run a fixed number of queries whatever the page size (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suggestions import selectors
from testing.factories import suggestion_in_state

pytestmark = pytest.mark.django_db

# Pinned per endpoint: a query per row, or a new prefetch nobody asked for, shows up here.
# The count is capped (common.pagination): at most 1,001 rows are counted, above that it is estimated;
# a list that ends on the page it shows is counted from that page, without a query.
LIST_QUERIES = {
    # One: the page's rows with the session, their co-signers and live assignments as JSON arrays and
    # the list's capped count (was 3, then 4 with a count: co-signers, assignments and the count
    # were queries of their own).
    "/api/v1/suggestions/": 1,
    "/api/v1/assignments/": 2,  # page (with unit, suggestion), capped count (5 suggestions hold more than 5)
    "/api/v1/deadlines/": 2,  # page (with unit, suggestion, session, assignment), capped count
}


def make_rows(cast, n: int) -> None:
    for i in range(n):
        suggestion_in_state("assigned", cast=cast, co_signers=[cast.bob], title=f"关于第{i}件事的建议")


def run(client, url: str, page_size: int):
    selectors.forget_list_plans()  # each run cold: a unit's size is counted on its first list only
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?page_size={page_size}")
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


PERSONAS = ["sam", "alice", "bob", "henry", "ivan", "victor"]


def test_list_query_counts_are_pinned_and_do_not_grow_with_the_page_size(cast, api, django_assert_num_queries):
    """Built once (rows are the slow part): 5 rows, then 50, for every list and every role."""
    make_rows(cast, 5)
    staff = api(cast.sam)
    for url, expected in LIST_QUERIES.items():
        with django_assert_num_queries(expected):
            small = staff.get(f"{url}?page_size=5")
        assert len(small.json()["results"]) == 5, url
    small_counts = {who: run(api(cast[who]), "/api/v1/suggestions/", 5)[0] for who in PERSONAS}

    make_rows(cast, 45)
    for url, expected in LIST_QUERIES.items():
        with django_assert_num_queries(expected):
            big = staff.get(f"{url}?page_size=50")
        assert len(big.json()["results"]) == 50, url
    for who in PERSONAS:
        queries, rows = run(api(cast[who]), "/api/v1/suggestions/", 50)
        assert queries == small_counts[who], who
        assert rows == (0 if who == "victor" else 50), who  # victor supervises none of them


def test_a_list_longer_than_its_page_counts_in_its_page_query_and_deep_pages_cost_the_same(cast, api):
    """Pages 1, 3 and 5 of 10-row pages over 50 rows: one query each (the page by a deferred join,
    with its co-signers, assignments and the capped count read along; the last page counts the
    list from what it read); `next` is null exactly on the last page."""
    make_rows(cast, 50)
    staff = api(cast.sam)
    counts = []
    for page in (1, 3, 5):
        with CaptureQueriesContext(connection) as queries:
            response = staff.get(f"/api/v1/suggestions/?page_size=10&page={page}")
        body = response.json()
        assert response.status_code == 200
        assert body["count"] == 50 and body["count_exact"] is True
        assert len(body["results"]) == 10
        assert (body["next"] is None) == (page == 5)
        counts.append(len(queries))
    assert counts == [1, 1, 1]
    assert staff.get("/api/v1/suggestions/?page_size=10&page=6").status_code == 404
    # Pages hold disjoint rows in the list's order.
    seen = [
        r["id"]
        for p in (1, 2, 3, 4, 5)
        for r in staff.get(f"/api/v1/suggestions/?page_size=10&page={p}").json()["results"]
    ]
    assert len(set(seen)) == 50


def test_a_units_size_is_counted_on_its_first_list_only(cast, api):
    """The unit's live assignments are counted to choose the list's plan (`selectors.unit_is_small`),
    then kept: the next page is one query fewer (2 -> 1: a unit's people sit on no committee, so the
    committees' categories are not read for them), the same rows."""
    make_rows(cast, 3)
    henry = api(cast.henry)
    first, rows = run(henry, "/api/v1/suggestions/", 2)
    with CaptureQueriesContext(connection) as again:
        response = henry.get("/api/v1/suggestions/?page_size=2")
    assert len(again) == first - 1 == 1
    assert len(response.json()["results"]) == rows == 2


def test_count_above_the_cap_is_an_estimate_flagged_inexact(cast, api, monkeypatch):
    from common import pagination

    monkeypatch.setattr(pagination, "COUNT_LIMIT", 4)
    monkeypatch.setattr(pagination, "_estimate", lambda qs, compiled=None: 3)
    make_rows(cast, 6)
    body = api(cast.sam).get("/api/v1/suggestions/?page_size=2").json()
    assert body["count_exact"] is False and body["count"] == 5  # never below what was seen to exist
    assert len(body["results"]) == 2 and body["next"]
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 6)
    assert api(cast.sam).get("/api/v1/suggestions/?page_size=2").json()["count_exact"] is True


def test_timeline_query_count_does_not_grow(cast, api):
    suggestion = suggestion_in_state("handling", cast=cast)
    client = api(cast.alice)
    url = f"/api/v1/suggestions/{suggestion.pk}/timeline/"
    total = client.get(f"{url}?page_size=200").json()["count"]
    assert total >= 4
    # Both pages have a next one (so both count the list): the page size alone differs.
    assert run(client, url, 1) == (run(client, url, total - 1)[0], 1)
    assert run(client, url, total - 1)[1] == total - 1


def test_the_planners_estimate_is_asked_once_a_minute_per_list(cast, api, monkeypatch):
    """Past the cap the count is the planner's estimate (an EXPLAIN on PostgreSQL), kept a minute
    per query: the second page of the same list makes one query, with its capped count read along."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no estimate to ask for")
    from common import pagination

    monkeypatch.setattr(pagination, "COUNT_LIMIT", 4)
    make_rows(cast, 6)
    staff = api(cast.sam)
    with CaptureQueriesContext(connection) as first:
        body = staff.get("/api/v1/suggestions/?page_size=2").json()
    with CaptureQueriesContext(connection) as again:
        assert staff.get("/api/v1/suggestions/?page_size=2").json()["count"] == body["count"]
    assert body["count_exact"] is False
    assert [q["sql"].startswith("EXPLAIN") for q in first.captured_queries] == [False, True]
    assert len(again) == 1
