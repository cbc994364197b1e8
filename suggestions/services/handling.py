"""Handling units: signing, return and extension requests, contacts, replies, opinions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionConflict, ActionInvalid
from suggestions import deadlines as dl
from suggestions.models import (
    Adoption,
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Commitment,
    Contact,
    ContactMethod,
    ContactPhase,
    Deadline,
    DeadlineKind,
    MetBy,
    Opinion,
    Party,
    Reply,
    ReplyStatus,
    RequestKind,
    RequestStatus,
    ResultClass,
    Suggestion,
)
from suggestions.workdays import add_months

from .base import (
    HANDLING_STATES,
    _after_lead_change,
    _lock,
    _require,
    _require_choice,
    _require_staff,
    _require_text,
    _today,
    event_record,
)
from .drafting import (
    attachments_add,
)

# ---------------------------------------------------------------------------------------------
# Handling units


def _lock_assignment(assignment: Assignment) -> Assignment:
    fresh = Assignment.objects.select_for_update().get(pk=assignment.pk)
    assignment.status, assignment.due_date = fresh.status, fresh.due_date
    return assignment


def _require_unit_member(actor: User, assignment: Assignment) -> None:
    _require(
        actor.is_unit_user and actor.unit_id == assignment.unit_id,
        _("Only the assigned unit may do this."),
    )


def _require_open_suggestion(suggestion: Suggestion) -> None:
    if suggestion.status not in HANDLING_STATES:
        raise ActionConflict(
            _("This action is not allowed while the suggestion is %(status)s.")
            % {"status": suggestion.get_status_display()}
        )


def _set_assignment_status(assignment: Assignment, sources: set[str], to: str, **fields: Any) -> None:
    """Conditional update on the assignment's own state; a concurrent repeat updates nothing (409)."""
    if assignment.status not in sources:
        raise ActionConflict(
            _("This action is not allowed while the assignment is %(status)s.")
            % {"status": assignment.get_status_display()}
        )
    if Assignment.objects.filter(pk=assignment.pk, status=assignment.status).update(status=to, **fields) != 1:
        raise ActionConflict(_("The assignment was changed by someone else; reload and try again."))
    assignment.status = to
    for name, value in fields.items():
        setattr(assignment, name, value)


@transaction.atomic
def assignment_sign(*, assignment: Assignment, actor: User) -> Assignment:
    """签收."""
    _require_unit_member(actor, assignment)
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    _require_open_suggestion(suggestion)
    _set_assignment_status(
        assignment, {AssignmentStatus.PENDING}, AssignmentStatus.ACCEPTED, signed_at=timezone.now(), signed_by=actor
    )
    dl.deadline_satisfy(assignment.deadlines.filter(kind=DeadlineKind.SIGN))
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="sign",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id},
    )
    _after_lead_change(suggestion, actor)
    return assignment


def return_window_end(assignment: Assignment) -> dt.date:
    start = timezone.localtime(assignment.assigned_at).date()
    return dl.compute_due(DeadlineKind.RETURN_WINDOW, start)[0]


@transaction.atomic
def assignment_request_return(*, assignment: Assignment, actor: User, reason: str) -> AssignmentRequest:
    """申请退回, within the return window; a unit never forwards a suggestion itself."""
    _require_unit_member(actor, assignment)
    reason = _require_text(reason, "reason", max_length=5000)
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    _require_open_suggestion(suggestion)
    if _today() > return_window_end(assignment):
        raise ActionConflict(_("The return window has passed; ask staff directly."))
    _set_assignment_status(
        assignment, {AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED}, AssignmentStatus.RETURN_REQUESTED
    )
    request = AssignmentRequest.objects.create(
        assignment=assignment, kind=RequestKind.RETURN, reason=reason, requested_by=actor
    )
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="request_return",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "reason": reason, "request": request.pk},
    )
    return request


def _pending_request(assignment: Assignment, kind: str) -> AssignmentRequest:
    request = (
        AssignmentRequest.objects.select_for_update()
        .filter(assignment=assignment, kind=kind, status=RequestStatus.PENDING)
        .first()
    )
    if request is None:
        raise ActionConflict(_("There is no pending request to decide."))
    return request


def _decide(request: AssignmentRequest, actor: User, status: str, note: str, **fields: Any) -> None:
    request.status, request.decided_by, request.decided_at, request.decision_note = (
        status, actor, timezone.now(), note,
    )  # fmt: skip
    for name, value in fields.items():
        setattr(request, name, value)
    request.save()


@transaction.atomic
def assignment_approve_return(*, assignment: Assignment, actor: User, note: str = "") -> Assignment:
    _require_staff(actor)
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    request = _pending_request(assignment, RequestKind.RETURN)
    _set_assignment_status(assignment, {AssignmentStatus.RETURN_REQUESTED}, AssignmentStatus.RETURNED)
    _decide(request, actor, RequestStatus.APPROVED, note)
    dl.deadline_cancel(assignment.deadlines.all())
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="approve_return",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "note": note},
    )
    _after_lead_change(suggestion, actor)
    return assignment


@transaction.atomic
def assignment_refuse_return(*, assignment: Assignment, actor: User, note: str = "") -> Assignment:
    _require_staff(actor)
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    request = _pending_request(assignment, RequestKind.RETURN)
    back = AssignmentStatus.ACCEPTED if assignment.signed_at else AssignmentStatus.PENDING
    _set_assignment_status(assignment, {AssignmentStatus.RETURN_REQUESTED}, back)
    _decide(request, actor, RequestStatus.REFUSED, note)
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="refuse_return",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "note": note},
    )
    _after_lead_change(suggestion, actor)
    return assignment


def extension_limit(assignment: Assignment) -> dt.date:
    """Total handling time is at most six months from 交办."""
    return add_months(timezone.localtime(assignment.assigned_at).date(), dl.MAX_HANDLING_MONTHS)


EXTENDABLE = {AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED}


@transaction.atomic
def assignment_request_extension(
    *, assignment: Assignment, actor: User, reason: str, due_date: dt.date | None
) -> AssignmentRequest:
    """申请延期 to a new due date within six months of 交办."""
    _require_unit_member(actor, assignment)
    reason = _require_text(reason, "reason", max_length=5000)
    if due_date is None:
        raise ActionInvalid.field("due_date", _("This field is required."))
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    _require_open_suggestion(suggestion)
    if assignment.status not in EXTENDABLE:
        raise ActionConflict(_("Only an assignment being handled can be extended."))
    if due_date <= assignment.due_date:
        raise ActionInvalid.field("due_date", _("The new due date must be after the current one."))
    if due_date > extension_limit(assignment):
        raise ActionInvalid.field(
            "due_date",
            _("Handling may last at most six months from assignment (until %(date)s).")
            % {"date": extension_limit(assignment).isoformat()},
        )
    if AssignmentRequest.objects.filter(
        assignment=assignment, kind=RequestKind.EXTENSION, status=RequestStatus.PENDING
    ).exists():
        raise ActionConflict(_("An extension request is already waiting for a decision."))
    request = AssignmentRequest.objects.create(
        assignment=assignment,
        kind=RequestKind.EXTENSION,
        reason=reason,
        requested_due_date=due_date,
        requested_by=actor,
    )
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="request_extension",
        detail={
            "assignment": assignment.pk,
            "unit": assignment.unit_id,
            "reason": reason,
            "due_date": due_date.isoformat(),
            "request": request.pk,
        },
    )
    return request


def _handling_deadline(assignment: Assignment) -> Deadline | None:
    kinds = [DeadlineKind.REPLY, DeadlineKind.REHANDLING_REPLY, DeadlineKind.OPINION]
    return assignment.deadlines.open().filter(kind__in=kinds).order_by("-id").first()


@transaction.atomic
def assignment_approve_extension(
    *, assignment: Assignment, actor: User, due_date: dt.date | None = None, note: str = ""
) -> Assignment:
    """Staff grant the extension (the requested date unless they set another within the limit)."""
    _require_staff(actor)
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    request = _pending_request(assignment, RequestKind.EXTENSION)
    new_due = due_date or request.requested_due_date
    assert new_due is not None
    if new_due <= assignment.due_date or new_due > extension_limit(assignment):
        raise ActionInvalid.field(
            "due_date", _("The new due date must be after the current one and within six months.")
        )
    _decide(request, actor, RequestStatus.APPROVED, note, approved_due_date=new_due)
    Assignment.objects.filter(pk=assignment.pk).update(due_date=new_due)
    assignment.due_date = new_due
    deadline = _handling_deadline(assignment)
    if deadline is not None:
        dl.deadline_extend(deadline=deadline, new_due_date=new_due, reason=request.reason, actor=actor)
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="approve_extension",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "due_date": new_due.isoformat(), "note": note},
    )
    return assignment


@transaction.atomic
def assignment_refuse_extension(*, assignment: Assignment, actor: User, note: str = "") -> Assignment:
    _require_staff(actor)
    suggestion = _lock(assignment.suggestion)
    request = _pending_request(assignment, RequestKind.EXTENSION)
    _decide(request, actor, RequestStatus.REFUSED, note)
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="refuse_extension",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "note": note},
    )
    return assignment


CONTACT_STATES = {
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.AWAITING_SIGNOFF,
    AssignmentStatus.REPLIED,
    AssignmentStatus.OPINION_SENT,
    AssignmentStatus.RETURN_REQUESTED,
}


def _contact_moment(contacted_at: dt.date | dt.datetime) -> dt.datetime:
    """The one rule for the web form and the API: a contact may not be dated after today (the local
    date), and a time, when given, may not be in the future.

    A date alone is stored as noon local time that day, so it shows on that day in every view; for
    today, not later than now, so a contact logged this morning counts as made before a reply
    released this morning.
    """
    now = timezone.now()
    if isinstance(contacted_at, dt.datetime):
        if timezone.is_naive(contacted_at):
            contacted_at = timezone.make_aware(contacted_at)
        if contacted_at > now:
            raise ActionInvalid.field("contacted_at", _("A contact cannot be in the future."))
        return contacted_at
    if contacted_at > timezone.localdate(now):
        raise ActionInvalid.field("contacted_at", _("A contact cannot be dated after today."))
    return min(timezone.make_aware(dt.datetime.combine(contacted_at, dt.time(12))), now)


@transaction.atomic
def contact_log(
    *,
    assignment: Assignment,
    actor: User,
    phase: str,
    method: str,
    met_by: str,
    contacted_at: dt.date | dt.datetime,
    summary: str,
) -> Contact:
    """沟通记录: before, during or after handling. A unit logs contacts once it has signed.

    `contacted_at` is a date (the web form; `YYYY-MM-DD` in the API) or a time; see `_contact_moment`.
    """
    _require_unit_member(actor, assignment)
    _require_choice(phase, "phase", ContactPhase.values)
    _require_choice(method, "method", ContactMethod.values)
    _require_choice(met_by, "met_by", MetBy.values)
    summary = _require_text(summary, "summary", max_length=5000)
    contacted_at = _contact_moment(contacted_at)
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    if assignment.status not in CONTACT_STATES:
        raise ActionConflict(_("Sign for the suggestion before logging contacts."))
    # A double-submitted form must not count as two contacts in the contact rate.
    if assignment.contacts.filter(
        phase=phase, method=method, met_by=met_by, contacted_at=contacted_at, summary=summary
    ).exists():
        raise ActionConflict(_("This contact is already in the log."))
    contact = Contact.objects.create(
        assignment=assignment,
        phase=phase,
        method=method,
        met_by=met_by,
        contacted_at=contacted_at,
        summary=summary,
        created_by=actor,
    )
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="contact",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "contact": contact.pk, "phase": phase},
    )
    return contact


@transaction.atomic
def contact_dispute(*, contact: Contact, actor: User, note: str) -> Contact:
    """The deputy says a logged contact did not happen as recorded."""
    suggestion = contact.assignment.suggestion
    _require(
        actor.pk == suggestion.lead_deputy_id or suggestion.cosignatures.filter(deputy=actor).exists(),
        _("Only the suggestion's deputies may dispute a contact."),
    )
    note = _require_text(note, "note", max_length=5000)
    if (
        Contact.objects.filter(pk=contact.pk, disputed=False).update(
            disputed=True, dispute_note=note, disputed_at=timezone.now()
        )
        != 1
    ):
        raise ActionConflict(_("This contact is already disputed."))
    contact.refresh_from_db()
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="contact_dispute",
        detail={"contact": contact.pk, "unit": contact.assignment.unit_id, "note": note},
    )
    return contact


@transaction.atomic
def reply_draft(
    *,
    assignment: Assignment,
    actor: User,
    body: str,
    result_class: str,
    adoption: str,
    public: bool = True,
    contact_person: str = "",
    contact_phone: str = "",
    commitments: Sequence[dict[str, Any]] = (),
    attachments: Iterable = (),
) -> Reply:
    """A handler (or the head) drafts the lead unit's reply; it waits for the head's sign-off."""
    _require_unit_member(actor, assignment)
    body = _require_text(body, "body", max_length=20000)
    if result_class not in ResultClass.values:
        raise ActionInvalid.field("result_class", _("Choose one of A, B, C, D."))
    _require_choice(adoption, "adoption", Adoption.values)
    if assignment.role != AssignmentRole.LEAD:
        raise ActionConflict(_("Only a lead unit replies; a co-unit sends an opinion."))
    parsed = _parse_commitments(commitments)
    if result_class in {ResultClass.B, ResultClass.C} and not parsed:
        raise ActionInvalid.field("commitments", _("A class B or C reply must list what the unit commits to do."))
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    _require_open_suggestion(suggestion)
    if suggestion.confidential:
        public = False
    _set_assignment_status(assignment, {AssignmentStatus.ACCEPTED}, AssignmentStatus.AWAITING_SIGNOFF)
    reply = Reply.objects.create(
        assignment=assignment,
        round=suggestion.round,
        body=body,
        result_class=result_class,
        adoption=adoption,
        public=bool(public),
        contact_person=contact_person,
        contact_phone=contact_phone,
        drafted_by=actor,
    )
    Commitment.objects.bulk_create([Commitment(reply=reply, **c) for c in parsed])
    attachments_add(suggestion=suggestion, actor=actor, files=attachments, reply=reply)
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="reply_draft",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "reply": reply.pk},
    )
    return reply


def _parse_commitments(commitments: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    parsed = []
    for item in commitments or ():
        description = str(item.get("description") or "").strip()
        target = item.get("target_date")
        if isinstance(target, str):
            try:
                target = dt.date.fromisoformat(target)
            except ValueError:
                target = None
        if not description or not isinstance(target, dt.date):
            raise ActionInvalid.field("commitments", _("Each commitment needs a description and a target date."))
        if target < _today():
            raise ActionInvalid.field("commitments", _("A commitment's target date cannot be in the past."))
        parsed.append({"description": description[:2000], "target_date": target})
    return parsed


def contact_required() -> bool:
    return getattr(settings, "REPLY_REQUIRES_CONTACT", True)


@transaction.atomic
def reply_approve(*, assignment: Assignment, actor: User) -> Reply:
    """签发: the unit head signs off the waiting reply and releases it to the deputy."""
    _require(
        actor.is_unit_head and actor.unit_id == assignment.unit_id,
        _("Only the head of the assigned unit may sign off its reply."),
    )
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    if assignment.status != AssignmentStatus.AWAITING_SIGNOFF:
        raise ActionConflict(_("There is no reply waiting for sign-off."))
    reply = assignment.replies.select_for_update().get(status=ReplyStatus.AWAITING_SIGNOFF)
    if (
        contact_required()
        and not assignment.contacts.filter(phase__in=[ContactPhase.BEFORE, ContactPhase.DURING]).exists()
    ):
        raise ActionConflict(_("Log at least one contact with the deputy before releasing the reply."))
    now = timezone.now()
    deadline = _handling_deadline(assignment)
    on_time = deadline is None or timezone.localtime(now).date() <= deadline.original_due_date
    assignment.replies.filter(status=ReplyStatus.RELEASED).update(status=ReplyStatus.SUPERSEDED)
    reply.status, reply.signer, reply.released_at, reply.on_time = ReplyStatus.RELEASED, actor, now, on_time
    reply.save(update_fields=["status", "signer", "released_at", "on_time"])
    _set_assignment_status(assignment, {AssignmentStatus.AWAITING_SIGNOFF}, AssignmentStatus.REPLIED, replied_at=now)
    if deadline is not None:
        dl.deadline_satisfy(deadline, at=now)
    for commitment in reply.commitments.all():
        dl.deadline_open(
            kind=DeadlineKind.COMMITMENT, party=Party.UNIT, starts_on=_today(), unit=assignment.unit,
            suggestion=suggestion, assignment=assignment, commitment=commitment, due_date=commitment.target_date,
            from_event="reply_release",
        )  # fmt: skip
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="reply_release",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "reply": reply.pk, "on_time": on_time},
    )
    _after_lead_change(suggestion, actor)
    return reply


@transaction.atomic
def reply_send_back(*, assignment: Assignment, actor: User, note: str) -> Reply:
    """The head does not sign off; the draft goes back to the handler."""
    _require(
        actor.is_unit_head and actor.unit_id == assignment.unit_id,
        _("Only the head of the assigned unit may send a reply back."),
    )
    note = _require_text(note, "note", max_length=5000)
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    _set_assignment_status(assignment, {AssignmentStatus.AWAITING_SIGNOFF}, AssignmentStatus.ACCEPTED)
    reply = assignment.replies.get(status=ReplyStatus.AWAITING_SIGNOFF)
    reply.status = ReplyStatus.SUPERSEDED
    reply.save(update_fields=["status"])
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="reply_send_back",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "reply": reply.pk, "note": note},
    )
    return reply


@transaction.atomic
def opinion_send(*, assignment: Assignment, actor: User, body: str) -> Opinion:
    """会办意见: the co-unit's written opinion to the lead unit(s)."""
    _require_unit_member(actor, assignment)
    body = _require_text(body, "body", max_length=20000)
    if assignment.role != AssignmentRole.CO:
        raise ActionConflict(_("Only a co-unit sends an opinion; a lead unit replies."))
    suggestion = _lock(assignment.suggestion)
    _lock_assignment(assignment)
    _require_open_suggestion(suggestion)
    _set_assignment_status(
        assignment, {AssignmentStatus.ACCEPTED}, AssignmentStatus.OPINION_SENT, replied_at=timezone.now()
    )
    opinion = Opinion.objects.create(assignment=assignment, body=body, author=actor)
    dl.deadline_satisfy(assignment.deadlines.filter(kind=DeadlineKind.OPINION))
    event_record(
        suggestion=suggestion,
        actor=actor,
        action="opinion",
        detail={"assignment": assignment.pk, "unit": assignment.unit_id, "opinion": opinion.pk},
    )
    return opinion
