"""Small factories for reminder tests: suggestions and deadlines made directly with the ORM.

Deliberately bare rows: these tests feed the sweep a deadline (or the receivers an event) as their
input and then count every notice. A suggestion reached through the services would bring its own
sign / reply / opinion deadlines and its own assignment notices, and every count would change.
Tests that need a suggestion in a real state use `testing.factories.suggestion_in_state`."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from suggestions.models import (
    Assignment,
    AssignmentRole,
    Deadline,
    DeadlineKind,
    Party,
    Suggestion,
    SuggestionStatus,
)

_numbers = itertools.count(1)


@pytest.fixture
def make_suggestion(session_2026, category, alice):
    def make(**kw) -> Suggestion:
        kw.setdefault("title", "关于加快建设排涝站的建议")
        kw.setdefault("body", "江门某片区每逢暴雨即内涝。")
        kw.setdefault("status", SuggestionStatus.HANDLING)
        kw.setdefault("number", next(_numbers))
        return Suggestion.objects.create(session=session_2026, category=category, lead_deputy=alice, **kw)

    return make


@pytest.fixture
def make_assignment(sam):
    def make(suggestion, unit, *, role=AssignmentRole.LEAD, due=dt.date(2027, 3, 1), **kw) -> Assignment:
        return Assignment.objects.create(
            suggestion=suggestion, unit=unit, role=role, assigned_at=timezone.now(), assigned_by=sam,
            due_date=due, original_due_date=due, **kw,
        )  # fmt: skip

    return make


@pytest.fixture
def make_deadline():
    def make(*, due: dt.date, starts_on: dt.date | None = None, kind=DeadlineKind.REPLY, party=Party.UNIT, **kw):
        starts_on = starts_on or due - dt.timedelta(days=60)
        return Deadline.objects.create(
            kind=kind, party=party, starts_on=starts_on, due_date=due, original_due_date=due,
            next_reminder_on=kw.pop("next_reminder_on", starts_on), **kw,
        )  # fmt: skip

    return make
