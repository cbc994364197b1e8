"""Evaluation, re-handling, follow-up commitments, reopening and closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionConflict, ActionInvalid
from suggestions import deadlines as dl
from suggestions.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Commitment,
    CoSignerStatus,
    Deadline,
    DeadlineKind,
    Evaluation,
    Party,
    Rating,
    Reply,
    ReplyStatus,
    Suggestion,
)
from suggestions.models import SuggestionStatus as S

from .base import (
    TRANSITIONS,
    _live_assignments,
    _lock,
    _require,
    _require_staff,
    _require_text,
    _today,
    _transition,
    event_record,
)
from .handling import (
    _require_unit_member,
)

# ---------------------------------------------------------------------------------------------
# Evaluation, re-handling, follow-up and closing


def _open_commitments(suggestion: Suggestion):
    return Commitment.objects.filter(
        reply__assignment__suggestion=suggestion, reply__status=ReplyStatus.RELEASED, fulfilled_at__isnull=True
    )


@transaction.atomic
def suggestion_evaluate(
    *, suggestion: Suggestion, actor: User, attitude: str, result: str, comment: str = ""
) -> Evaluation:
    """满意度测评 on two dimensions. Only the lead deputy's rating moves the state."""
    for field, value in (("attitude", attitude), ("result", result)):
        if value not in Rating.values:
            raise ActionInvalid.field(field, _("Choose satisfied, basically satisfied or unsatisfied."))
    unsatisfied = Rating.UNSATISFIED in (attitude, result)
    comment = (comment or "").strip()
    if unsatisfied and not comment:
        raise ActionInvalid.field("comment", _("Say why you are unsatisfied."))
    if len(comment) > 5000:
        raise ActionInvalid.field("comment", _("Ensure this field has at most %(n)d characters.") % {"n": 5000})
    _lock(suggestion)
    is_lead = actor.pk == suggestion.lead_deputy_id
    is_cosigner = suggestion.cosignatures.filter(deputy=actor, status=CoSignerStatus.CONFIRMED).exists()
    _require(is_lead or is_cosigner, _("Only the suggestion's deputies may rate its handling."))
    if suggestion.status != S.REPLIED:
        raise ActionConflict(_("The suggestion can be rated once its reply has been released."))
    if Evaluation.objects.filter(suggestion=suggestion, deputy=actor, round=suggestion.round).exists():
        raise ActionConflict(_("You have already rated this round."))
    evaluation = Evaluation.objects.create(
        suggestion=suggestion,
        deputy=actor,
        round=suggestion.round,
        is_lead=is_lead,
        attitude=attitude,
        result=result,
        comment=comment,
    )
    detail = {"attitude": attitude, "result": result, "round": suggestion.round, "lead": is_lead}
    if not is_lead:
        event_record(suggestion=suggestion, actor=actor, action="evaluate", detail=detail)
        return evaluation
    dl.deadline_satisfy(suggestion.deadlines.filter(kind=DeadlineKind.EVALUATION))
    if unsatisfied and suggestion.round == 1:
        _start_rehandling(suggestion, actor, action="evaluate", detail=detail)
    elif unsatisfied:
        # A second "unsatisfied" goes to staff, who meet the deputy face to face and then close.
        event_record(suggestion=suggestion, actor=actor, action="evaluate", detail={**detail, "to_staff": True})
        dl.deadline_open(
            kind=DeadlineKind.FACE_TO_FACE, party=Party.STAFF, starts_on=_today(), suggestion=suggestion,
            from_event="evaluate",
        )  # fmt: skip
    elif _open_commitments(suggestion).exists():
        _transition(suggestion, "evaluate", actor, to=S.FOLLOW_UP, detail=detail)
    else:
        _transition(suggestion, "evaluate", actor, to=S.CLOSED, closed_at=timezone.now(), detail=detail)
    return evaluation


def _start_rehandling(
    suggestion: Suggestion, actor: User | None, *, action: str, detail: dict[str, Any], reason: str = ""
) -> None:
    """重新办理: every lead unit replies again within the re-handling deadline."""
    new_round = suggestion.round + 1
    _transition(suggestion, action, actor, to=S.REHANDLING, round=new_round, closed_at=None, detail=detail)
    today = _today()
    leads = list(_live_assignments(suggestion).filter(role=AssignmentRole.LEAD).select_related("unit"))
    for assignment in leads:
        due, _explanation = dl.compute_due(DeadlineKind.REHANDLING_REPLY, today)
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.ACCEPTED, due_date=due)
        dl.deadline_open(
            kind=DeadlineKind.REHANDLING_REPLY, party=Party.UNIT, starts_on=today, unit=assignment.unit,
            suggestion=suggestion, assignment=assignment, from_event=action,
        )  # fmt: skip
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="rehandling_ordered",
        detail={"round": new_round, "units": [a.unit_id for a in leads], "reason": reason},
    )


@transaction.atomic
def suggestion_reopen(*, suggestion: Suggestion, actor: User | None, reason: str) -> Suggestion:
    """A failed second acceptance (二次验收) reopens a closed suggestion for re-handling."""
    if actor is not None:
        _require(actor.is_office_staff or actor.is_supervisor, _("Only staff or supervisors may reopen a suggestion."))
    reason = _require_text(reason, "reason", max_length=5000)
    _lock(suggestion)
    if suggestion.status not in TRANSITIONS["reopen"][0]:
        _transition(suggestion, "reopen", actor)  # raises the 409
    _start_rehandling(suggestion, actor, action="reopen", detail={"reason": reason}, reason=reason)
    return suggestion


@transaction.atomic
def suggestion_close_without_evaluation(*, suggestion: Suggestion) -> Suggestion:
    """The evaluation window passed with no rating: closed, recorded as "no evaluation"."""
    _lock(suggestion)
    if Evaluation.objects.filter(suggestion=suggestion, round=suggestion.round, is_lead=True).exists():
        raise ActionConflict(_("The lead deputy has rated this round."))
    _transition(
        suggestion,
        "close_no_evaluation",
        None,
        to=S.CLOSED,
        closed_at=timezone.now(),
        no_evaluation=True,
        detail={"no_evaluation": True},
    )
    dl.deadline_cancel(suggestion.deadlines.filter(kind=DeadlineKind.EVALUATION))
    return suggestion


def suggestions_close_unevaluated(*, today: dt.date | None = None, limit: int = 500) -> int:
    """System sweep: close replied suggestions whose evaluation deadline has passed."""
    today = today or _today()
    ids = list(
        Deadline.objects.overdue(today)
        .filter(kind=DeadlineKind.EVALUATION, suggestion__status=S.REPLIED)
        .values_list("suggestion_id", flat=True)[:limit]
    )
    closed = 0
    for suggestion in Suggestion.objects.filter(pk__in=ids):
        try:
            suggestion_close_without_evaluation(suggestion=suggestion)
            closed += 1
        except ActionConflict:
            continue  # rated or moved meanwhile: nothing to do
    return closed


@transaction.atomic
def suggestion_close(*, suggestion: Suggestion, actor: User, note: str) -> Suggestion:
    """Staff close with a note: after the face-to-face meeting on a second "unsatisfied", or a
    follow-up whose commitments they judge fulfilled (e.g. second acceptance passed)."""
    _require_staff(actor)
    note = _require_text(note, "note", max_length=5000)
    _lock(suggestion)
    if (
        suggestion.status == S.REPLIED
        and not Evaluation.objects.filter(suggestion=suggestion, round=suggestion.round, is_lead=True).exists()
    ):
        raise ActionConflict(_("Wait for the deputy's rating or the end of the evaluation window."))
    _transition(suggestion, "close", actor, closure_note=note, closed_at=timezone.now(), detail={"note": note})
    dl.deadline_satisfy(suggestion.deadlines.filter(kind=DeadlineKind.FACE_TO_FACE))
    dl.deadline_cancel(suggestion.deadlines.filter(kind=DeadlineKind.COMMITMENT))
    return suggestion


@transaction.atomic
def commitment_fulfil(*, commitment: Commitment, actor: User, note: str) -> Commitment:
    """The unit reports a commitment done; the last one closes a follow-up suggestion."""
    assignment = commitment.reply.assignment
    _require_unit_member(actor, assignment)
    note = _require_text(note, "note", max_length=5000)
    suggestion = _lock(assignment.suggestion)
    if suggestion.status in {S.CLOSED, S.WITHDRAWN}:
        raise ActionConflict(_("The suggestion is closed; its commitments can no longer be reported."))
    # Read under the lock: a commitment of a reply still awaiting the head's sign-off is only a draft.
    if Reply.objects.filter(pk=commitment.reply_id, status=ReplyStatus.AWAITING_SIGNOFF).exists():
        raise ActionConflict(_("The reply has not been signed off yet; its commitments cannot be reported."))
    if (
        Commitment.objects.filter(pk=commitment.pk, fulfilled_at__isnull=True).update(
            fulfilled_at=timezone.now(), fulfilment_note=note
        )
        != 1
    ):
        raise ActionConflict(_("This commitment is already reported as fulfilled."))
    dl.deadline_satisfy(commitment.deadlines.all())
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="commitment_fulfilled",
        detail={"commitment": commitment.pk, "unit": assignment.unit_id, "note": note},
    )
    if suggestion.status == S.FOLLOW_UP and not _open_commitments(suggestion).exists():
        _transition(suggestion, "follow_up_done", actor, closed_at=timezone.now(), detail={"commitment": commitment.pk})
    return commitment
