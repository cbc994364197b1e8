"""Links between suggestions that other apps decide (supervision's repeat chain and look-back
follow-ups): the column write and its timeline event happen here, so `Suggestion` rows are only
ever written by this package."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from suggestions.models import Suggestion

from .base import event_record

LINK_FIELDS = frozenset({"repeat_of", "follows_up"})


@transaction.atomic
def suggestion_link(
    *, suggestion: Suggestion, field: str, target_id: int, actor: User | None, action: str, detail: dict[str, Any]
) -> Suggestion:
    """Point `suggestion.<field>` at suggestion `target_id` and log `action` on its timeline.

    The caller has checked who may link and whether the link makes sense; this is a plain column
    write (not a status), a fact about the matter.
    """
    if field not in LINK_FIELDS:
        raise ValueError(f"not a link field: {field}")
    Suggestion.objects.filter(pk=suggestion.pk).update(**{f"{field}_id": target_id}, updated_at=timezone.now())
    setattr(suggestion, f"{field}_id", target_id)
    event_record(suggestion=suggestion, actor=actor, action=action, detail=detail)
    return suggestion
