"""Editing a key item from the web in one change: its fields, its milestones and the start of its
"五个一" regime, in one transaction, so a refused part leaves nothing half-saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.checks import require_staff as _require_staff
from common.errors import ActionInvalid
from suggestions import deadlines as dl

from ..models import KeySuggestion, Milestone
from ..regime import regime_deadlines, regime_generate
from .base import _lock_item, _require_active
from .key_items import _parse_milestones, key_item_update


def milestones_set(*, key_item: KeySuggestion, milestones: Sequence[dict[str, Any]]) -> None:
    """Replace the milestones not done yet; done ones stay as they were (they are history)."""
    parsed = _parse_milestones(milestones)
    key_item.milestones.filter(done_at__isnull=True).delete()
    Milestone.objects.bulk_create(Milestone(key_item=key_item, **m) for m in parsed)


def regime_restart(*, key_item: KeySuggestion, starts_on: dt.date) -> None:
    """Move the start of the regime within the item's year: deadlines due before the new start that
    are still open no longer apply; the periods from the new start are added where missing."""
    if not isinstance(starts_on, dt.date) or starts_on.year != key_item.year:
        raise ActionInvalid.field("regime_starts_on", _("The regime must start within the item's year."))
    if starts_on == key_item.regime_starts_on:
        return
    dl.deadline_cancel(regime_deadlines(key_item).filter(due_date__lt=starts_on))
    KeySuggestion.objects.filter(pk=key_item.pk).update(regime_starts_on=starts_on)
    key_item.regime_starts_on = starts_on
    regime_generate(key_item)


@transaction.atomic
def key_item_edit(
    *,
    key_item: KeySuggestion,
    actor: User,
    milestones: Sequence[dict[str, Any]] | None = None,
    regime_starts_on: dt.date | None = None,
    **changes: Any,
) -> KeySuggestion:
    _require_staff(actor)
    _lock_item(key_item)
    _require_active(key_item)
    key_item_update(key_item=key_item, actor=actor, **changes)
    if milestones is not None:
        milestones_set(key_item=key_item, milestones=milestones)
    if regime_starts_on is not None:
        regime_restart(key_item=key_item, starts_on=regime_starts_on)
    return key_item
