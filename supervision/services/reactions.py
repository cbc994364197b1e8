"""Reactions to the core's timeline (connected in SupervisionConfig.ready)."""

from __future__ import annotations

from suggestions import deadlines as dl
from suggestions.models import (
    Deadline,
    DeadlineKind,
    Party,
    Suggestion,
)
from suggestions.services import event_record

from .. import selectors
from ..models import (
    KeyItemStatus,
    KeySuggestion,
)
from ..regime import regime_generate
from .base import (
    S,
    _today,
)

# ---------------------------------------------------------------------------------------------
# Reactions to the core's timeline (connected in SupervisionConfig.ready)


def look_back_open_on_close(*, suggestion: Suggestion, from_event: str = "close") -> Deadline | None:
    """Open the look-back (回头看) a closed key or unsatisfied suggestion is due; a repeat is a no-op."""
    if not selectors.look_back_due_for(suggestion) or selectors.open_look_backs(suggestion).exists():
        return None
    today = _today()
    deadline = dl.deadline_open(
        kind=DeadlineKind.LOOK_BACK, party=Party.STAFF, starts_on=today, suggestion=suggestion, from_event=from_event
    )
    event_record(
        suggestion=suggestion, actor=None, action="look_back_due", detail={"due_date": deadline.due_date.isoformat()}
    )
    return deadline


def on_event_recorded(sender, event, **kwargs) -> None:
    """Runs inside the core's transaction, so what it writes commits or rolls back with the change."""
    if event.to_status == S.CLOSED:
        look_back_open_on_close(suggestion=event.suggestion, from_event=event.action)
    elif event.action == "assign":
        # A suggestion of an active key item got a (new) lead unit: it owes monthly reports too.
        for item in KeySuggestion.objects.filter(suggestions=event.suggestion_id, status=KeyItemStatus.ACTIVE):
            regime_generate(item)
