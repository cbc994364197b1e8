"""The pages' reads that were rewritten to stay fast at 1,000,000 suggestions (issue 13) return
what the plain definitions return, and their query counts do not grow with the rows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from common import pagination
from suggestions import selectors, worklists
from suggestions.models import (
    HANDLING_KINDS,
    OPEN_ASSIGNMENT_STATUSES,
    Assignment,
    CongressSession,
    Deadline,
    Suggestion,
    SuggestionStatus,
)
from suggestions.views.public import PublicPaginator
from testing.factories import suggestion_in_state

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


# --- the unit's inbox ---------------------------------------------------------------------------


def test_inbox_counts_are_exact_up_to_the_cap_and_shown_as_more_above_it(cast, monkeypatch):
    for _ in range(3):
        suggestion_in_state("assigned", cast=cast)
    counts = worklists.inbox_counts(cast.henry, NOW.date())
    assert counts["to_sign"] == pagination.Count(3, True)
    assert counts["replied"] == pagination.Count(0, True)
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 2)
    counts = worklists.inbox_counts(cast.henry, NOW.date())
    assert counts["to_sign"] == pagination.Count(2, False)
    home = logged_in(cast.henry).get("/").content.decode()
    assert 'data-count="to_sign">2+<' in home
    inbox = logged_in(cast.henry).get("/inbox/").content.decode()
    assert 'data-count="to_sign">2+<' in inbox


def test_due_soon_and_overdue_tabs_are_the_assignments_owing_such_a_deadline(cast):
    """The tabs read the unit's deadlines; they hold exactly the open assignments on which the
    unit owes a handling deadline (sign, reply, re-handling reply, opinion) due in the range."""
    with time_machine.travel(NOW, tick=False):
        for _ in range(2):
            suggestion_in_state("assigned", cast=cast)
            suggestion_in_state("handling", cast=cast)
        suggestion_in_state("replied", cast=cast)
    for today in (NOW.date(), NOW.date() + dt.timedelta(days=20), NOW.date() + dt.timedelta(days=80)):
        for tab, deadlines in (
            ("overdue", Deadline.objects.overdue(today)),
            ("due_soon", Deadline.objects.due_within(today)),
        ):
            owed = set(
                deadlines.filter(kind__in=worklists.HANDLING_KINDS, assignment__isnull=False).values_list(
                    "assignment_id", flat=True
                )
            )
            expected = {
                a.pk
                for a in Assignment.objects.filter(unit=cast.water, status__in=OPEN_ASSIGNMENT_STATUSES)
                if a.pk in owed
            }
            rows = {a.pk for a in worklists.inbox_rows(cast.henry, tab, today)}
            assert rows == expected, (tab, today)
            assert worklists.inbox_counts(cast.henry, today)[tab] == pagination.Count(len(expected), True)
        assert any(worklists.inbox_rows(cast.henry, tab, today) for tab in ("overdue", "due_soon")), today


def test_inbox_tabs_keep_the_due_date_order_and_leave_out_withdrawn_suggestions(cast):
    made = [suggestion_in_state("assigned", cast=cast) for _ in range(3)]
    lead = Assignment.objects.filter(suggestion__in=made, unit=cast.water)
    for days, assignment in zip((30, 10, 20), lead.order_by("pk"), strict=True):
        Assignment.objects.filter(pk=assignment.pk).update(due_date=NOW.date() + dt.timedelta(days=days))
    Suggestion.objects.filter(pk=made[0].pk).update(status=SuggestionStatus.WITHDRAWN)
    rows = list(worklists.inbox_rows(cast.henry, "to_sign", NOW.date()))
    assert [a.suggestion_id for a in rows] == [made[1].pk, made[2].pk]
    assert worklists.inbox_counts(cast.henry, NOW.date())["to_sign"].value == 2


@pytest.mark.parametrize("tab", worklists.INBOX_TABS)
def test_inbox_query_count_does_not_grow_with_the_rows(cast, tab):
    suggestion_in_state("assigned", cast=cast)
    client = logged_in(cast.henry)
    few, _ = page_queries(client, f"/inbox/?tab={tab}")
    for _ in range(3):
        suggestion_in_state("assigned", cast=cast)
        suggestion_in_state("replied", cast=cast)
    many, _ = page_queries(client, f"/inbox/?tab={tab}")
    # One fewer than before issue 13's second pass: the page's count is the tab's, not counted again.
    assert few == many == 6


def test_inbox_pages_are_the_tabs_rows_in_order_and_take_the_tabs_count(cast):
    for _ in range(5):
        suggestion_in_state("assigned", cast=cast)
    rows = worklists.inbox_rows(cast.henry, "to_sign", NOW.date())
    expected = [a.pk for a in rows]
    assert len(expected) == 5
    count = worklists.inbox_counts(cast.henry, NOW.date())["to_sign"]
    paginator = worklists.InboxPaginator(rows, 2, count)
    with CaptureQueriesContext(connection) as queries:
        seen = [a.pk for number in (1, 2, 3) for a in paginator.page(number).object_list]
    assert seen == expected and paginator.num_pages == 3
    assert len(queries) == 3  # one per page, no count
    # Above the cap the tabs show "more than"; the pages then go by the planner's estimate.
    above = worklists.InboxPaginator(rows, 2, pagination.Count(4, False))
    assert not above.counted.exact and above.count >= 5


# --- the staff home -----------------------------------------------------------------------------


def test_staff_home_counts_each_counted_state(cast):
    for state in ("submitted", "registered", "assigned", "handling", "handling", "closed"):
        suggestion_in_state(state, cast=cast)
    counts = worklists.staff_home(NOW.date())["counts"]
    by_status = {s: Suggestion.objects.filter(status=s).count() for s in SuggestionStatus.values}
    assert counts["intake"] == by_status["submitted"] == 1
    assert counts["to_assign"] == by_status["registered"] == 1
    assert counts["handling"] == by_status["assigned"] + by_status["handling"] == 3
    assert counts["rehandling"] == 0


def test_staff_home_overdue_is_the_live_count_up_to_the_cap_and_more_above_it(cast, monkeypatch):
    """The card counts what its link lists (`?overdue=on`), exactly, up to `COUNT_LIMIT`."""
    with time_machine.travel(NOW, tick=False):
        for state in ("assigned", "assigned", "handling", "submitted"):
            suggestion_in_state(state, cast=cast)
    later = NOW.date() + dt.timedelta(days=80)
    live = Deadline.objects.overdue(later).filter(kind__in=HANDLING_KINDS).values("suggestion_id").distinct().count()
    assert live >= 3
    assert worklists.staff_home(later)["counts"]["overdue"] == pagination.Count(live, True)
    with time_machine.travel(dt.datetime.combine(later, dt.time(10), NOW.tzinfo), tick=False):
        listed = logged_in(cast.sam).get("/api/v1/suggestions/?overdue=true").json()["count"]
        assert listed == live
        assert f'data-count="overdue">{live}<' in logged_in(cast.sam).get("/").content.decode()
        monkeypatch.setattr(pagination, "COUNT_LIMIT", live - 1)
        assert worklists.staff_home(later)["counts"]["overdue"] == pagination.Count(live - 1, False)
        assert f'data-count="overdue">{live - 1}+<' in logged_in(cast.sam).get("/").content.decode()


# --- a deputy's own list -----------------------------------------------------------------------


def test_a_deputys_list_is_newest_first_and_costs_the_same_with_more_rows(cast):
    client = logged_in(cast.alice)
    suggestion_in_state("registered", cast=cast)
    few, _ = page_queries(client, "/suggestions/mine/")
    made = [suggestion_in_state(state, cast=cast) for state in ("draft", "handling", "closed")]
    many, page = page_queries(client, "/suggestions/mine/")
    assert few == many
    rows = list(worklists.suggestions_of_deputy(cast.alice))
    assert [s.pk for s in rows] == list(
        Suggestion.objects.filter(lead_deputy=cast.alice).order_by("-created_at", "-id").values_list("pk", flat=True)
    )
    assert all(f"/suggestions/{s.pk}/" in page for s in made)


# --- the public list -----------------------------------------------------------------------------


@pytest.fixture
def public_rows(cast):
    """Published suggestions in three sessions (one of them the same year as another, a later term)."""
    sessions = [
        cast.session,
        CongressSession.objects.create(term=16, number=3, year=2025, start_date=dt.date(2025, 1, 10)),
        CongressSession.objects.create(term=17, number=1, year=2025, start_date=dt.date(2025, 9, 1)),
    ]
    for i in range(7):
        suggestion_in_state("replied", cast=cast, public=True, session=sessions[i % 3], title=f"关于第{i}件事的建议")
    suggestion_in_state("replied", cast=cast, public=False)  # not published
    return sessions


def reference_order() -> list[int]:
    return list(
        selectors.published_suggestions()
        .order_by("-session__year", "-session__term", "-session__number", "number", "id")
        .values_list("pk", flat=True)
    )


def test_public_pages_follow_the_public_order_session_by_session(public_rows):
    expected = reference_order()
    assert len(expected) == 7
    paginator = PublicPaginator(selectors.published_suggestions(), 3)
    seen = [s.pk for number in (1, 2, 3) for s in paginator.page(number).object_list]
    assert seen == expected
    assert paginator.count == 7 and paginator.num_pages == 3


def test_public_page_query_count_is_pinned(public_rows, cast):
    client = Client()
    first, page = page_queries(client, "/public/")
    # Form choices (sessions, categories), capped count, the sessions' order, the page's keys, its
    # rows, their units. The keys: the newest session's, then (the page is not full) the others' in
    # one UNION; SQLite allows no LIMIT inside a UNION: there each session's keys are one read.
    keys = 2 if connection.features.supports_slicing_ordering_in_compound else CongressSession.objects.count()
    assert first == 6 + keys
    # The form and the filter set each validate the chosen session: two queries more.
    filtered, page = page_queries(client, f"/public/?page=1&session={public_rows[1].pk}")
    assert filtered == 8 + keys
    assert "关于第1件事的建议" in page and "关于第4件事的建议" in page and "关于第0件事的建议" not in page
    for i in range(3):
        suggestion_in_state("replied", cast=cast, public=True, title=f"关于又一件事{i}的建议")
    assert page_queries(client, "/public/")[0] == first


def test_a_page_within_the_newest_session_reads_no_other_session(cast, public_rows):
    """Page 500 of the public list at 10^6 lies in the newest session: the older sessions' walks
    (each as deep as the page) were four fifths of its cost. A page within the first part is one
    read; one reaching past it reads the rest in one more (PostgreSQL) whatever the number of sessions."""
    for i in range(5):
        suggestion_in_state("replied", cast=cast, public=True, session=public_rows[0], title=f"关于新一件事{i}的建议")
    expected = reference_order()
    queryset = selectors.published_suggestions()
    with CaptureQueriesContext(connection) as within:
        assert selectors.published_page_keys(queryset, 2, 3) == expected[2:5]
    assert len(within) == 2  # the sessions' order, the newest session's keys
    with CaptureQueriesContext(connection) as across:
        assert selectors.published_page_keys(queryset, 3, 20) == expected[3:23]
    rest = 1 if connection.features.supports_slicing_ordering_in_compound else CongressSession.objects.count() - 1
    assert len(across) == 2 + rest


# --- a committee's page --------------------------------------------------------------------------


def test_committee_pages_run_newest_year_first_and_keep_each_readers_visibility(cast):
    from supervision import committees

    older = CongressSession.objects.create(term=16, number=3, year=2025, start_date=dt.date(2025, 1, 10))
    for i in range(5):
        suggestion_in_state("registered", cast=cast, session=older if i % 2 else cast.session, title=f"建议{i}")
    made = committees.committee_save(
        actor=cast.sam, name="城建专业小组", kind="deputy_group", members=[cast.carol], categories=[cast.category]
    )
    expected = list(
        Suggestion.objects.filter(category=cast.category).order_by("-session__year", "-id").values_list("pk", flat=True)
    )
    assert len(expected) == 5
    for reader in (cast.carol, cast.sam):
        group = committees.get_committee_for(reader, made.pk)
        pages = [committees.committee_page(reader, group, n, per_page=2) for n in (1, 2, 3)]
        assert [s.pk for page in pages for s in page.object_list] == expected
        assert pages[0].paginator.count == 5
    # A supervisor who is not a member sees only what their own visibility admits (none here).
    group = committees.get_committee_for(cast.victor, made.pk)
    assert list(committees.committee_page(cast.victor, group, 1).object_list) == []


def test_the_deadline_tabs_leave_out_withdrawn_and_merged_suggestions_too(cast):
    with time_machine.travel(NOW, tick=False):
        made = [suggestion_in_state("assigned", cast=cast) for _ in range(3)]
    later = NOW.date() + dt.timedelta(days=80)
    assert {a.suggestion_id for a in worklists.inbox_rows(cast.henry, "overdue", later)} == {s.pk for s in made}
    Suggestion.objects.filter(pk=made[0].pk).update(status=SuggestionStatus.WITHDRAWN)
    Suggestion.objects.filter(pk=made[1].pk).update(status=SuggestionStatus.MERGED)
    assert [a.suggestion_id for a in worklists.inbox_rows(cast.henry, "overdue", later)] == [made[2].pk]
    assert worklists.inbox_counts(cast.henry, later)["overdue"] == pagination.Count(1, True)
