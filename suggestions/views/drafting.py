"""The deputy's suggestion form: draft, edit while a draft, and optionally submit in one go."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from suggestions import selectors, services
from suggestions.forms import StaffSuggestionForm, SuggestionForm, deputy_label, search_deputies
from suggestions.models import SuggestionStatus

from .common import not_found_as_404, run_service


def _fields(data: dict) -> dict:
    return {
        "title": data["title"],
        "body": data["body"],
        "session": data["session"],
        "category": data["category"],
        "suggested_unit": data["suggested_unit"],
        "confidential": data["confidential"],
        "during_session": data["during_session"],
    }


def _submit_after(request, suggestion) -> None:
    ok, _result = run_service(
        request,
        lambda: services.suggestion_submit(suggestion=suggestion, actor=request.user),
        done=_("Submitted to the deputy-affairs office."),
    )
    if not ok:
        messages.info(request, _("Saved as a draft. Submit it once every co-signer has answered."))


@login_required
@require_GET
def deputy_search(request):
    """Deputies matching `?q=` for the suggestion form's co-signer (and staff's lead deputy) box:
    at most 20, by name, as JSON. For those who fill that form: deputies and staff."""
    user = request.user
    if not (user.is_deputy or user.is_office_staff):
        raise PermissionDenied
    found = search_deputies(request.GET.get("q", ""), exclude=user if user.is_deputy else None)
    return JsonResponse({"results": [{"id": deputy.pk, "label": deputy_label(deputy)} for deputy in found]})


def _deputies_found(request, form_class, *, deputy):
    """The form as typed, unsaved, with the deputies matching its search box as options: what its
    "Search" button (the deputy search without JavaScript) brings back. Files are not kept."""
    typed = form_class(request.POST, deputy=deputy)
    form = form_class(initial={name: typed[name].data for name in typed.fields if name != "attachments"}, deputy=deputy)
    field = request.POST.get("find", "")
    if field in form.DEPUTY_FIELDS:
        form.offer_deputies(request.POST.get(f"find_{field}", ""), deputy=deputy)
    return form


@login_required
def suggestion_create(request):
    """A deputy drafts their own suggestion; staff enter one handed in on paper, as the deputy's draft."""
    user = request.user
    on_behalf = user.is_office_staff
    if not (user.is_deputy or on_behalf):
        raise PermissionDenied
    form_class = StaffSuggestionForm if on_behalf else SuggestionForm
    if request.method == "POST" and "find" in request.POST:
        form = _deputies_found(request, form_class, deputy=user)
        return render(request, "suggestions/form.html", {"form": form, "creating": True, "on_behalf": on_behalf})
    form = form_class(request.POST or None, request.FILES or None, deputy=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, suggestion = run_service(
            request,
            lambda: services.suggestion_create(
                author=user,
                lead_deputy=data["lead_deputy"] if on_behalf else None,
                co_signers=[u.pk for u in data["co_signers"]],
                attachments=data["attachments"],
                **_fields(data),
            ),
            form=form,
            done=_("Draft saved; the deputy is asked to check and submit it.") if on_behalf else _("Draft saved."),
        )
        if ok:
            if "submit" in request.POST and not on_behalf:
                _submit_after(request, suggestion)
            return redirect("suggestion_detail", pk=suggestion.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "suggestions/form.html", {"form": form, "creating": True, "on_behalf": on_behalf}, status=status
    )


@login_required
@not_found_as_404
def suggestion_edit(request, pk: int):
    suggestion = selectors.get_suggestion_participated_for(request.user, pk)
    if request.user.pk != suggestion.lead_deputy_id:
        raise PermissionDenied
    if suggestion.status != SuggestionStatus.DRAFT:
        messages.error(request, _("A suggestion can only be edited while it is a draft."), extra_tags="danger")
        return redirect("suggestion_detail", pk=suggestion.pk)
    initial = {
        "title": suggestion.title,
        "body": suggestion.body,
        "session": suggestion.session_id,
        "category": suggestion.category_id,
        "suggested_unit": suggestion.suggested_unit_id,
        "confidential": suggestion.confidential,
        "during_session": suggestion.during_session,
        "co_signers": list(suggestion.cosignatures.values_list("deputy_id", flat=True)),
    }
    if request.method == "POST" and "find" in request.POST:
        form = _deputies_found(request, SuggestionForm, deputy=request.user)
        return render(request, "suggestions/form.html", {"form": form, "creating": False, "suggestion": suggestion})
    form = SuggestionForm(request.POST or None, request.FILES or None, deputy=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        @transaction.atomic
        def save():
            services.suggestion_update(
                suggestion=suggestion,
                actor=request.user,
                co_signers=[u.pk for u in data["co_signers"]],
                **_fields(data),
            )
            services.attachments_add(suggestion=suggestion, actor=request.user, files=data["attachments"])

        ok, _result = run_service(request, save, form=form, done=_("Draft saved."))
        if ok:
            if "submit" in request.POST:
                _submit_after(request, suggestion)
            return redirect("suggestion_detail", pk=suggestion.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "suggestions/form.html", {"form": form, "creating": False, "suggestion": suggestion}, status=status
    )
