"""Repeated suggestions and follow-ups of a look-back: supervision decides, suggestions writes the link."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.checks import require_staff as _require_staff
from common.errors import ActionConflict, ActionInvalid
from suggestions.models import (
    Suggestion,
)
from suggestions.services import suggestion_link

from .. import selectors
from ..models import (
    Inspection,
    InspectionKind,
)

# ---------------------------------------------------------------------------------------------
# Repeated and follow-up suggestions


@transaction.atomic
def suggestion_link_repeat(*, suggestion: Suggestion, earlier: Suggestion, actor: User) -> Suggestion:
    """Staff link a suggestion to the earlier one on the same matter (重复提出)."""
    _require_staff(actor)
    suggestion = Suggestion.objects.select_for_update().select_related("session").get(pk=suggestion.pk)
    if earlier.pk == suggestion.pk:
        raise ActionInvalid.field("repeat_of", _("A suggestion cannot repeat itself."))
    if earlier.session.year > suggestion.session.year:
        raise ActionInvalid.field("repeat_of", _("Link to a suggestion raised earlier."))
    if earlier.pk in {s.pk for s in selectors.repeat_chain(suggestion)}:
        raise ActionConflict(_("These suggestions are already linked."))
    previous = suggestion.repeat_of_id
    suggestion_link(
        suggestion=suggestion,
        field="repeat_of",
        target_id=earlier.pk,
        actor=actor,
        action="link_repeat",
        detail={"repeat_of": earlier.pk, "previous": previous},
    )
    suggestion.repeat_of = earlier
    return suggestion


@transaction.atomic
def suggestion_link_follow_up(*, suggestion: Suggestion, look_back: Inspection, actor: User) -> Suggestion:
    """A suggestion raised after a look-back is linked to the suggestion that look-back examined."""
    _require_staff(actor)
    if (
        look_back.kind not in (InspectionKind.LOOK_BACK, InspectionKind.SECOND_ACCEPTANCE)
        or not look_back.suggestion_id
    ):
        raise ActionInvalid.field("look_back", _("Choose a look-back or second acceptance."))
    if look_back.suggestion_id == suggestion.pk:
        raise ActionInvalid.field("look_back", _("A suggestion cannot follow up on itself."))
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.follows_up_id == look_back.suggestion_id:
        raise ActionConflict(_("These suggestions are already linked."))
    return suggestion_link(
        suggestion=suggestion,
        field="follows_up",
        target_id=look_back.suggestion_id,
        actor=actor,
        action="link_follow_up",
        detail={"follows_up": look_back.suggestion_id, "look_back": look_back.pk},
    )
