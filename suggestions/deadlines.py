"""Deadlines as records: computed on the working-day calendar, explained, satisfied, extended.

"Due soon" and "overdue" are never stored; they are derived from `due_date` and today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils import timezone

from .models import DUE_SOON_DAYS, Deadline, DeadlineKind, DeadlineRule, DeadlineUnit
from .workdays import Calendar, add_months

WD, CAL, MON = DeadlineUnit.WORKING_DAYS, DeadlineUnit.CALENDAR_DAYS, DeadlineUnit.MONTHS

# SPEC section 4 defaults; staff override any of them with a DeadlineRule row.
DEFAULT_RULES: dict[str, tuple[int, str]] = {
    DeadlineKind.ASSIGN: (7, WD),
    DeadlineKind.SIGN: (3, WD),
    DeadlineKind.RETURN_WINDOW: (7, WD),
    DeadlineKind.OPINION: (1, MON),
    DeadlineKind.REPLY: (3, MON),
    DeadlineKind.REHANDLING_REPLY: (1, MON),
    DeadlineKind.EVALUATION: (20, WD),
    DeadlineKind.LOOK_BACK: (3, MON),
    DeadlineKind.INSPECTION_FOLLOW_UP: (1, MON),
    DeadlineKind.FACE_TO_FACE: (20, WD),
    DeadlineKind.HANDLING_PLAN: (5, WD),
    DeadlineKind.CONSULTATION: (5, WD),
}
COMPLEX_REPLY_MONTHS = 6
MAX_HANDLING_MONTHS = 6


def rule_for(kind: str, *, complex: bool = False) -> tuple[int, str]:
    if kind == DeadlineKind.REPLY and complex:
        return COMPLEX_REPLY_MONTHS, MON
    row = DeadlineRule.objects.filter(kind=kind).first()
    if row is not None:
        return row.amount, row.unit
    try:
        return DEFAULT_RULES[kind]
    except KeyError:
        raise ValueError(f"No rule for deadline kind {kind!r}; pass due_date") from None


def compute_due(
    kind: str, starts_on: dt.date, *, complex: bool = False, calendar: Calendar | None = None
) -> tuple[dt.date, dict[str, Any]]:
    """The due date for `kind` counted from `starts_on`, with the facts that explain it."""
    amount, unit = rule_for(kind, complex=complex)
    cal = calendar or Calendar.load(starts_on, starts_on + dt.timedelta(days=400))
    explanation: dict[str, Any] = {"rule": {"amount": amount, "unit": unit, "complex": complex}}
    if unit == WD:
        due, skipped = cal.add_working_days(starts_on, amount)
        explanation["skipped"] = skipped
    else:
        nominal = starts_on + dt.timedelta(days=amount) if unit == CAL else add_months(starts_on, amount)
        # A period in calendar time that ends on a rest day runs to the next working day.
        due, skipped = cal.next_workday_on_or_after(nominal)
        explanation["nominal_due"] = nominal.isoformat()
        explanation["rolled_forward"] = skipped
    return due, explanation


def deadline_open(
    *,
    kind: str,
    party: str,
    starts_on: dt.date,
    unit=None,
    user=None,
    suggestion=None,
    assignment=None,
    commitment=None,
    owner: Model | None = None,
    due_date: dt.date | None = None,
    complex: bool = False,
    from_event: str = "",
    remind: bool = True,
) -> Deadline:
    """Create an open deadline. An explicit `due_date` (may lie in the past) wins over the rule."""
    if due_date is None:
        due_date, explanation = compute_due(kind, starts_on, complex=complex)
    else:
        explanation = {"explicit": True}
    explanation.update({"from_event": from_event or kind, "starts_on": starts_on.isoformat(), "extensions": []})
    deadline = Deadline(
        kind=kind,
        party=party,
        unit=unit,
        user=user,
        suggestion=suggestion,
        assignment=assignment,
        commitment=commitment,
        starts_on=starts_on,
        due_date=due_date,
        original_due_date=due_date,
        explanation=explanation,
        # The reminder sweeper looks at it on its next run and schedules the stages itself.
        next_reminder_on=starts_on if remind else None,
    )
    if owner is not None:
        deadline.content_type = ContentType.objects.get_for_model(owner)
        deadline.object_id = owner.pk
    deadline.save()
    return deadline


def _as_queryset(deadlines: Deadline | QuerySet[Deadline]) -> QuerySet[Deadline]:
    if isinstance(deadlines, Deadline):
        return Deadline.objects.filter(pk=deadlines.pk)
    return deadlines


def deadline_satisfy(deadlines: Deadline | QuerySet[Deadline], *, at: dt.datetime | None = None) -> int:
    """Mark open deadlines met. Already closed ones are left alone, so a repeat is a no-op."""
    return _as_queryset(deadlines).open().update(satisfied_at=at or timezone.now(), next_reminder_on=None)


def deadline_cancel(deadlines: Deadline | QuerySet[Deadline], *, at: dt.datetime | None = None) -> int:
    """Close open deadlines that no longer apply (a withdrawn suggestion, a returned assignment)."""
    return _as_queryset(deadlines).open().update(cancelled_at=at or timezone.now(), next_reminder_on=None)


def deadline_extend(*, deadline: Deadline, new_due_date: dt.date, reason: str, actor=None) -> Deadline:
    """Move the due date that drives reminders; `original_due_date` stays for on-time statistics."""
    explanation = dict(deadline.explanation or {})
    explanation.setdefault("extensions", []).append(
        {
            "from": deadline.due_date.isoformat(),
            "to": new_due_date.isoformat(),
            "reason": reason,
            "by": getattr(actor, "pk", None),
            "at": timezone.now().isoformat(),
        }
    )
    deadline.due_date = new_due_date
    deadline.explanation = explanation
    deadline.next_reminder_on = timezone.localdate()
    deadline.save(update_fields=["due_date", "explanation", "next_reminder_on"])
    return deadline


def deadline_status(deadline: Deadline, today: dt.date | None = None) -> str:
    """Derived, never stored: met, cancelled, overdue, due_today, due_soon (within `DUE_SOON_DAYS`) or open."""
    today = today or timezone.localdate()
    if deadline.satisfied_at:
        return "met"
    if deadline.cancelled_at:
        return "cancelled"
    if deadline.due_date < today:
        return "overdue"
    if deadline.due_date == today:
        return "due_today"
    if (deadline.due_date - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "open"
