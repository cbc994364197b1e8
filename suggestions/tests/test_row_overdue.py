"""A list row's "overdue" flag is read from the open reply deadline (prefetched with the row, no
query per row); `Assignment.due_date` only gives the date the row shows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from suggestions.models import Assignment, DeadlineKind
from testing.factories import lead_assignment, suggestion_in_state

from .clock import SHANGHAI, WORKING_DAY_MORNING, pinned_clock
from .web_helpers import client_for

pytestmark = pytest.mark.django_db

_clock = pinned_clock(WORKING_DAY_MORNING)


def reply_deadline(suggestion):
    return suggestion.deadlines.open().get(kind=DeadlineKind.REPLY)


def the_day_after(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(10), tzinfo=SHANGHAI)


def overdue_badges(client) -> int:
    response = client.get(reverse("suggestion_list"))
    assert response.status_code == 200
    return response.content.decode().count('<span class="badge text-bg-danger">')


def test_a_row_is_overdue_once_its_open_reply_deadline_has_passed(cast):
    suggestion = suggestion_in_state("handling", cast=cast)
    due = reply_deadline(suggestion).due_date
    assert overdue_badges(client_for(cast.sam)) == 0
    with time_machine.travel(the_day_after(due), tick=False):
        assert overdue_badges(client_for(cast.sam)) == 1


def test_the_flag_follows_the_deadline_not_the_assignments_copy(cast):
    suggestion = suggestion_in_state("handling", cast=cast)
    due = reply_deadline(suggestion).due_date
    # Drift on purpose (no service does this): the copy says long past, the deadline says not yet.
    Assignment.objects.filter(pk=lead_assignment(suggestion).pk).update(due_date=due - dt.timedelta(days=300))
    assert overdue_badges(client_for(cast.sam)) == 0
    with time_machine.travel(the_day_after(due), tick=False):
        assert overdue_badges(client_for(cast.sam)) == 1


@pytest.mark.parametrize("rows", [1, 5])
def test_the_overdue_flag_costs_no_query_per_row(rows, cast, django_assert_num_queries):
    for i in range(rows):
        suggestion_in_state("handling", cast=cast, co_unit=False, title=f"关于第{i}件事的建议")
    due = reply_deadline(suggestion_in_state("handling", cast=cast, co_unit=False)).due_date
    with time_machine.travel(the_day_after(due), tick=False):
        staff = client_for(cast.sam)
        # session, user, bell; count, rows (with the reply deadline), assignments, co-signers; the form's lists.
        with django_assert_num_queries(10):
            assert overdue_badges(staff) == rows + 1
