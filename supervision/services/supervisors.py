"""Supervisors of a suggestion and leaders' instructions (批示)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.checks import require as _require
from common.checks import require_staff as _require_staff
from common.checks import require_text as _text
from common.errors import ActionConflict, ActionInvalid
from suggestions.models import (
    Suggestion,
)
from suggestions.services import event_record

from .. import selectors
from ..models import (
    Instruction,
    KeySuggestion,
    SuggestionSupervisor,
)
from .base import (
    _item_event,
    _lock_item,
    _require_active,
    _require_supervisable,
)

# ---------------------------------------------------------------------------------------------
# Supervisors and instructions


@transaction.atomic
def supervisor_attach(*, suggestion: Suggestion, user: User, actor: User) -> SuggestionSupervisor:
    """Staff attach a supervising leader to any suggestion in handling."""
    _require_staff(actor)
    if not (user.is_supervisor and user.is_active):
        raise ActionInvalid.field("user", _("Choose an active supervisor."))
    _require_supervisable(suggestion)
    try:
        # The unique constraint makes a concurrent second attach fail instead of duplicating.
        with transaction.atomic():
            link = SuggestionSupervisor.objects.create(suggestion=suggestion, user=user, assigned_by=actor)
    except IntegrityError:
        raise ActionConflict(_("This supervisor is already attached.")) from None
    event_record(
        suggestion=suggestion, actor=actor, action="supervisor_attach", detail={"user": user.pk, "name": str(user)}
    )
    return link


@transaction.atomic
def supervisor_detach(*, suggestion: Suggestion, user: User, actor: User) -> None:
    _require_staff(actor)
    deleted, _rows = SuggestionSupervisor.objects.filter(suggestion=suggestion, user=user).delete()
    if not deleted:
        raise ActionConflict(_("This supervisor is not attached."))
    event_record(
        suggestion=suggestion, actor=actor, action="supervisor_detach", detail={"user": user.pk, "name": str(user)}
    )


@transaction.atomic
def instruction_record(
    *, actor: User, text: str, suggestion: Suggestion | None = None, key_item: KeySuggestion | None = None
) -> Instruction:
    """批示 by a supervising leader (or staff recording it), shown on the timeline."""
    text = _text(text, "text", max_length=5000)
    if (suggestion is None) == (key_item is None):
        raise ActionInvalid.field("suggestion", _("Give either a suggestion or a key item."))
    if key_item is not None:
        _require(selectors.can_supervise_key_item(actor, key_item), _("Only the item's leaders may instruct on it."))
        _lock_item(key_item)
        _require_active(key_item)
    else:
        assert suggestion is not None
        _require(
            selectors.can_supervise_suggestion(actor, suggestion),
            _("Only the suggestion's supervisors may instruct on it."),
        )
        _require_supervisable(suggestion)
    instruction = Instruction.objects.create(suggestion=suggestion, key_item=key_item, author=actor, text=text)
    detail = {"instruction": instruction.pk, "text": text}
    if key_item is not None:
        _item_event(key_item, actor, "instruction", {**detail, "key_item": key_item.pk})
    else:
        assert suggestion is not None
        event_record(suggestion=suggestion, actor=actor, action="instruction", detail=detail)
    return instruction
