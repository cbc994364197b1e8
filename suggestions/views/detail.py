"""The suggestion page with its timeline, and every action posted from it.

Which actions a page offers is decided here from role and state (so nothing impossible is
shown); whether an action is allowed is decided by the service alone, so a crafted POST of an
action that was not offered is refused with the same 403/409 the API gives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from suggestions import forms as f
from suggestions import selectors, services
from suggestions.models import (
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    Attachment,
    Commitment,
    Contact,
    CoSignerStatus,
    Evaluation,
    Opinion,
    ReplyStatus,
    RequestKind,
    RequestStatus,
    Suggestion,
    SuggestionStatus,
)

from .common import not_found_as_404, run_service

S = SuggestionStatus
WITHDRAWABLE = services.TRANSITIONS["withdraw"][0]


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    run: Callable[..., Any]
    form: type | None = None
    done: Any = ""
    style: str = "primary"
    confirm: Any = ""


def _cleaned(form) -> dict:
    return form.cleaned_data if form is not None else {}


SUGGESTION_ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "submit",
            gettext_lazy("Submit"),
            lambda r, s, d: services.suggestion_submit(suggestion=s, actor=r.user),
            done=gettext_lazy("Submitted to the deputy-affairs office."),
        ),
        Action(
            "cosign",
            gettext_lazy("Answer the invitation"),
            lambda r, s, d: services.suggestion_cosign(suggestion=s, actor=r.user, accept=d["accept"]),
            form=f.CosignForm,
            done=gettext_lazy("Your answer is recorded."),
        ),
        Action(
            "consent_withdraw",
            gettext_lazy("Consent to withdrawal"),
            lambda r, s, d: services.suggestion_consent_withdraw(suggestion=s, actor=r.user),
            done=gettext_lazy("Your consent is recorded."),
            style="outline-secondary",
        ),
        Action(
            "withdraw",
            gettext_lazy("Withdraw"),
            lambda r, s, d: services.suggestion_withdraw(suggestion=s, actor=r.user),
            done=gettext_lazy("The suggestion is withdrawn."),
            style="outline-danger",
            confirm=gettext_lazy("Withdraw this suggestion? This cannot be undone."),
        ),
        Action(
            "accept",
            gettext_lazy("Accept"),
            lambda r, s, d: services.suggestion_accept(suggestion=s, actor=r.user),
            done=gettext_lazy("Accepted and numbered."),
            style="success",
        ),
        Action(
            "reject",
            gettext_lazy("Reject"),
            lambda r, s, d: services.suggestion_reject(
                suggestion=s, actor=r.user, reason=d["reason"], keep_as_letter=d["keep_as_letter"]
            ),
            form=f.RejectForm,
            done=gettext_lazy("Rejected."),
            style="danger",
        ),
        Action(
            "return",
            gettext_lazy("Return for revision"),
            lambda r, s, d: services.suggestion_return(suggestion=s, actor=r.user, reason=d["reason"]),
            form=f.ReasonForm,
            done=gettext_lazy("Returned to the deputy for revision."),
            style="warning",
        ),
        Action(
            "merge",
            gettext_lazy("Merge"),
            lambda r, s, d: services.suggestion_merge(suggestion=s, actor=r.user, into=d["into"]),
            form=f.MergeForm,
            done=gettext_lazy("Merged."),
            style="secondary",
        ),
        Action(
            "evaluate",
            gettext_lazy("Rate the handling"),
            lambda r, s, d: services.suggestion_evaluate(
                suggestion=s, actor=r.user, attitude=d["attitude"], result=d["result"], comment=d["comment"]
            ),
            form=f.EvaluateForm,
            done=gettext_lazy("Thank you; your rating is recorded."),
        ),
        Action(
            "close",
            gettext_lazy("Close with a note"),
            lambda r, s, d: services.suggestion_close(suggestion=s, actor=r.user, note=d["note"]),
            form=f.NoteForm,
            done=gettext_lazy("Closed."),
            style="secondary",
        ),
    ]
}

ASSIGNMENT_ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "sign",
            gettext_lazy("Sign for it"),
            lambda r, a, d: services.assignment_sign(assignment=a, actor=r.user),
            done=gettext_lazy("Signed for."),
            style="success",
        ),
        Action(
            "request_return",
            gettext_lazy("Request return"),
            lambda r, a, d: services.assignment_request_return(assignment=a, actor=r.user, reason=d["reason"]),
            form=f.ReasonForm,
            done=gettext_lazy("Return requested; staff will decide."),
            style="outline-secondary",
        ),
        Action(
            "request_extension",
            gettext_lazy("Request an extension"),
            lambda r, a, d: services.assignment_request_extension(
                assignment=a, actor=r.user, reason=d["reason"], due_date=d["due_date"]
            ),
            form=f.ExtensionForm,
            done=gettext_lazy("Extension requested; staff will decide."),
            style="outline-secondary",
        ),
        Action(
            "contact",
            gettext_lazy("Log a contact"),
            lambda r, a, d: services.contact_log(
                assignment=a,
                actor=r.user,
                phase=d["phase"],
                method=d["method"],
                met_by=d["met_by"],
                contacted_at=d["contacted_at"],
                summary=d["summary"],
            ),
            form=f.ContactForm,
            done=gettext_lazy("Contact logged."),
        ),
        Action(
            "reply",
            gettext_lazy("Draft the reply"),
            lambda r, a, d: services.reply_draft(
                assignment=a,
                actor=r.user,
                body=d["body"],
                result_class=d["result_class"],
                adoption=d["adoption"],
                public=d["public"],
                contact_person=d["contact_person"],
                contact_phone=d["contact_phone"],
                commitments=d["commitments"],
                attachments=d["attachments"],
            ),
            form=f.ReplyForm,
            done=gettext_lazy("Reply drafted; it waits for the unit head's sign-off."),
        ),
        Action(
            "approve_reply",
            gettext_lazy("Sign off and release"),
            lambda r, a, d: services.reply_approve(assignment=a, actor=r.user),
            done=gettext_lazy("Reply signed off and released to the deputy."),
            style="success",
        ),
        Action(
            "send_back",
            gettext_lazy("Send the draft back"),
            lambda r, a, d: services.reply_send_back(assignment=a, actor=r.user, note=d["note"]),
            form=f.NoteForm,
            done=gettext_lazy("Draft sent back to the handler."),
            style="outline-secondary",
        ),
        Action(
            "opinion",
            gettext_lazy("Send the co-unit opinion"),
            lambda r, a, d: services.opinion_send(assignment=a, actor=r.user, body=d["body"]),
            form=f.OpinionForm,
            done=gettext_lazy("Opinion sent to the lead unit."),
        ),
        Action(
            "approve_return",
            gettext_lazy("Approve the return"),
            lambda r, a, d: services.assignment_approve_return(assignment=a, actor=r.user, note=d["note"]),
            form=f.OptionalNoteForm,
            done=gettext_lazy("Return approved; assign the suggestion again."),
            style="success",
        ),
        Action(
            "refuse_return",
            gettext_lazy("Refuse the return"),
            lambda r, a, d: services.assignment_refuse_return(assignment=a, actor=r.user, note=d["note"]),
            form=f.OptionalNoteForm,
            done=gettext_lazy("Return refused."),
            style="outline-danger",
        ),
        Action(
            "approve_extension",
            gettext_lazy("Approve the extension"),
            lambda r, a, d: services.assignment_approve_extension(
                assignment=a, actor=r.user, due_date=d["due_date"], note=d["note"]
            ),
            form=f.DecisionForm,
            done=gettext_lazy("Extension approved."),
            style="success",
        ),
        Action(
            "refuse_extension",
            gettext_lazy("Refuse the extension"),
            lambda r, a, d: services.assignment_refuse_extension(assignment=a, actor=r.user, note=d["note"]),
            form=f.OptionalNoteForm,
            done=gettext_lazy("Extension refused."),
            style="outline-danger",
        ),
    ]
}


# --------------------------------------------------------------------------------------------
# What to offer


def suggestion_actions_for(user, suggestion: Suggestion, *, cosign_row, rated: bool, live: list[Assignment]) -> list:
    """The suggestion-level actions to offer this user now (the services still have the last word)."""
    status = suggestion.status
    names: list[str] = []
    if user.pk == suggestion.lead_deputy_id:
        if status == S.DRAFT:
            names.append("submit")
        if status == S.REPLIED and not rated:
            names.append("evaluate")
        if status in WITHDRAWABLE:
            names.append("withdraw")
    elif cosign_row is not None:
        if status == S.DRAFT and cosign_row.status == CoSignerStatus.INVITED:
            names.append("cosign")
        if cosign_row.status == CoSignerStatus.CONFIRMED:
            if status == S.REPLIED and not rated:
                names.append("evaluate")
            if status in WITHDRAWABLE and not cosign_row.withdraw_consent:
                names.append("consent_withdraw")
    if user.is_office_staff:
        if status == S.SUBMITTED:
            names += ["accept", "reject", "return", "merge"]
        lead_rated = any(e.is_lead and e.round == suggestion.round for e in suggestion.evaluation_rows)
        if status == S.FOLLOW_UP or (status == S.REPLIED and lead_rated):
            names.append("close")
    return names


def can_assign(user, suggestion: Suggestion, live: list[Assignment]) -> bool:
    if not user.is_office_staff:
        return False
    return suggestion.status == S.REGISTERED or (suggestion.status in {S.ASSIGNED, S.HANDLING} and bool(live))


def assignment_actions_for(user, assignment: Assignment, suggestion: Suggestion, pending: set[str]) -> list[str]:
    names: list[str] = []
    status, open_suggestion = assignment.status, suggestion.status in services.HANDLING_STATES
    if user.is_unit_user and user.unit_id == assignment.unit_id:
        if open_suggestion and status == AssignmentStatus.PENDING:
            names.append("sign")
        if open_suggestion and status == AssignmentStatus.ACCEPTED:
            names.append("reply" if assignment.role == AssignmentRole.LEAD else "opinion")
        if status in services.CONTACT_STATES:
            names.append("contact")
        if status == AssignmentStatus.AWAITING_SIGNOFF and user.is_unit_head:
            names += ["approve_reply", "send_back"]
        if (
            open_suggestion
            and status in services.EXTENDABLE
            and RequestKind.EXTENSION not in pending
            and assignment.role == AssignmentRole.LEAD
        ):
            names.append("request_extension")
        if (
            open_suggestion
            and status in {AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED}
            and timezone.localdate() <= services.return_window_end(assignment)
        ):
            names.append("request_return")
    if user.is_office_staff:
        if RequestKind.RETURN in pending:
            names += ["approve_return", "refuse_return"]
        if RequestKind.EXTENSION in pending:
            names += ["approve_extension", "refuse_extension"]
    return names


# --------------------------------------------------------------------------------------------
# The page


def _make_form(action: Action, *, prefix: str, suggestion: Suggestion, data=None, files=None):
    if action.form is None:
        return None
    kwargs: dict[str, Any] = {"prefix": prefix}
    if action.form is f.MergeForm:
        kwargs["suggestion"] = suggestion
    return action.form(data, files, **kwargs) if data is not None else action.form(**kwargs)


def _repeat_context(suggestion: Suggestion) -> dict:
    if not (suggestion.repeat_of_id or suggestion.repeats.exists()):
        return {}
    try:
        get_template("supervision/_repeat_chain.html")
    except TemplateDoesNotExist:
        return {}
    return {"repeat_template": "supervision/_repeat_chain.html"}


def detail_context(request, suggestion: Suggestion, *, bound: tuple[str, int | None, Any] | None = None) -> dict:
    """Everything the page shows; `bound` = (action, assignment id or None, form) re-shows a failed form."""
    user = request.user
    suggestion.evaluation_rows = list(
        Evaluation.objects.filter(suggestion=suggestion).select_related("deputy").order_by("round", "id")
    )
    cosignatures = list(suggestion.cosignatures.select_related("deputy").order_by("id"))
    cosign_row = next((c for c in cosignatures if c.deputy_id == user.pk), None)
    rated = any(e.deputy_id == user.pk and e.round == suggestion.round for e in suggestion.evaluation_rows)
    is_deputy_of = user.pk == suggestion.lead_deputy_id or cosign_row is not None

    assignments = list(
        Assignment.objects.filter(suggestion=suggestion)
        .select_related("unit")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("contacted_at", "id")),
            Prefetch("opinions", queryset=Opinion.objects.select_related("author")),
            Prefetch("requests", queryset=AssignmentRequest.objects.select_related("requested_by")),
        )
        .order_by("role", "id")
    )
    if user.is_unit_user:
        # A unit sees its own share; a lead unit also sees the co-units, whose opinions it must reflect.
        own = [a for a in assignments if a.unit_id == user.unit_id and a.status != AssignmentStatus.RETURNED]
        is_lead_unit = any(a.role == AssignmentRole.LEAD for a in own)
        assignments = [
            a
            for a in assignments
            if a in own or (is_lead_unit and a.role == AssignmentRole.CO and a.status != AssignmentStatus.RETURNED)
        ]
    live = [a for a in assignments if a.status != AssignmentStatus.RETURNED]

    bound_action, bound_assignment, bound_form = bound or (None, None, None)
    for assignment in assignments:
        pending = {r.kind for r in assignment.requests.all() if r.status == RequestStatus.PENDING}
        assignment.pending_requests = [r for r in assignment.requests.all() if r.status == RequestStatus.PENDING]
        assignment.actions = []
        for name in assignment_actions_for(user, assignment, suggestion, pending):
            action = ASSIGNMENT_ACTIONS[name]
            if bound_action == name and bound_assignment == assignment.pk:
                form, is_open = bound_form, True
            else:
                form, is_open = _make_form(action, prefix=f"{name}-{assignment.pk}", suggestion=suggestion), False
            assignment.actions.append({"action": action, "form": form, "open": is_open})
        # Contacts: the suggestion's deputies, staff and the unit itself.
        assignment.show_contacts = is_deputy_of or user.is_office_staff or assignment.unit_id == user.unit_id
        assignment.dispute_forms = {}
        if is_deputy_of:
            for contact in assignment.contacts.all():
                if not contact.disputed:
                    key = f"dispute-{contact.pk}"
                    form = bound_form if bound_action == key else f.NoteForm(prefix=key)
                    assignment.dispute_forms[contact.pk] = form
        assignment.contact_rows = [(c, assignment.dispute_forms.get(c.pk)) for c in assignment.contacts.all()]
        assignment.show_opinions = user.is_office_staff or user.is_unit_user or user.is_supervisor

    suggestion_actions = []
    for name in suggestion_actions_for(user, suggestion, cosign_row=cosign_row, rated=rated, live=live):
        action = SUGGESTION_ACTIONS[name]
        if bound_action == name and bound_assignment is None:
            form, is_open = bound_form, True
        else:
            form, is_open = _make_form(action, prefix=name, suggestion=suggestion), False
        suggestion_actions.append({"action": action, "form": form, "open": is_open})

    replies = list(selectors.replies_visible_to(user, suggestion).select_related("assignment__unit", "signer"))
    fulfil_forms = {}
    for reply in replies:
        reply.commitment_rows = []
        for commitment in reply.commitments.all():
            form = None
            if (
                user.is_unit_user
                and user.unit_id == reply.assignment.unit_id
                and reply.status == ReplyStatus.RELEASED
                and commitment.fulfilled_at is None
            ):
                key = f"fulfil-{commitment.pk}"
                form = bound_form if bound_action == key else f.NoteForm(prefix=key)
                fulfil_forms[commitment.pk] = form
            reply.commitment_rows.append((commitment, form))

    waiting_cosigners = [c for c in cosignatures if c.status == CoSignerStatus.INVITED]
    missing_consent = [c for c in cosignatures if c.status == CoSignerStatus.CONFIRMED and not c.withdraw_consent]
    context = {
        "suggestion": suggestion,
        "cosignatures": cosignatures,
        "waiting_cosigners": waiting_cosigners,
        "missing_consent": missing_consent,
        "is_lead": user.pk == suggestion.lead_deputy_id,
        "can_edit": user.pk == suggestion.lead_deputy_id and suggestion.status == S.DRAFT,
        "can_assign": can_assign(user, suggestion, live),
        "attachments": list(suggestion.attachments.filter(reply__isnull=True).order_by("id")),
        "assignments": assignments,
        "replies": replies,
        "evaluations": suggestion.evaluation_rows,
        "events": list(selectors.events_visible_to(user, suggestion)),
        "suggestion_actions": suggestion_actions,
        "show_evaluations": is_deputy_of or not user.is_deputy,
    }
    context.update(_repeat_context(suggestion))
    return context


@login_required
@not_found_as_404
def suggestion_detail(request, pk: int):
    suggestion = selectors.get_suggestion_for(request.user, pk)
    return render(request, "suggestions/detail.html", detail_context(request, suggestion))


def _redisplay(request, suggestion, action_key: str, assignment_id: int | None, form):
    context = detail_context(request, suggestion, bound=(action_key, assignment_id, form))
    return render(request, "suggestions/detail.html", context, status=400)


@login_required
@require_POST
@not_found_as_404
def suggestion_action(request, pk: int, action: str):
    suggestion = selectors.get_suggestion_for(request.user, pk)
    spec = SUGGESTION_ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = _make_form(spec, prefix=action, suggestion=suggestion, data=request.POST, files=request.FILES)
    if form is not None and not form.is_valid():
        return _redisplay(request, suggestion, action, None, form)
    ok, _result = run_service(request, lambda: spec.run(request, suggestion, _cleaned(form)), form=form, done=spec.done)
    if not ok and form is not None and form.errors:
        return _redisplay(request, suggestion, action, None, form)
    return redirect("suggestion_detail", pk=suggestion.pk)


@login_required
@require_POST
@not_found_as_404
def assignment_action(request, pk: int, action: str):
    assignment = selectors.get_assignment_for(request.user, pk)
    spec = ASSIGNMENT_ACTIONS.get(action)
    if spec is None:
        raise Http404
    suggestion = selectors.get_suggestion_for(request.user, assignment.suggestion_id)
    assignment.suggestion = suggestion
    form = _make_form(spec, prefix=f"{action}-{assignment.pk}", suggestion=suggestion, data=request.POST,
                      files=request.FILES)  # fmt: skip
    if form is not None and not form.is_valid():
        return _redisplay(request, suggestion, action, assignment.pk, form)
    data = dict(_cleaned(form))
    if isinstance(form, f.ReplyForm):
        data["commitments"] = form.commitments()
    ok, _result = run_service(request, lambda: spec.run(request, assignment, data), form=form, done=spec.done)
    if not ok and form is not None and form.errors:
        return _redisplay(request, suggestion, action, assignment.pk, form)
    if request.POST.get("next") == "requests" and request.user.is_office_staff:
        return redirect("request_queue")
    return redirect("suggestion_detail", pk=suggestion.pk)


@login_required
@require_POST
@not_found_as_404
def contact_dispute(request, pk: int):
    contact = get_object_or_404(Contact.objects.select_related("assignment"), pk=pk)
    suggestion = selectors.get_suggestion_for(request.user, contact.assignment.suggestion_id)
    key = f"dispute-{contact.pk}"
    form = f.NoteForm(request.POST, prefix=key)
    if form.is_valid():
        ok, _result = run_service(
            request,
            lambda: services.contact_dispute(contact=contact, actor=request.user, note=form.cleaned_data["note"]),
            form=form,
            done=_("Your objection to this contact is recorded."),
        )
        if ok or not form.errors:
            return redirect("suggestion_detail", pk=suggestion.pk)
    return _redisplay(request, suggestion, key, None, form)


@login_required
@require_POST
@not_found_as_404
def commitment_fulfil(request, pk: int):
    commitment = get_object_or_404(Commitment.objects.select_related("reply__assignment"), pk=pk)
    assignment = selectors.get_assignment_for(request.user, commitment.reply.assignment_id)
    suggestion = selectors.get_suggestion_for(request.user, assignment.suggestion_id)
    key = f"fulfil-{commitment.pk}"
    form = f.NoteForm(request.POST, prefix=key)
    if form.is_valid():
        ok, _result = run_service(
            request,
            lambda: services.commitment_fulfil(
                commitment=commitment, actor=request.user, note=form.cleaned_data["note"]
            ),
            form=form,
            done=_("Commitment reported as fulfilled."),
        )
        if ok or not form.errors:
            return redirect("suggestion_detail", pk=suggestion.pk)
    return _redisplay(request, suggestion, key, None, form)


@login_required
@not_found_as_404
def suggestion_assign(request, pk: int):
    """交办: choose lead and co-units (type to find), the complex flag and an optional due date."""
    suggestion = selectors.get_suggestion_for(request.user, pk)
    if not request.user.is_office_staff:
        raise PermissionDenied
    live = list(
        Assignment.objects.filter(suggestion=suggestion)
        .exclude(status=AssignmentStatus.RETURNED)
        .select_related("unit")
    )
    form = f.AssignForm(request.POST or None, initial={"complex": suggestion.complex})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _result = run_service(
            request,
            lambda: services.suggestion_assign(
                suggestion=suggestion,
                actor=request.user,
                lead_units=list(data["lead_units"]),
                co_units=list(data["co_units"]),
                complex=data["complex"],
                due_date=data["due_date"],
            ),
            form=form,
            done=_("Assigned to the units."),
        )
        if ok:
            return redirect("suggestion_detail", pk=suggestion.pk)
        if not form.errors:
            return redirect("suggestion_detail", pk=suggestion.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "suggestions/assign.html",
        {"form": form, "suggestion": suggestion, "live": live, "suggested_unit": suggestion.suggested_unit},
        status=status,
    )


@login_required
@not_found_as_404
def reply_letter(request, pk: int, reply_pk: int):
    """The released reply as a printable letter (答复函)."""
    suggestion = selectors.get_suggestion_for(request.user, pk)
    reply = get_object_or_404(
        selectors.replies_visible_to(request.user, suggestion).select_related("assignment__unit", "signer"),
        pk=reply_pk,
    )
    return render(request, "suggestions/reply_letter.html", {"suggestion": suggestion, "reply": reply})


@login_required
@not_found_as_404
def attachment_download(request, pk: int):
    attachment = get_object_or_404(Attachment, pk=pk)
    suggestion = selectors.get_suggestion_for(request.user, attachment.suggestion_id)
    # A reply's files follow the reply's visibility (a unit's draft is not the deputy's yet).
    if (
        attachment.reply_id is not None
        and not selectors.replies_visible_to(request.user, suggestion).filter(pk=attachment.reply_id).exists()
    ):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)
