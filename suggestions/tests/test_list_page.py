"""The list API's page written out as SQL (`suggestions.list_page`) reads exactly what the ORM's
page reads: the same rows, in the same order, with the same relations and the same capped count,
for every reader, filter, order and depth."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suggestions import selectors
from suggestions.list_page import LIST_ORDER, LIST_ORDER_BY_OWN_ROWS, list_order_sql, orm_page, suggestion_page
from suggestions.models import CoSigner, CoSignerStatus
from testing.factories import suggestion_in_state

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the hand-written page is PostgreSQL's")


@pytest.fixture
def spread(cast):
    """Suggestions in many states, with co-signers (one declined) and units, one confidential."""
    made = [
        suggestion_in_state("draft", cast=cast, co_signers=[cast.carol]),
        suggestion_in_state("registered", cast=cast, co_signers=[cast.bob]),
        suggestion_in_state("assigned", cast=cast, co_signers=[cast.bob, cast.carol]),
        suggestion_in_state("replied", cast=cast, public=True),
        suggestion_in_state("closed", cast=cast, co_signers=[cast.bob], public=True),
        suggestion_in_state("assigned", cast=cast, confidential=True, co_unit=False),
        suggestion_in_state("replied", cast=cast, co_signers=[cast.carol]),
    ]
    CoSigner.objects.filter(suggestion=made[6], deputy=cast.carol).update(status=CoSignerStatus.DECLINED)
    return made


def both(queryset, offset, limit, counting):
    """The rows and capped count of the hand-written page and of the ORM's."""
    hand = suggestion_page(queryset, offset, limit, counting=counting)[:2]
    orm = orm_page(queryset, offset, limit, counting=counting)[:2]
    return hand, orm


@pytest.mark.parametrize("who", ["sam", "alice", "bob", "carol", "henry", "ivan", "oscar", "victor"])
def test_every_readers_pages_are_the_orms(cast, spread, who):
    user = cast[who]
    for own in (False, True):
        for offset, limit in ((0, 3), (2, 3), (0, 51), (6, 51), (40, 51)):
            queryset = selectors.suggestion_list_keys(user, own=own)
            hand, orm = both(queryset, offset, limit, counting=offset == 0)
            assert hand == orm, (who, own, offset)


def test_filtered_and_small_unit_orders_are_the_orms(cast, spread, monkeypatch):
    queryset = selectors.suggestion_list_keys(cast.sam)
    filtered = [
        queryset.filter(status="assigned"),
        queryset.filter(confidential=True),
        selectors.newest_first_for_unit(queryset.filter(assignments__unit=cast.water), cast.water.pk),
        queryset.filter(pk__in=[spread[1].pk, spread[3].pk]),
        queryset.filter(status="withdrawn"),
    ]
    for qs in filtered:
        assert both(qs, 0, 51, True)[0] == both(qs, 0, 51, True)[1]
    # A large unit walks the newest-first index; a small one is sorted from its own rows.
    for size in (0, 10_000):
        monkeypatch.setattr(selectors, "SMALL_UNIT_ROWS", size)
        selectors.forget_list_plans()
        qs = selectors.suggestion_list_keys(cast.henry)
        assert list_order_sql(qs) == (LIST_ORDER_BY_OWN_ROWS if size else LIST_ORDER)
        hand, orm = both(qs, 0, 51, True)
        assert hand == orm and hand[0], size


def test_the_count_is_capped_as_the_orms(cast, spread, monkeypatch):
    monkeypatch.setattr("common.pagination.COUNT_LIMIT", 4)
    (rows, capped), (_, orm_capped) = both(selectors.suggestion_list_keys(cast.sam), 0, 3, True)
    assert capped == orm_capped == 5 and len(rows) == 3
    (rows, capped), _ = both(selectors.suggestion_list_keys(cast.sam), 0, 3, False)
    assert capped is None and len(rows) == 3


@on_postgresql
def test_the_lists_pages_are_written_out_in_one_query(cast, spread, api):
    """Staff, a deputy's own list, a unit and a filter each take the hand-written page: one query
    selecting from the suggestion table aliased `s`, its capped count inside."""
    cases = [
        (cast.sam, "/api/v1/suggestions/?page_size=50"),
        (cast.sam, "/api/v1/suggestions/?page_size=50&status=assigned"),
        (cast.alice, "/api/v1/suggestions/?page_size=50&mine=true"),
        (cast.henry, "/api/v1/suggestions/?page_size=50"),
        (cast.victor, "/api/v1/suggestions/?page_size=50"),
    ]
    for user, url in cases:
        client = api(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        pages = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT s."id"')]
        assert len(pages) == 1, (user.username, url)
        assert "AS capped" in pages[0]


def test_a_ranked_search_goes_through_the_orm(cast, spread):
    from suggestions.search import suggestions_search

    queryset = suggestions_search(selectors.suggestion_list_keys(cast.sam), user=cast.sam, text="电排站", rank=True)
    assert list_order_sql(queryset) is None
    rows, capped, _ = suggestion_page(queryset, 0, 51, counting=True)
    assert rows and (rows, capped) == orm_page(queryset, 0, 51, counting=True)[:2]


@on_postgresql
def test_a_list_known_to_pass_the_cap_is_not_counted_again(cast, spread, api, monkeypatch):
    """A list whose capped count passed `COUNT_LIMIT` shows the planner's estimate; within the minute
    its next requests read no capped count (the estimate is asked once), with the same answer. A
    list within the cap keeps counting exactly."""
    from common import pagination

    monkeypatch.setattr(pagination, "COUNT_LIMIT", 4)
    staff = api(cast.sam)
    answers, counted = [], []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            body = staff.get("/api/v1/suggestions/?page_size=2").json()
        answers.append((body["count"], body["count_exact"], [r["id"] for r in body["results"]]))
        counted.append(sum("AS capped" in q["sql"] for q in queries.captured_queries))
    assert answers[0][1] is False and answers[0][0] >= 5
    assert answers == [answers[0]] * 3
    assert counted == [1, 0, 0]
    selectors.forget_list_plans()  # as a minute passing
    with CaptureQueriesContext(connection) as queries:
        staff.get("/api/v1/suggestions/?page_size=2")
    assert sum("AS capped" in q["sql"] for q in queries.captured_queries) == 1
    # Within the cap: exact, counted every time.
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 100)
    selectors.forget_list_plans()
    for _ in range(2):
        body = staff.get("/api/v1/suggestions/?page_size=2").json()
        assert body["count_exact"] is True and body["count"] == len(spread)
