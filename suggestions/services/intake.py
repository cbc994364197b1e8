"""Intake (立案, 不予立案, return, 并案) and 交办 (staff)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from common.errors import ActionConflict, ActionInvalid
from suggestions import deadlines as dl
from suggestions.models import (
    Assignment,
    AssignmentRole,
    CongressSession,
    DeadlineKind,
    Party,
    Suggestion,
)
from suggestions.models import SuggestionStatus as S

from .base import (
    TRANSITIONS,
    _live_assignments,
    _lock,
    _require_staff,
    _require_text,
    _today,
    _transition,
    event_record,
)

# ---------------------------------------------------------------------------------------------
# Intake (staff)


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, actor: User) -> Suggestion:
    """立案: give the suggestion the next number of its session."""
    _require_staff(actor)
    _lock(suggestion)
    if suggestion.status not in TRANSITIONS["accept"][0]:
        _transition(suggestion, "accept", actor)  # raises the 409
    # Numbers are per session; locking the session row serialises concurrent acceptances so
    # two of them cannot both read the same maximum.
    CongressSession.objects.select_for_update().get(pk=suggestion.session_id)
    number = (Suggestion.objects.filter(session_id=suggestion.session_id).aggregate(m=Max("number"))["m"] or 0) + 1
    now = timezone.now()
    _transition(suggestion, "accept", actor, number=number, registered_at=now, detail={"number": number})
    if not suggestion.during_session:
        dl.deadline_open(
            kind=DeadlineKind.ASSIGN, party=Party.STAFF, starts_on=_today(), suggestion=suggestion, from_event="accept"
        )
    return suggestion


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, actor: User, reason: str, keep_as_letter: bool = False) -> Suggestion:
    """不予立案, with the reason; it may be kept as a deputy's letter (代表来信)."""
    _require_staff(actor)
    reason = _require_text(reason, "reason", max_length=5000)
    _lock(suggestion)
    _transition(
        suggestion,
        "reject",
        actor,
        reason=reason,
        keep_as_letter=bool(keep_as_letter),
        detail={"reason": reason, "keep_as_letter": bool(keep_as_letter)},
    )
    return suggestion


@transaction.atomic
def suggestion_return(*, suggestion: Suggestion, actor: User, reason: str) -> Suggestion:
    """Return to the deputy for revision; it becomes a draft again."""
    _require_staff(actor)
    reason = _require_text(reason, "reason", max_length=5000)
    _lock(suggestion)
    _transition(suggestion, "return", actor, reason=reason, detail={"reason": reason})
    return suggestion


@transaction.atomic
def suggestion_merge(*, suggestion: Suggestion, actor: User, into: Suggestion) -> Suggestion:
    """并案: this suggestion is handled as part of `into`."""
    _require_staff(actor)
    if into.pk == suggestion.pk:
        raise ActionInvalid.field("into", _("A suggestion cannot be merged into itself."))
    if into.status in {S.DRAFT, S.NOT_ACCEPTED, S.MERGED, S.WITHDRAWN}:
        raise ActionInvalid.field("into", _("The target suggestion is not one that is being handled."))
    _lock(suggestion)
    _transition(suggestion, "merge", actor, merged_into=into, detail={"into": into.pk})
    event_record(suggestion=into, actor=actor, action="merged_in", detail={"suggestion": suggestion.pk})
    return suggestion


# ---------------------------------------------------------------------------------------------
# 交办 (staff)


@transaction.atomic
def suggestion_assign(
    *,
    suggestion: Suggestion,
    actor: User,
    lead_units: Sequence[Unit],
    co_units: Sequence[Unit] = (),
    complex: bool = False,
    due_date: dt.date | None = None,
) -> list[Assignment]:
    """交办 to lead and co-units. Also used to re-assign after a return was approved.

    `due_date` overrides the computed reply deadline; it may lie in the past for suggestions
    entered after the fact, in which case the deadline is simply overdue.
    """
    _require_staff(actor)
    _lock(suggestion)
    lead_units, co_units = list(dict.fromkeys(lead_units)), list(dict.fromkeys(co_units))
    live = list(_live_assignments(suggestion))
    has_live_lead = any(a.role == AssignmentRole.LEAD for a in live)
    if suggestion.status != S.REGISTERED and not (suggestion.status in {S.ASSIGNED, S.HANDLING} and live):
        raise ActionConflict(_("Only a registered suggestion can be assigned."))
    if not lead_units and not has_live_lead:
        raise ActionInvalid.field("lead_units", _("Choose at least one lead unit."))
    if set(lead_units) & set(co_units):
        raise ActionInvalid.field("co_units", _("A unit cannot be both lead and co-unit."))
    inactive = [u for u in [*lead_units, *co_units] if not u.active]
    if inactive:
        raise ActionInvalid.field("lead_units", _("%(unit)s is not an active unit.") % {"unit": inactive[0].name})
    taken = {a.unit_id for a in live} & {u.pk for u in [*lead_units, *co_units]}
    if taken:
        # The state, not the input, is in the way (typically a repeated 交办): 409, not 400.
        raise ActionConflict(_("That unit already holds this suggestion."))

    now, today = timezone.now(), _today()
    made: list[Assignment] = []
    for role, units in ((AssignmentRole.LEAD, lead_units), (AssignmentRole.CO, co_units)):
        for unit in units:
            kind = DeadlineKind.REPLY if role == AssignmentRole.LEAD else DeadlineKind.OPINION
            if due_date is not None and role == AssignmentRole.LEAD:
                due, explanation = due_date, {"explicit": True}
            else:
                due, explanation = dl.compute_due(kind, today, complex=complex)
            assignment = Assignment.objects.create(
                suggestion=suggestion,
                unit=unit,
                role=role,
                assigned_at=now,
                assigned_by=actor,
                due_date=due,
                original_due_date=due,
            )
            dl.deadline_open(
                kind=DeadlineKind.SIGN, party=Party.UNIT, starts_on=today, unit=unit, suggestion=suggestion,
                assignment=assignment, from_event="assign",
            )  # fmt: skip
            dl.deadline_open(
                kind=kind, party=Party.UNIT, starts_on=today, unit=unit, suggestion=suggestion,
                assignment=assignment, due_date=due if explanation.get("explicit") else None, complex=complex,
                from_event="assign",
            )  # fmt: skip
            made.append(assignment)
    detail = {
        "lead_units": [u.pk for u in lead_units],
        "co_units": [u.pk for u in co_units],
        "units": [u.pk for u in [*lead_units, *co_units]],
        "complex": bool(complex),
        "due_date": due_date.isoformat() if due_date else None,
    }
    if suggestion.status == S.REGISTERED:
        _transition(suggestion, "assign", actor, complex=bool(complex), assigned_at=now, detail=detail)
        dl.deadline_satisfy(suggestion.deadlines.filter(kind=DeadlineKind.ASSIGN))
    else:
        event_record(suggestion=suggestion, actor=actor, action="assign", detail=detail)
        if suggestion.status == S.HANDLING and lead_units:
            # A new lead unit has not signed yet, so the suggestion waits for it again.
            _transition(suggestion, "await_signing", actor)
    return made
