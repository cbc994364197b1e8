"""Every write to a suggestion goes through here: one function per action (one door per change).

Each function checks the actor's role (ActionForbidden, 403) and the current state
(ActionConflict, 409), changes rows with conditional updates inside one transaction, and writes the
timeline event in that same transaction. Callers fetch objects through `selectors` first, so an
object the actor may not see has already been answered with 404. The web views, the API, the
admin and background jobs all call these functions; nothing else writes `status`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Unit, User
from config.errors import ActionConflict, ActionForbidden, ActionInvalid

from . import deadlines as dl
from .models import (
    Adoption,
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Attachment,
    Category,
    Commitment,
    CongressSession,
    Contact,
    ContactMethod,
    ContactPhase,
    CoSigner,
    CoSignerStatus,
    Deadline,
    DeadlineKind,
    Evaluation,
    Event,
    MetBy,
    Opinion,
    Party,
    Rating,
    Reply,
    ReplyStatus,
    RequestKind,
    RequestStatus,
    ResultClass,
    Suggestion,
)
from .models import SuggestionStatus as S
from .signals import event_recorded

# The transition table of SPEC section 3: action -> (states it may start from, state it leads to).
# Actions whose target depends on the outcome (evaluate) name it None and decide in the service.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED),
    "accept": (frozenset({S.SUBMITTED}), S.REGISTERED),
    "reject": (frozenset({S.SUBMITTED}), S.NOT_ACCEPTED),
    "return": (frozenset({S.SUBMITTED}), S.DRAFT),
    "merge": (frozenset({S.SUBMITTED}), S.MERGED),
    "assign": (frozenset({S.REGISTERED}), S.ASSIGNED),
    "start_handling": (frozenset({S.ASSIGNED}), S.HANDLING),
    "back_to_registered": (frozenset({S.ASSIGNED, S.HANDLING}), S.REGISTERED),
    # Each lead unit's release is its own "reply_release" event; this is the suggestion's step.
    "all_replied": (frozenset({S.HANDLING, S.REHANDLING}), S.REPLIED),
    "evaluate": (frozenset({S.REPLIED}), None),
    "close_no_evaluation": (frozenset({S.REPLIED}), S.CLOSED),
    "close": (frozenset({S.REPLIED, S.FOLLOW_UP}), S.CLOSED),
    "follow_up_done": (frozenset({S.FOLLOW_UP}), S.CLOSED),
    "withdraw": (frozenset({S.DRAFT, S.SUBMITTED, S.REGISTERED, S.ASSIGNED, S.HANDLING}), S.WITHDRAWN),
    "reopen": (frozenset({S.CLOSED, S.FOLLOW_UP}), S.REHANDLING),
}

# States in which the suggestion is still being handled by units (assignments can act).
HANDLING_STATES = frozenset({S.ASSIGNED, S.HANDLING, S.REHANDLING})
SATISFIED = {Rating.SATISFIED, Rating.BASICALLY_SATISFIED}
LIVE_ASSIGNMENT = ~Q(status=AssignmentStatus.RETURNED)


# ---------------------------------------------------------------------------------------------
# Building blocks


def event_record(
    *,
    suggestion: Suggestion,
    actor: User | None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    detail: dict[str, Any] | None = None,
    hidden_from_units: bool = False,
) -> Event:
    """Append one event to the suggestion's timeline and tell listeners, inside the caller's transaction."""
    event = Event.objects.create(
        suggestion=suggestion,
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail or {},
        hidden_from_units=hidden_from_units,
    )
    event_recorded.send(sender=Event, event=event)
    return event


def _transition(
    suggestion: Suggestion,
    action: str,
    actor: User | None,
    *,
    to: str | None = None,
    detail: dict[str, Any] | None = None,
    **fields: Any,
) -> Event:
    """Move the suggestion along the table with a conditional UPDATE, then log it.

    The `status__in` guard makes the change race-free: of two concurrent requests only one
    finds the row still in a starting state; the other updates nothing and gets a 409.
    """
    sources, target = TRANSITIONS[action]
    target = to or target
    assert target is not None
    from_status = suggestion.status
    if from_status not in sources:
        raise ActionConflict(
            _("This action is not allowed while the suggestion is %(status)s.")
            % {"status": suggestion.get_status_display()}
        )
    updated = Suggestion.objects.filter(pk=suggestion.pk, status=from_status).update(
        status=target, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise ActionConflict(_("The suggestion was changed by someone else; reload and try again."))
    suggestion.status = target
    for name, value in fields.items():
        setattr(suggestion, name, value)
    return event_record(
        suggestion=suggestion, actor=actor, action=action, from_status=from_status, to_status=target, detail=detail
    )


def _lock(suggestion: Suggestion) -> Suggestion:
    """Re-read the suggestion under a row lock so checks and writes see one consistent state."""
    fresh = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    suggestion.status = fresh.status
    suggestion.round = fresh.round
    suggestion.number = fresh.number
    return suggestion


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ActionForbidden(message)


def _require_staff(actor: User) -> None:
    _require(actor.is_office_staff, _("Only deputy-affairs staff may do this."))


def _require_text(value: str | None, field: str, *, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise ActionInvalid.field(field, _("This field is required."))
    if max_length is not None and len(text) > max_length:
        raise ActionInvalid.field(field, _("Ensure this field has at most %(n)d characters.") % {"n": max_length})
    return text


def _require_choice(value: str | None, field: str, choices: Iterable[str]) -> str:
    """Enumerations are checked here too: the web forms and workers call services without a serializer."""
    if value not in set(choices):
        raise ActionInvalid.field(field, _("“%(value)s” is not a valid choice.") % {"value": value})
    return value  # type: ignore[return-value]


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------
# Drafting and co-signing (deputies)

ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/ofd": ".ofd",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
ALLOWED_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ofd", ".txt",
    ".jpg", ".jpeg", ".png", ".gif", ".webp",
}  # fmt: skip


def validate_attachment(upload, field: str = "attachments") -> None:
    name = getattr(upload, "name", "") or ""
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise ActionInvalid.field(field, _("%(name)s: only document and image files may be attached.") % {"name": name})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ActionInvalid.field(field, _("%(name)s: an attachment may be at most 20 MB.") % {"name": name})


def attachments_add(
    *, suggestion: Suggestion, actor: User, files: Iterable, reply: Reply | None = None, field: str = "attachments"
) -> list:
    files = list(files)
    for upload in files:
        validate_attachment(upload, field)
    made = []
    for upload in files:
        made.append(
            Attachment.objects.create(
                suggestion=suggestion,
                reply=reply,
                file=upload,
                name=upload.name[:200],
                size=upload.size,
                content_type=(getattr(upload, "content_type", "") or "application/octet-stream")[:100],
                uploaded_by=actor,
            )
        )
    return made


@transaction.atomic
def suggestion_attach(*, suggestion: Suggestion, actor: User, files: Iterable, field: str = "file") -> list:
    """The lead deputy adds files to their draft; all of them or none are stored."""
    _require(actor.pk == suggestion.lead_deputy_id, _("Only the lead deputy may attach files."))
    _lock(suggestion)
    if suggestion.status != S.DRAFT:
        raise ActionConflict(_("Files can only be attached while the suggestion is a draft."))
    made = attachments_add(suggestion=suggestion, actor=actor, files=files, field=field)
    event_record(suggestion=suggestion, actor=actor, action="attach", detail={"attachments": [a.pk for a in made]})
    return made


def _validate_cosigners(actor: User, co_signer_ids: Sequence[int]) -> list[User]:
    ids = list(dict.fromkeys(int(i) for i in co_signer_ids))
    if actor.pk in ids:
        raise ActionInvalid.field("co_signers", _("The lead deputy cannot co-sign their own suggestion."))
    deputies = list(User.objects.filter(pk__in=ids, role=Role.DEPUTY, is_active=True))
    if len(deputies) != len(ids):
        raise ActionInvalid.field("co_signers", _("Co-signers must be active deputies."))
    return deputies


def _validate_content(title: str | None, body: str | None) -> tuple[str, str]:
    return _require_text(title, "title", max_length=200), _require_text(body, "body", max_length=20000)


@transaction.atomic
def suggestion_create(
    *,
    author: User,
    title: str,
    body: str,
    session: CongressSession,
    category: Category | None = None,
    co_signers: Sequence[int] = (),
    suggested_unit: Unit | None = None,
    confidential: bool = False,
    during_session: bool = True,
    repeat_of: Suggestion | None = None,
    follows_up: Suggestion | None = None,
    attachments: Iterable = (),
    lead_deputy: User | None = None,
) -> Suggestion:
    """A deputy drafts a suggestion (staff may enter one on a deputy's behalf, e.g. from paper)."""
    if author.is_office_staff and lead_deputy is not None:
        lead = lead_deputy
        _require(lead.is_deputy, _("The lead of a suggestion must be a deputy."))
    else:
        _require(author.is_deputy, _("Only deputies may draft suggestions."))
        lead = author
    title, body = _validate_content(title, body)
    deputies = _validate_cosigners(lead, co_signers)
    suggestion = Suggestion.objects.create(
        title=title,
        body=body,
        session=session,
        category=category,
        lead_deputy=lead,
        suggested_unit=suggested_unit,
        confidential=confidential,
        during_session=during_session,
        repeat_of=repeat_of,
        follows_up=follows_up,
    )
    CoSigner.objects.bulk_create([CoSigner(suggestion=suggestion, deputy=d) for d in deputies])
    attachments_add(suggestion=suggestion, actor=author, files=attachments)
    event_record(suggestion=suggestion, actor=author, action="create", to_status=S.DRAFT, detail={"title": title})
    if deputies:
        event_record(
            suggestion=suggestion,
            actor=author,
            action="cosign_invite",
            detail={"deputies": [d.pk for d in deputies]},
        )
    return suggestion


EDITABLE_FIELDS = (
    "title", "body", "category", "session", "suggested_unit", "confidential", "during_session", "repeat_of",
    "follows_up",
)  # fmt: skip


@transaction.atomic
def suggestion_update(
    *, suggestion: Suggestion, actor: User, co_signers: Sequence[int] | None = None, **changes: Any
) -> Suggestion:
    """Edit a draft (lead deputy only). Changing co-signers re-invites the new ones."""
    _lock(suggestion)
    _require(actor.pk == suggestion.lead_deputy_id, _("Only the lead deputy may edit this suggestion."))
    if suggestion.status != S.DRAFT:
        raise ActionConflict(_("A suggestion can only be edited while it is a draft."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ActionInvalid.field(sorted(unknown)[0], _("This field cannot be changed."))
    if "title" in changes or "body" in changes:
        changes["title"], changes["body"] = _validate_content(
            changes.get("title", suggestion.title), changes.get("body", suggestion.body)
        )
    changed = []
    for name, value in changes.items():
        if getattr(suggestion, name) != value:
            setattr(suggestion, name, value)
            changed.append(name)
    if changed:
        suggestion.save(update_fields=[*changed, "updated_at"])
    detail: dict[str, Any] = {"fields": changed}
    if co_signers is not None:
        wanted = {d.pk for d in _validate_cosigners(actor, co_signers)}
        current = set(suggestion.cosignatures.values_list("deputy_id", flat=True))
        suggestion.cosignatures.filter(deputy_id__in=current - wanted).delete()
        added = sorted(wanted - current)
        CoSigner.objects.bulk_create([CoSigner(suggestion=suggestion, deputy_id=i) for i in added])
        detail["co_signers_added"] = added
        detail["co_signers_removed"] = sorted(current - wanted)
        if added:
            event_record(suggestion=suggestion, actor=actor, action="cosign_invite", detail={"deputies": added})
    if changed or detail.get("co_signers_added") or detail.get("co_signers_removed"):
        event_record(suggestion=suggestion, actor=actor, action="update", detail=detail)
    return suggestion


@transaction.atomic
def suggestion_cosign(*, suggestion: Suggestion, actor: User, accept: bool) -> CoSigner:
    """An invited co-signer confirms or declines, while the suggestion is a draft."""
    _lock(suggestion)
    row = CoSigner.objects.select_for_update().filter(suggestion=suggestion, deputy=actor).first()
    _require(row is not None, _("Only an invited co-signer may confirm or decline."))
    assert row is not None
    if suggestion.status != S.DRAFT:
        raise ActionConflict(_("Co-signing is only possible while the suggestion is a draft."))
    if row.status != CoSignerStatus.INVITED:
        raise ActionConflict(_("You have already answered this invitation."))
    row.status = CoSignerStatus.CONFIRMED if accept else CoSignerStatus.DECLINED
    row.responded_at = timezone.now()
    row.save(update_fields=["status", "responded_at"])
    event_record(suggestion=suggestion, actor=actor, action="cosign", detail={"accept": bool(accept)})
    return row


@transaction.atomic
def suggestion_submit(*, suggestion: Suggestion, actor: User) -> Suggestion:
    _lock(suggestion)
    _require(actor.pk == suggestion.lead_deputy_id, _("Only the lead deputy may submit."))
    if suggestion.status == S.DRAFT and suggestion.cosignatures.filter(status=CoSignerStatus.INVITED).exists():
        raise ActionConflict(_("Every co-signer must confirm or decline before the suggestion is submitted."))
    _transition(suggestion, "submit", actor, submitted_at=timezone.now())
    return suggestion


# ---------------------------------------------------------------------------------------------
# Intake (staff)


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, actor: User) -> Suggestion:
    """立案: give the suggestion the next number of its session."""
    _require_staff(actor)
    _lock(suggestion)
    if suggestion.status not in TRANSITIONS["accept"][0]:
        _transition(suggestion, "accept", actor)  # raises the 409
    # Numbers are per session; locking the session row serialises concurrent acceptances so
    # two of them cannot both read the same maximum.
    CongressSession.objects.select_for_update().get(pk=suggestion.session_id)
    number = (Suggestion.objects.filter(session_id=suggestion.session_id).aggregate(m=Max("number"))["m"] or 0) + 1
    now = timezone.now()
    _transition(suggestion, "accept", actor, number=number, registered_at=now, detail={"number": number})
    if not suggestion.during_session:
        dl.deadline_open(
            kind=DeadlineKind.ASSIGN, party=Party.STAFF, starts_on=_today(), suggestion=suggestion, from_event="accept"
        )
    return suggestion


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, actor: User, reason: str, keep_as_letter: bool = False) -> Suggestion:
    """不予立案, with the reason; it may be kept as a deputy's letter (代表来信)."""
    _require_staff(actor)
    reason = _require_text(reason, "reason", max_length=5000)
    _lock(suggestion)
    _transition(
        suggestion,
        "reject",
        actor,
        reason=reason,
        keep_as_letter=bool(keep_as_letter),
        detail={"reason": reason, "keep_as_letter": bool(keep_as_letter)},
    )
    return suggestion


@transaction.atomic
def suggestion_return(*, suggestion: Suggestion, actor: User, reason: str) -> Suggestion:
    """Return to the deputy for revision; it becomes a draft again."""
    _require_staff(actor)
    reason = _require_text(reason, "reason", max_length=5000)
    _lock(suggestion)
    _transition(suggestion, "return", actor, reason=reason, detail={"reason": reason})
    return suggestion


@transaction.atomic
def suggestion_merge(*, suggestion: Suggestion, actor: User, into: Suggestion) -> Suggestion:
    """并案: this suggestion is handled as part of `into`."""
    _require_staff(actor)
    if into.pk == suggestion.pk:
        raise ActionInvalid.field("into", _("A suggestion cannot be merged into itself."))
    if into.status in {S.DRAFT, S.NOT_ACCEPTED, S.MERGED, S.WITHDRAWN}:
        raise ActionInvalid.field("into", _("The target suggestion is not one that is being handled."))
    _lock(suggestion)
    _transition(suggestion, "merge", actor, merged_into=into, detail={"into": into.pk})
    event_record(suggestion=into, actor=actor, action="merged_in", detail={"suggestion": suggestion.pk})
    return suggestion


# ---------------------------------------------------------------------------------------------
# 交办 (staff)


def _live_assignments(suggestion: Suggestion):
    return Assignment.objects.filter(suggestion=suggestion).filter(LIVE_ASSIGNMENT)


@transaction.atomic
def suggestion_assign(
    *,
    suggestion: Suggestion,
    actor: User,
    lead_units: Sequence[Unit],
    co_units: Sequence[Unit] = (),
    complex: bool = False,
    due_date: dt.date | None = None,
) -> list[Assignment]:
    """交办 to lead and co-units. Also used to re-assign after a return was approved.

    `due_date` overrides the computed reply deadline; it may lie in the past for suggestions
    entered after the fact, in which case the deadline is simply overdue.
    """
    _require_staff(actor)
    _lock(suggestion)
    lead_units, co_units = list(dict.fromkeys(lead_units)), list(dict.fromkeys(co_units))
    live = list(_live_assignments(suggestion))
    has_live_lead = any(a.role == AssignmentRole.LEAD for a in live)
    if suggestion.status != S.REGISTERED and not (suggestion.status in {S.ASSIGNED, S.HANDLING} and live):
        raise ActionConflict(_("Only a registered suggestion can be assigned."))
    if not lead_units and not has_live_lead:
        raise ActionInvalid.field("lead_units", _("Choose at least one lead unit."))
    if set(lead_units) & set(co_units):
        raise ActionInvalid.field("co_units", _("A unit cannot be both lead and co-unit."))
    inactive = [u for u in [*lead_units, *co_units] if not u.active]
    if inactive:
        raise ActionInvalid.field("lead_units", _("%(unit)s is not an active unit.") % {"unit": inactive[0].name})
    taken = {a.unit_id for a in live} & {u.pk for u in [*lead_units, *co_units]}
    if taken:
        # The state, not the input, is in the way (typically a repeated 交办): 409, not 400.
        raise ActionConflict(_("That unit already holds this suggestion."))

    now, today = timezone.now(), _today()
    made: list[Assignment] = []
    for role, units in ((AssignmentRole.LEAD, lead_units), (AssignmentRole.CO, co_units)):
        for unit in units:
            kind = DeadlineKind.REPLY if role == AssignmentRole.LEAD else DeadlineKind.OPINION
            if due_date is not None and role == AssignmentRole.LEAD:
                due, explanation = due_date, {"explicit": True}
            else:
                due, explanation = dl.compute_due(kind, today, complex=complex)
            assignment = Assignment.objects.create(
                suggestion=suggestion,
                unit=unit,
                role=role,
                assigned_at=now,
                assigned_by=actor,
                due_date=due,
                original_due_date=due,
            )
            dl.deadline_open(
                kind=DeadlineKind.SIGN, party=Party.UNIT, starts_on=today, unit=unit, suggestion=suggestion,
                assignment=assignment, from_event="assign",
            )  # fmt: skip
            dl.deadline_open(
                kind=kind, party=Party.UNIT, starts_on=today, unit=unit, suggestion=suggestion,
                assignment=assignment, due_date=due if explanation.get("explicit") else None, complex=complex,
                from_event="assign",
            )  # fmt: skip
            made.append(assignment)
    detail = {
        "lead_units": [u.pk for u in lead_units],
        "co_units": [u.pk for u in co_units],
        "units": [u.pk for u in [*lead_units, *co_units]],
        "complex": bool(complex),
        "due_date": due_date.isoformat() if due_date else None,
    }
    if suggestion.status == S.REGISTERED:
        _transition(suggestion, "assign", actor, complex=bool(complex), assigned_at=now, detail=detail)
        dl.deadline_satisfy(suggestion.deadlines.filter(kind=DeadlineKind.ASSIGN))
    else:
        event_record(suggestion=suggestion, actor=actor, action="assign", detail=detail)
        if suggestion.status == S.HANDLING and lead_units:
            # A new lead unit has not signed yet, so the suggestion waits for it again.
            _transition_raw(suggestion, S.ASSIGNED, actor, "await_signing")
    return made


def _transition_raw(suggestion: Suggestion, to: str, actor: User | None, action: str) -> None:
    """A system step outside the user-facing table (re-assignment moves handling back to assigned)."""
    from_status = suggestion.status
    Suggestion.objects.filter(pk=suggestion.pk, status=from_status).update(status=to, updated_at=timezone.now())
    suggestion.status = to
    event_record(suggestion=suggestion, actor=actor, action=action, from_status=from_status, to_status=to)


def _after_lead_change(suggestion: Suggestion, actor: User | None) -> None:
    """Move the suggestion on when every live lead assignment has signed, or has replied."""
    leads = list(_live_assignments(suggestion).filter(role=AssignmentRole.LEAD).values_list("status", flat=True))
    if not leads:
        if suggestion.status in {S.ASSIGNED, S.HANDLING}:
            _transition(suggestion, "back_to_registered", actor)
        return
    unsigned = {AssignmentStatus.PENDING, AssignmentStatus.RETURN_REQUESTED}
    if suggestion.status == S.ASSIGNED and not any(s in unsigned for s in leads):
        _transition(suggestion, "start_handling", actor)
    if suggestion.status in {S.HANDLING, S.REHANDLING} and all(s == AssignmentStatus.REPLIED for s in leads):
        _transition(suggestion, "all_replied", actor, replied_at=timezone.now())
        dl.deadline_open(
            kind=DeadlineKind.EVALUATION,
            party=Party.DEPUTY,
            starts_on=_today(),
            user=suggestion.lead_deputy,
            suggestion=suggestion,
            from_event="reply_release",
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
    from .workdays import add_months

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
    return (
        assignment.deadlines.filter(kind__in=kinds, satisfied_at__isnull=True, cancelled_at__isnull=True)
        .order_by("-id")
        .first()
    )


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


@transaction.atomic
def contact_log(
    *,
    assignment: Assignment,
    actor: User,
    phase: str,
    method: str,
    met_by: str,
    contacted_at: dt.datetime,
    summary: str,
) -> Contact:
    """沟通记录: before, during or after handling. A unit logs contacts once it has signed."""
    _require_unit_member(actor, assignment)
    _require_choice(phase, "phase", ContactPhase.values)
    _require_choice(method, "method", ContactMethod.values)
    _require_choice(met_by, "met_by", MetBy.values)
    summary = _require_text(summary, "summary", max_length=5000)
    if contacted_at > timezone.now() + dt.timedelta(hours=1):
        raise ActionInvalid.field("contacted_at", _("A contact cannot be in the future."))
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
        Deadline.objects.filter(
            kind=DeadlineKind.EVALUATION,
            satisfied_at__isnull=True,
            cancelled_at__isnull=True,
            due_date__lt=today,
            suggestion__status=S.REPLIED,
        ).values_list("suggestion_id", flat=True)[:limit]
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


@transaction.atomic
def suggestion_consent_withdraw(*, suggestion: Suggestion, actor: User) -> CoSigner:
    """A confirmed co-signer agrees that the lead deputy may withdraw the joint suggestion."""
    _lock(suggestion)
    row = CoSigner.objects.filter(suggestion=suggestion, deputy=actor, status=CoSignerStatus.CONFIRMED).first()
    _require(row is not None, _("Only a co-signer may consent to withdrawal."))
    assert row is not None
    if suggestion.status not in TRANSITIONS["withdraw"][0]:
        raise ActionConflict(_("This suggestion can no longer be withdrawn."))
    if row.withdraw_consent:
        raise ActionConflict(_("You have already consented."))
    row.withdraw_consent = True
    row.save(update_fields=["withdraw_consent"])
    event_record(suggestion=suggestion, actor=actor, action="withdraw_consent")
    return row


@transaction.atomic
def suggestion_withdraw(*, suggestion: Suggestion, actor: User) -> Suggestion:
    """The lead deputy withdraws before the reply; a joint suggestion needs every co-signer's consent."""
    _require(actor.pk == suggestion.lead_deputy_id, _("Only the lead deputy may withdraw."))
    _lock(suggestion)
    if suggestion.status in TRANSITIONS["withdraw"][0]:
        missing = suggestion.cosignatures.filter(status=CoSignerStatus.CONFIRMED, withdraw_consent=False)
        if missing.exists():
            raise ActionConflict(_("Every co-signer must consent before a joint suggestion is withdrawn."))
    _transition(suggestion, "withdraw", actor)
    dl.deadline_cancel(suggestion.deadlines.all())
    return suggestion
