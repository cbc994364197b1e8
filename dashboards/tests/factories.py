"""Small hand-written factories that write handling records straight through the ORM.

The dashboards only read these rows, so the tests build exactly the states they need (including
ones that take months to reach through the services) and write the expected numbers by hand.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from suggestions.models import (
    Assignment,
    Commitment,
    Contact,
    Deadline,
    Evaluation,
    Reply,
    Suggestion,
)

SH = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(day: str, hour: int = 10) -> dt.datetime:
    """A Shanghai wall-clock moment on an ISO day."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SH)


def suggestion(session, deputy, *, status="handling", numbered=True, category=None, registered="2026-01-20", **kw):
    return Suggestion.objects.create(
        title=kw.pop("title", "关于改善排水设施的建议"),
        body="正文",
        session=session,
        lead_deputy=deputy,
        category=category,
        status=status,
        number=next(_numbers) if numbered else None,
        registered_at=at(registered) if numbered else None,
        **kw,
    )


def assign(s, unit, by, *, role="lead", status="accepted", assigned="2026-02-01", due="2026-05-01", original=None):
    return Assignment.objects.create(
        suggestion=s,
        unit=unit,
        role=role,
        status=status,
        assigned_at=at(assigned),
        assigned_by=by,
        due_date=dt.date.fromisoformat(due),
        original_due_date=dt.date.fromisoformat(original or due),
    )


def reply(a, by, *, released, result_class="A", round=1, status="released"):
    return Reply.objects.create(
        assignment=a,
        round=round,
        body="答复",
        result_class=result_class,
        adoption="adopted",
        status=status,
        drafted_by=by,
        signer=by,
        released_at=at(released) if released else None,
    )


def contact(a, by, *, phase="before", day="2026-03-01"):
    return Contact.objects.create(
        assignment=a, phase=phase, method="phone", met_by="staff", contacted_at=at(day), summary="沟通", created_by=by
    )


def rate(s, deputy, *, result, round=1, is_lead=True):
    return Evaluation.objects.create(
        suggestion=s, deputy=deputy, round=round, is_lead=is_lead, attitude="satisfied", result=result
    )


def deadline(s, a, *, due, kind="reply", satisfied=False):
    day = dt.date.fromisoformat(due)
    return Deadline.objects.create(
        kind=kind,
        party="unit",
        unit=a.unit,
        suggestion=s,
        assignment=a,
        starts_on=day - dt.timedelta(days=90),
        due_date=day,
        original_due_date=day,
        satisfied_at=at(due) if satisfied else None,
    )


def commitment(r, *, target, delivery="", confirmed=None, by=None, fulfilled=None):
    """A B/C reply's commitment; `delivery` is its latest confirmation ("" while unconfirmed)."""
    return Commitment.objects.create(
        reply=r,
        description="承诺完成改造",
        target_date=dt.date.fromisoformat(target),
        delivery=delivery,
        delivery_confirmed_at=at(confirmed or target) if delivery else None,
        delivery_confirmed_by=by if delivery else None,
        fulfilled_at=at(fulfilled) if fulfilled else None,
    )
