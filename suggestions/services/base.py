"""Every write to a suggestion goes through here: one function per action (one door per change).

Each function checks the actor's role (ActionForbidden, 403) and the current state
(ActionConflict, 409), changes rows with conditional updates inside one transaction, and writes the
timeline event in that same transaction. Callers fetch objects through `selectors` first, so an
object the actor may not see has already been answered with 404. The web views, the API, the
admin and background jobs all call these functions; nothing else writes `status`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.checks import require as _require  # noqa: F401
from common.checks import require_choice as _require_choice  # noqa: F401
from common.checks import require_staff as _require_staff  # noqa: F401
from common.checks import require_text as _require_text  # noqa: F401
from common.errors import ActionConflict
from suggestions import deadlines as dl
from suggestions.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    DeadlineKind,
    Event,
    Party,
    Rating,
    Suggestion,
)
from suggestions.models import SuggestionStatus as S
from suggestions.signals import event_recorded

# The transition table of SPEC section 3: action -> (states it may start from, state it leads to).
# Actions whose target depends on the outcome (evaluate) name it None and decide in the service.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED),
    "accept": (frozenset({S.SUBMITTED}), S.REGISTERED),
    "reject": (frozenset({S.SUBMITTED}), S.NOT_ACCEPTED),
    "return": (frozenset({S.SUBMITTED}), S.DRAFT),
    "merge": (frozenset({S.SUBMITTED}), S.MERGED),
    "assign": (frozenset({S.REGISTERED}), S.ASSIGNED),
    "start_handling": (frozenset({S.ASSIGNED}), S.HANDLING),
    "back_to_registered": (frozenset({S.ASSIGNED, S.HANDLING}), S.REGISTERED),
    # A lead unit added while handling has not signed yet, so the suggestion waits for it again.
    "await_signing": (frozenset({S.HANDLING}), S.ASSIGNED),
    # Each lead unit's release is its own "reply_release" event; this is the suggestion's step.
    "all_replied": (frozenset({S.HANDLING, S.REHANDLING}), S.REPLIED),
    "evaluate": (frozenset({S.REPLIED}), None),
    "close_no_evaluation": (frozenset({S.REPLIED}), S.CLOSED),
    "close": (frozenset({S.REPLIED, S.FOLLOW_UP}), S.CLOSED),
    "follow_up_done": (frozenset({S.FOLLOW_UP}), S.CLOSED),
    "withdraw": (frozenset({S.DRAFT, S.SUBMITTED, S.REGISTERED, S.ASSIGNED, S.HANDLING}), S.WITHDRAWN),
    "reopen": (frozenset({S.CLOSED, S.FOLLOW_UP}), S.REHANDLING),
    # A commitment confirmed undelivered after closing puts the suggestion back under follow-up.
    "delivery_reopen": (frozenset({S.CLOSED}), S.FOLLOW_UP),
}

# States in which the suggestion is still being handled by units (assignments can act).
HANDLING_STATES = frozenset({S.ASSIGNED, S.HANDLING, S.REHANDLING})
SATISFIED = {Rating.SATISFIED, Rating.BASICALLY_SATISFIED}


# ---------------------------------------------------------------------------------------------
# Building blocks


def event_record(
    *,
    suggestion: Suggestion,
    actor: User | None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    detail: dict[str, Any] | None = None,
    hidden_from_units: bool = False,
) -> Event:
    """Append one event to the suggestion's timeline and tell listeners, inside the caller's transaction."""
    event = Event.objects.create(
        suggestion=suggestion,
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail or {},
        hidden_from_units=hidden_from_units,
    )
    event_recorded.send(sender=Event, event=event)
    return event


def _transition(
    suggestion: Suggestion,
    action: str,
    actor: User | None,
    *,
    to: str | None = None,
    detail: dict[str, Any] | None = None,
    **fields: Any,
) -> Event:
    """Move the suggestion along the table with a conditional UPDATE, then log it.

    The `status__in` guard makes the change race-free: of two concurrent requests only one
    finds the row still in a starting state; the other updates nothing and gets a 409.
    """
    sources, target = TRANSITIONS[action]
    target = to or target
    assert target is not None
    from_status = suggestion.status
    if from_status not in sources:
        raise ActionConflict(
            _("This action is not allowed while the suggestion is %(status)s.")
            % {"status": suggestion.get_status_display()}
        )
    updated = Suggestion.objects.filter(pk=suggestion.pk, status=from_status).update(
        status=target, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise ActionConflict(_("The suggestion was changed by someone else; reload and try again."))
    suggestion.status = target
    for name, value in fields.items():
        setattr(suggestion, name, value)
    return event_record(
        suggestion=suggestion, actor=actor, action=action, from_status=from_status, to_status=target, detail=detail
    )


def _lock(suggestion: Suggestion) -> Suggestion:
    """Re-read the suggestion under a row lock so checks and writes see one consistent state."""
    fresh = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    suggestion.status = fresh.status
    suggestion.round = fresh.round
    suggestion.number = fresh.number
    return suggestion


def _today() -> dt.date:
    return timezone.localdate()


def _live_assignments(suggestion: Suggestion):
    return Assignment.objects.live().filter(suggestion=suggestion)


def _after_lead_change(suggestion: Suggestion, actor: User | None) -> None:
    """Move the suggestion on when every live lead assignment has signed, or has replied."""
    leads = list(_live_assignments(suggestion).filter(role=AssignmentRole.LEAD).values_list("status", flat=True))
    if not leads:
        if suggestion.status in {S.ASSIGNED, S.HANDLING}:
            _transition(suggestion, "back_to_registered", actor)
        return
    unsigned = {AssignmentStatus.PENDING, AssignmentStatus.RETURN_REQUESTED}
    if suggestion.status == S.ASSIGNED and not any(s in unsigned for s in leads):
        _transition(suggestion, "start_handling", actor)
    if suggestion.status in {S.HANDLING, S.REHANDLING} and all(s == AssignmentStatus.REPLIED for s in leads):
        _transition(suggestion, "all_replied", actor, replied_at=timezone.now())
        dl.deadline_open(
            kind=DeadlineKind.EVALUATION,
            party=Party.DEPUTY,
            starts_on=_today(),
            user=suggestion.lead_deputy,
            suggestion=suggestion,
            from_event="reply_release",
        )
