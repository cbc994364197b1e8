"""What every supervision service shares: the states a suggestion can be supervised in, locks, guards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionConflict
from suggestions.models import (
    Suggestion,
    SuggestionStatus,
)
from suggestions.services import event_record

from ..models import (
    KeyItemStatus,
    KeySuggestion,
)

S = SuggestionStatus
# A suggestion that never entered handling cannot be supervised.
NOT_SUPERVISABLE = frozenset({S.DRAFT, S.SUBMITTED, S.NOT_ACCEPTED, S.MERGED, S.WITHDRAWN})
AFTER_CLOSING = frozenset({S.CLOSED, S.FOLLOW_UP})


def _require_supervisable(suggestion: Suggestion) -> None:
    if suggestion.status in NOT_SUPERVISABLE:
        raise ActionConflict(
            _("This action is not allowed while the suggestion is %(status)s.")
            % {"status": suggestion.get_status_display()}
        )


def _lock_item(item: KeySuggestion) -> KeySuggestion:
    fresh = KeySuggestion.objects.select_for_update().get(pk=item.pk)
    item.status = fresh.status
    return item


def _require_active(item: KeySuggestion) -> None:
    if item.status != KeyItemStatus.ACTIVE:
        raise ActionConflict(_("This key item is completed."))


def _item_event(item: KeySuggestion, actor: User | None, action: str, detail: dict[str, Any], **kw: Any) -> None:
    """Write the same timeline entry on every suggestion of a key item."""
    for suggestion in item.suggestions.all():
        event_record(suggestion=suggestion, actor=actor, action=action, detail=detail, **kw)


def _today() -> dt.date:
    return timezone.localdate()
