"""落实: once a B/C commitment falls due, the deputy confirms whether it was delivered.

An undelivered commitment is owed again: its deadline reopens for a month, and a suggestion that
had closed goes back under follow-up, so that closing it again needs the unit to deliver.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionConflict
from suggestions import deadlines as dl
from suggestions.models import Commitment, DeadlineKind, Delivery, Party, ReplyStatus
from suggestions.models import SuggestionStatus as S
from suggestions.workdays import add_months

from .base import _lock, _require, _require_text, _today, _transition, event_record

REDELIVERY_MONTHS = 1


def _may_confirm(actor: User, commitment: Commitment) -> bool:
    """The lead deputy, or a supervisor who takes part in the suggestion (attached, or leading its key item)."""
    suggestion = commitment.reply.assignment.suggestion
    if actor.pk == suggestion.lead_deputy_id:
        return True
    if actor.is_supervisor:
        from suggestions.selectors import suggestion_participated_by

        return suggestion_participated_by(actor, suggestion)
    return False


def commitment_due_for_confirmation(commitment: Commitment, today=None) -> bool:
    """It has fallen due (its date has come) or the unit reported it done, and nobody confirmed it yet."""
    today = today or _today()
    if commitment.delivery == Delivery.DELIVERED:
        return False
    if commitment.reply.status != ReplyStatus.RELEASED:
        return False
    return commitment.target_date <= today or commitment.fulfilled_at is not None


@transaction.atomic
def commitment_confirm_delivery(*, commitment: Commitment, actor: User, delivered: bool, note: str = "") -> Commitment:
    _require(_may_confirm(actor, commitment), _("Only the lead deputy or an attached supervisor confirms delivery."))
    assignment = commitment.reply.assignment
    suggestion = _lock(assignment.suggestion)
    commitment = Commitment.objects.select_for_update().select_related("reply").get(pk=commitment.pk)
    if not commitment_due_for_confirmation(commitment):
        raise ActionConflict(_("This commitment has not fallen due yet, or its delivery is already confirmed."))
    now = timezone.now()
    if delivered:
        note = (note or "").strip()[:5000]
        Commitment.objects.filter(pk=commitment.pk).update(
            delivery=Delivery.DELIVERED, delivery_confirmed_at=now, delivery_confirmed_by=actor, delivery_note=note
        )
        event_record(
            suggestion=suggestion,
            actor=actor,
            action="commitment_delivered",
            detail={"commitment": commitment.pk, "unit": assignment.unit_id},
        )
    else:
        note = _require_text(note, "note", max_length=5000)
        Commitment.objects.filter(pk=commitment.pk).update(
            delivery=Delivery.NOT_DELIVERED,
            delivery_confirmed_at=now,
            delivery_confirmed_by=actor,
            delivery_note=note,
            fulfilled_at=None,
        )
        # The unit owes it again; the old deadline stays met or overdue as history.
        dl.deadline_open(
            kind=DeadlineKind.COMMITMENT,
            party=Party.UNIT,
            unit=assignment.unit,
            suggestion=suggestion,
            assignment=assignment,
            commitment=commitment,
            starts_on=_today(),
            due_date=add_months(_today(), REDELIVERY_MONTHS),
            from_event="commitment_not_delivered",
        )
        event_record(
            suggestion=suggestion,
            actor=actor,
            action="commitment_not_delivered",
            detail={"commitment": commitment.pk, "unit": assignment.unit_id, "note": note},
        )
        if suggestion.status == S.CLOSED:
            _transition(suggestion, "delivery_reopen", actor, closed_at=None, detail={"commitment": commitment.pk})
    commitment.refresh_from_db()
    return commitment
