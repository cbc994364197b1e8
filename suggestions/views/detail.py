"""The suggestion page with its timeline, and every action posted from it.

Which actions a page offers is decided here from role and state (so nothing impossible is
shown); whether an action is allowed is decided by the service alone, so a crafted POST of an
action that was not offered is refused with the same 403/409 the API gives.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from suggestions import detail_selectors, selectors, services
from suggestions import forms as f
from suggestions.files import serve_attachment
from suggestions.models import (
    OPEN_ASSIGNMENT_STATUSES,
    CoSignerStatus,
    ReplyStatus,
    RequestStatus,
    Suggestion,
    SuggestionStatus,
)

from .actions import (
    ASSIGNMENT_ACTIONS,
    SUGGESTION_ACTIONS,
    Action,
    assignment_actions_for,
    can_assign,
    cleaned,
    suggestion_actions_for,
)
from .common import not_found_as_404, run_service
from .public import render_public_detail

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


def detail_context(
    request,
    suggestion: Suggestion,
    *,
    bound: tuple[str, int | None, Any] | None = None,
    access: detail_selectors.PageAccess | None = None,
) -> dict:
    """Everything the page shows, to a participant; `bound` = (action, assignment id or None, form)
    re-shows a failed form. `access` is what `detail_selectors.suggestion_for_page` decided about
    the reader; without it (an action's page, whose suggestion was read as a participant's) the
    panels of the other apps ask for themselves."""
    user = request.user
    suggestion.evaluation_rows = detail_selectors.evaluations_of(suggestion)
    cosignatures = detail_selectors.cosignatures_of(suggestion)
    cosign_row = next((c for c in cosignatures if c.deputy_id == user.pk), None)
    rated = any(e.deputy_id == user.pk and e.round == suggestion.round for e in suggestion.evaluation_rows)
    is_deputy_of = user.pk == suggestion.lead_deputy_id or cosign_row is not None

    assignments, live = detail_selectors.detail_assignments(user, suggestion)

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

    replies = list(detail_selectors.reply_rows(user, suggestion, participated=True))
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
        "can_edit": user.pk == suggestion.lead_deputy_id and suggestion.status == SuggestionStatus.DRAFT,
        "can_assign": can_assign(user, suggestion, live),
        "attachments": detail_selectors.suggestion_attachments(suggestion),
        "assignments": assignments,
        "replies": replies,
        "evaluations": suggestion.evaluation_rows,
        "events": list(selectors.events_visible_to(user, suggestion, participated=True)),
        "suggestion_actions": suggestion_actions,
        "show_evaluations": is_deputy_of or not user.is_deputy,
        "urgeable_statuses": OPEN_ASSIGNMENT_STATUSES if user.is_office_staff else (),
        # Read by the handling and supervision panels (template tags), so they do not ask again.
        "page_access": access,
    }
    context.update(_repeat_context(suggestion))
    return context


@login_required
@not_found_as_404
def suggestion_detail(request, pk: int):
    suggestion, access = detail_selectors.suggestion_for_page(request.user, pk)
    if not access.participated:
        # Found only because it is published: exactly the public page, nothing of the record.
        return render_public_detail(request, suggestion)
    return render(request, "suggestions/detail.html", detail_context(request, suggestion, access=access))


def _redisplay(request, suggestion, action_key: str, assignment_id: int | None, form):
    context = detail_context(request, suggestion, bound=(action_key, assignment_id, form))
    return render(request, "suggestions/detail.html", context, status=400)


@login_required
@require_POST
@not_found_as_404
def suggestion_action(request, pk: int, action: str):
    suggestion = selectors.get_suggestion_participated_for(request.user, pk)
    spec = SUGGESTION_ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = _make_form(spec, prefix=action, suggestion=suggestion, data=request.POST, files=request.FILES)
    if form is not None and not form.is_valid():
        return _redisplay(request, suggestion, action, None, form)
    ok, _result = run_service(request, lambda: spec.run(request, suggestion, cleaned(form)), form=form, done=spec.done)
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
    suggestion = selectors.get_suggestion_participated_for(request.user, assignment.suggestion_id)
    assignment.suggestion = suggestion
    form = _make_form(spec, prefix=f"{action}-{assignment.pk}", suggestion=suggestion, data=request.POST,
                      files=request.FILES)  # fmt: skip
    if form is not None and not form.is_valid():
        return _redisplay(request, suggestion, action, assignment.pk, form)
    data = dict(cleaned(form))
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
    contact, suggestion = detail_selectors.get_contact_for(request.user, pk)
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
    commitment, suggestion = detail_selectors.get_commitment_for(request.user, pk)
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
    suggestion = selectors.get_suggestion_participated_for(request.user, pk)
    if not request.user.is_office_staff:
        raise PermissionDenied
    live = detail_selectors.live_assignments_of(suggestion)
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
    suggestion = selectors.get_suggestion_participated_for(request.user, pk)
    reply = get_object_or_404(detail_selectors.reply_rows(request.user, suggestion), pk=reply_pk)
    return render(request, "suggestions/reply_letter.html", {"suggestion": suggestion, "reply": reply})


@login_required
@not_found_as_404
def attachment_download(request, pk: int):
    attachment = detail_selectors.get_attachment_for(request.user, pk)
    return serve_attachment(attachment)
