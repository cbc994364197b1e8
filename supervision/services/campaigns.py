"""Supervision campaigns (督办周)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.checks import require_staff as _require_staff
from common.checks import require_text as _text
from common.errors import ActionInvalid
from suggestions.models import (
    Suggestion,
)

from ..models import (
    Campaign,
    KeySuggestion,
)

# ---------------------------------------------------------------------------------------------
# Campaigns (督办周)


@transaction.atomic
def campaign_save(
    *,
    actor: User,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    key_items: Sequence[KeySuggestion] = (),
    suggestions: Sequence[Suggestion] = (),
    outcome: str = "",
    campaign: Campaign | None = None,
) -> Campaign:
    _require_staff(actor)
    name = _text(name, "name", max_length=200)
    outcome = _text(outcome, "outcome", max_length=20000, required=False)
    if not isinstance(starts_on, dt.date):
        raise ActionInvalid.field("starts_on", _("Enter a valid date."))
    if not isinstance(ends_on, dt.date) or ends_on < starts_on:
        raise ActionInvalid.field("ends_on", _("The campaign cannot end before it starts."))
    if campaign is None:
        campaign = Campaign.objects.create(
            name=name, starts_on=starts_on, ends_on=ends_on, outcome=outcome, created_by=actor
        )
    else:
        campaign.name, campaign.starts_on, campaign.ends_on, campaign.outcome = name, starts_on, ends_on, outcome
        campaign.save(update_fields=["name", "starts_on", "ends_on", "outcome"])
    campaign.key_items.set(key_items)
    campaign.suggestions.set(suggestions)
    return campaign
