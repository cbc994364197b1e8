"""HTML pages for supervision. Every object is fetched through the visibility selectors (404 for
outsiders) and every change goes through `services` (403 / 409 / 400 answered here)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.errors import ActionConflict, ActionForbidden, ActionInvalid, ActionNotFound
from suggestions.deadlines import deadline_status
from suggestions.models import DeadlineKind, Party, SuggestionStatus
from suggestions.selectors import get_suggestion_for, get_suggestion_participated_for

from . import detail_selectors as reads
from . import forms, selectors, services
from .exports import inspections_workbook
from .models import Inspection, KeySuggestion


def _perform(request, form, fn):
    """Run a service; answer its errors next to the fields (400), as a conflict (409) or as 403/404."""
    try:
        return fn(), None
    except ActionInvalid as exc:
        if exc.errors:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.message)
        return None, 400
    except ActionConflict as exc:
        form.add_error(None, exc.message)
        return None, 409
    except ActionForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except ActionNotFound:
        raise Http404 from None


def _form_page(request, form, save, *, done: str, then, template: str, context: dict | None = None):
    """GET shows `form`; a valid POST saves it through `save(cleaned_data)` and redirects to `then`
    (a URL, or a function of what was saved); otherwise the form comes back with the errors at its
    fields and the status the service's answer calls for (400 or 409)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            saved, status = _perform(request, form, lambda: save(dict(form.cleaned_data)))
            if saved is not None:
                messages.success(request, done)
                return redirect(then(saved) if callable(then) else then)
    return render(request, template, {"form": form, **(context or {})}, status=status)


def _get(fn, *args):
    try:
        return fn(*args)
    except ActionNotFound:
        raise Http404 from None


def _require_overseer(user) -> None:
    if not (user.is_office_staff or user.is_supervisor):
        raise PermissionDenied


# ---------------------------------------------------------------------------------------------
# The board and key items


@login_required
def board(request):
    """Staff and supervisors: key items by flag. Units and deputies land on their own pages."""
    user = request.user
    if user.is_unit_user:
        return redirect("supervision:unit")
    if user.is_deputy:
        return redirect("supervision:mine")
    _require_overseer(user)
    year = request.GET.get("year")
    rows = selectors.key_item_board(user, year=int(year) if year and year.isdigit() else None)
    return render(request, "supervision/board.html", {"rows": rows, "year": year})


@login_required
def key_item_new(request):
    if not request.user.is_office_staff:
        raise PermissionDenied
    form = forms.KeyItemForm(request.POST or None, initial={"year": timezone.localdate().year})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = list(data.pop("suggestions"))
        item, status = _perform(
            request,
            form,
            lambda: services.key_item_create(
                actor=request.user, suggestions=chosen, leaders=list(data.pop("leaders")), **data
            ),
        )
        if item is not None:
            messages.success(request, _("Key item created with its tracking regime."))
            return redirect("supervision:key_item", pk=item.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "supervision/key_item_form.html", {"form": form}, status=status)


def _label(labels: dict, value) -> str:
    """A choice's label as `get_FOO_display` gives it (the value itself when it is not a choice)."""
    return str(labels.get(value, value))


def _key_item_context(request, item: KeySuggestion) -> dict:
    user, today = request.user, timezone.localdate()
    regime = selectors.key_item_deadlines_for(user, item)
    for d in regime:
        d.state = deadline_status(d, today)
        d.period = (d.explanation or {}).get("period", "")
    year_end_open = any(d.kind == DeadlineKind.YEAR_END_EVALUATION and d.is_open for d in regime)
    # Each choice label translated once for the page: `get_FOO_display` hashes the field's lazy
    # choices on every call, a tenth of a supervisor's page for its 40 suggestions and regime rows.
    kinds, parties = dict(DeadlineKind.choices), dict(Party.choices)
    for d in regime:
        d.kind_label, d.party_label = _label(kinds, d.kind), _label(parties, d.party)
    states = dict(SuggestionStatus.choices)
    suggestions = list(reads.key_item_suggestions(item, user))
    for s in suggestions:
        s.status_label = _label(states, s.status)
    return {
        "item": item,
        "suggestions": suggestions,
        **reads.key_item_records(item),
        "regime": regime,
        "reports": selectors.monthly_reports_visible_to(user, item),
        "inspections": reads.inspections_for(user, key_item=item),
        "instructions": reads.instructions_on(item),
        "can_supervise": selectors.can_supervise_key_item(user, item),
        "is_lead_unit": user.is_unit_user and selectors.unit_is_lead_on(item, user.unit_id),
        "can_score": year_end_open and services.can_score_year_end(user, item),
        "year_end_open": year_end_open,
        "forms_count": reads.year_end_forms_count(item) if user.is_office_staff else None,
        "instruction_form": _page_form("instruction_form"),
        "half_year_form": _page_form("half_year_form"),
        "score_form": _page_form("score_form"),
        "result_form": _page_form("result_form"),
        "complete_form": _page_form("complete_form"),
    }


@login_required
def key_item_detail(request, pk):
    item = _get(selectors.get_key_item_for, request.user, pk)
    return render(request, "supervision/key_item_detail.html", _key_item_context(request, item))


# The forms on a key item's or a suggestion's page, by their name in the page's context: the class
# and the prefix of their element ids (several forms share a page, and some share a class).
PAGE_FORMS: dict[str, tuple[type[forms.StyledForm], str]] = {
    "instruction_form": (forms.InstructionForm, "instr_%s"),
    "half_year_form": (forms.HalfYearReportForm, "half_%s"),
    "score_form": (forms.YearEndScoreForm, "score_%s"),
    "result_form": (forms.NoteForm, "result_%s"),
    "complete_form": (forms.NoteForm, "complete_%s"),
    "supervisor_form": (forms.SupervisorForm, "sup_%s"),
    "detach_form": (forms.NoteForm, "detach_%s"),
    "repeat_form": (forms.LinkRepeatForm, "rep_%s"),
    "follow_up_form": (forms.LinkFollowUpForm, "fu_%s"),
}


def _page_form(name: str, data=None) -> forms.StyledForm:
    form_class, auto_id = PAGE_FORMS[name]
    return form_class(data, auto_id=auto_id)


def _form_action(request, obj, form_name: str, fn, success: str, *, template: str, context_fn, url_name: str):
    """POST handler shared by the forms on an object's page: run the service, or show the page
    again with that form bound (what was typed, errors at their fields) and the status the
    service's error calls for."""
    form = _page_form(form_name, request.POST)
    status = 400
    if form.is_valid():
        _result, status = _perform(request, form, lambda: fn(obj, form.cleaned_data))
        if status is None:
            messages.success(request, success)
            return redirect(url_name, pk=obj.pk)
    context = context_fn(request, obj)
    context["action_form"] = form
    context[form_name] = form
    return render(request, template, context, status=status)


def _key_item_action(request, pk, form_name: str, fn, success: str):
    item = _get(selectors.get_key_item_for, request.user, pk)
    return _form_action(
        request, item, form_name, fn, success,
        template="supervision/key_item_detail.html", context_fn=_key_item_context, url_name="supervision:key_item",
    )  # fmt: skip


@login_required
@require_POST
def key_item_instruct(request, pk):
    return _key_item_action(
        request,
        pk,
        "instruction_form",
        lambda item, d: services.instruction_record(actor=request.user, key_item=item, text=d["text"]),
        _("Instruction recorded."),
    )


@login_required
@require_POST
def key_item_half_year(request, pk):
    return _key_item_action(
        request,
        pk,
        "half_year_form",
        lambda item, d: services.half_year_report_record(key_item=item, actor=request.user, **d),
        _("Half-year report recorded."),
    )


@login_required
@require_POST
def key_item_score(request, pk):
    return _key_item_action(
        request,
        pk,
        "score_form",
        lambda item, d: services.year_end_score_submit(key_item=item, actor=request.user, **d),
        _("Your evaluation form has been recorded."),
    )


@login_required
@require_POST
def key_item_result(request, pk):
    return _key_item_action(
        request,
        pk,
        "result_form",
        lambda item, d: services.year_end_result_record(key_item=item, actor=request.user, note=d["note"]),
        _("Year-end evaluation result recorded."),
    )


@login_required
@require_POST
def key_item_complete(request, pk):
    return _key_item_action(
        request,
        pk,
        "complete_form",
        lambda item, d: services.key_item_complete(key_item=item, actor=request.user, note=d["note"]),
        _("Supervision of this item is completed."),
    )


@login_required
def monthly_report(request, pk):
    """一月一情况: the lead unit's form."""
    item = _get(selectors.get_key_item_for, request.user, pk)
    if not (request.user.is_unit_user and selectors.unit_is_lead_on(item, request.user.unit_id)):
        raise PermissionDenied
    today = timezone.localdate()
    form = forms.MonthlyReportForm(request.POST or None, initial={"period": today.strftime("%Y-%m")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            report, status = _perform(
                request,
                form,
                lambda: services.monthly_report_submit(key_item=item, actor=request.user, **form.cleaned_data),
            )
            if report is not None:
                messages.success(request, _("Monthly report submitted."))
                return redirect("supervision:key_item", pk=item.pk)
    reports = selectors.monthly_reports_visible_to(request.user, item)
    return render(
        request, "supervision/monthly_report_form.html", {"item": item, "form": form, "reports": reports}, status=status
    )


# ---------------------------------------------------------------------------------------------
# Inspections


@login_required
def inspection_list(request):
    kind = request.GET.get("kind")
    inspections = reads.inspections_for(request.user, kind=kind)
    return render(
        request,
        "supervision/inspection_list.html",
        {
            "inspections": inspections,
            "kind": kind,
            "can_create": request.user.is_office_staff or request.user.is_supervisor,
        },
    )


@login_required
def inspection_export(request):
    content = inspections_workbook(request.user, selectors.inspection_list(request.user))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="inspections-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
def inspection_new(request):
    user = request.user
    suggestion_id, key_item_id = request.GET.get("suggestion"), request.GET.get("key_item")
    suggestion = _get(get_suggestion_participated_for, user, suggestion_id) if suggestion_id else None
    key_item = _get(selectors.get_key_item_for, user, key_item_id) if key_item_id else None
    if suggestion is None and key_item is None:
        raise Http404
    # A committee member (a deputy on a professional group too) records on its field's suggestions.
    if not (suggestion is not None and key_item is None and selectors.can_supervise_suggestion(user, suggestion)):
        _require_overseer(user)
    initial = {"held_on": timezone.localdate(), "kind": request.GET.get("kind", "site_visit")}
    form = forms.InspectionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            follow_ups = form.follow_ups()
            for name in ("follow_up_unit", "follow_up_description", "follow_up_due"):
                d.pop(name)
            inspection, status = _perform(
                request,
                form,
                lambda: services.inspection_create(
                    actor=user,
                    suggestion=suggestion,
                    key_item=key_item,
                    follow_up_actions=follow_ups,
                    units=list(d.pop("units")),
                    participants=list(d.pop("participants")),
                    **d,
                ),
            )
            if inspection is not None:
                messages.success(request, _("Inspection recorded."))
                return redirect("supervision:inspection", pk=inspection.pk)
    return render(
        request,
        "supervision/inspection_form.html",
        {"form": form, "suggestion": suggestion, "key_item": key_item},
        status=status,
    )


def _inspection_context(request, inspection: Inspection) -> dict:
    user = request.user
    actions = reads.follow_up_actions_on(inspection, user)
    return {
        "inspection": inspection,
        "report_visible": selectors.report_visible_to(user, inspection),
        "actions": actions,
        "can_release": user.is_office_staff and not inspection.released,
        "done_form": forms.RequiredNoteForm(),
    }


@login_required
def inspection_detail(request, pk):
    inspection = _get(selectors.get_inspection_for, request.user, pk)
    return render(request, "supervision/inspection_detail.html", _inspection_context(request, inspection))


@login_required
@require_POST
def inspection_release(request, pk):
    inspection = _get(selectors.get_inspection_for, request.user, pk)
    form = forms.NoteForm(request.POST)
    _result, status = _perform(
        request, form, lambda: services.inspection_release_report(inspection=inspection, actor=request.user)
    )
    if status is None:
        messages.success(request, _("The report has been released to the unit."))
        return redirect("supervision:inspection", pk=inspection.pk)
    context = _inspection_context(request, inspection)
    context["errors"] = form.non_field_errors()
    return render(request, "supervision/inspection_detail.html", context, status=status)


@login_required
@require_POST
def follow_up_done(request, pk):
    action = _get(selectors.get_follow_up_action_for, request.user, pk)
    form = forms.RequiredNoteForm(request.POST)
    status = 400
    if form.is_valid():
        _result, status = _perform(
            request,
            form,
            lambda: services.follow_up_action_complete(action=action, actor=request.user, **form.cleaned_data),
        )
        if status is None:
            messages.success(request, _("Reported as done."))
            return redirect("supervision:inspection", pk=action.inspection_id)
    context = _inspection_context(request, action.inspection)
    context["done_form"] = form
    context["errors"] = form.non_field_errors()
    return render(request, "supervision/inspection_detail.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# Units' and deputies' pages


@login_required
def unit_page(request):
    user = request.user
    if not user.is_unit_user:
        raise PermissionDenied
    pending = list(selectors.pending_monthly_reports(user))
    today = timezone.localdate()
    for d in pending:
        d.state = deadline_status(d, today)
    return render(
        request,
        "supervision/unit.html",
        {
            "key_items": selectors.key_items_visible_to(user).order_by("-year", "id"),
            "pending": pending,
            "inspections": reads.inspections_for(user, released_only=True),
            "actions": selectors.follow_up_actions_with_state(user, today).order_by("done_at", "due_date", "id"),
        },
    )


@login_required
def mine(request):
    user = request.user
    if not user.is_deputy:
        raise PermissionDenied
    return render(
        request,
        "supervision/mine.html",
        {
            "invitations": selectors.deputy_invitations(user),
            "key_items": selectors.key_items_visible_to(user).order_by("-year", "id"),
        },
    )


# ---------------------------------------------------------------------------------------------
# A suggestion's supervision: supervisors, instructions, repeat chain


def _suggestion_context(request, suggestion) -> dict:
    user = request.user
    return {
        "suggestion": suggestion,
        "supervisors": selectors.supervisors_of(suggestion),
        "instructions": reads.instructions_on(suggestion),
        "inspections": reads.inspections_for(user, suggestion=suggestion),
        "key_items": reads.key_items_of_suggestion(user, suggestion),
        "can_supervise": selectors.can_supervise_suggestion(user, suggestion),
        "candidates": selectors.repeat_candidates(suggestion) if user.is_office_staff else [],
        "instruction_form": _page_form("instruction_form"),
        # Staff's forms only: the look-back chooser reads the year's look-backs.
        **(
            {name: _page_form(name) for name in ("supervisor_form", "repeat_form", "follow_up_form")}
            if user.is_office_staff
            else {}
        ),
    }


@login_required
def suggestion_supervision(request, pk):
    suggestion = _get(get_suggestion_participated_for, request.user, pk)
    user = request.user
    if not (user.is_office_staff or user.is_supervisor or selectors.can_supervise_suggestion(user, suggestion)):
        raise PermissionDenied
    return render(request, "supervision/suggestion.html", _suggestion_context(request, suggestion))


def _suggestion_action(request, pk, form_name: str, fn, success: str):
    suggestion = _get(get_suggestion_participated_for, request.user, pk)
    return _form_action(
        request, suggestion, form_name, fn, success,
        template="supervision/suggestion.html", context_fn=_suggestion_context, url_name="supervision:suggestion",
    )  # fmt: skip


@login_required
@require_POST
def suggestion_attach(request, pk):
    return _suggestion_action(
        request,
        pk,
        "supervisor_form",
        lambda s, d: services.supervisor_attach(suggestion=s, user=d["user"], actor=request.user),
        _("Supervisor attached."),
    )


@login_required
@require_POST
def suggestion_detach(request, pk, link_pk):
    suggestion = _get(get_suggestion_participated_for, request.user, pk)
    link = reads.supervisor_link(suggestion, link_pk)
    if link is None:
        raise Http404
    return _suggestion_action(
        request,
        pk,
        "detach_form",
        lambda s, d: services.supervisor_detach(suggestion=s, user=link.user, actor=request.user),
        _("Supervisor detached."),
    )


@login_required
@require_POST
def suggestion_instruct(request, pk):
    return _suggestion_action(
        request,
        pk,
        "instruction_form",
        lambda s, d: services.instruction_record(actor=request.user, suggestion=s, text=d["text"]),
        _("Instruction recorded."),
    )


def _visible_or_invalid(user, pk, field):
    try:
        return get_suggestion_for(user, pk)
    except ActionNotFound:
        raise ActionInvalid.field(field, _("Unknown suggestion.")) from None


@login_required
@require_POST
def suggestion_link_repeat(request, pk):
    return _suggestion_action(
        request,
        pk,
        "repeat_form",
        lambda s, d: services.suggestion_link_repeat(
            suggestion=s, earlier=_visible_or_invalid(request.user, d["repeat_of"], "repeat_of"), actor=request.user
        ),
        _("Linked to the earlier suggestion."),
    )


def _look_back_or_invalid(user, pk):
    try:
        return selectors.inspections_visible_to(user).get(pk=pk)
    except Inspection.DoesNotExist:
        raise ActionInvalid.field("look_back", _("Unknown look-back.")) from None


@login_required
@require_POST
def suggestion_link_follow_up(request, pk):
    return _suggestion_action(
        request,
        pk,
        "follow_up_form",
        lambda s, d: services.suggestion_link_follow_up(
            suggestion=s, look_back=_look_back_or_invalid(request.user, d["look_back"]), actor=request.user
        ),
        _("Linked to the look-back."),
    )


# ---------------------------------------------------------------------------------------------
# Campaigns


@login_required
def campaigns(request):
    _require_overseer(request.user)
    return render(
        request,
        "supervision/campaigns.html",
        {"campaigns": reads.campaigns_with_key_items(request.user)},
    )


@login_required
def campaign_new(request):
    if not request.user.is_office_staff:
        raise PermissionDenied
    today = timezone.localdate()
    form = forms.CampaignForm(
        request.POST or None, initial={"starts_on": today, "ends_on": today + dt.timedelta(days=6)}
    )
    return _form_page(
        request,
        form,
        lambda d: services.campaign_save(actor=request.user, key_items=list(d.pop("key_items")), **d),
        done=_("Campaign recorded."),
        then=reverse("supervision:campaigns"),
        template="supervision/campaign_form.html",
    )


# ---------------------------------------------------------------------------------------------
# Editing key items and campaigns (staff)


@login_required
def key_item_edit(request, pk):
    from .services.editing import key_item_edit as edit

    if not request.user.is_office_staff:
        raise PermissionDenied
    item = _get(selectors.get_key_item_for, request.user, pk)
    undone = reads.open_milestones(item)
    initial = {
        "topic": item.topic,
        "description": item.description,
        **reads.key_item_links(item),
        "committee_ref": item.committee_ref,
        "committee": item.committee,
        "government_leader": item.government_leader,
        "council_meeting": item.council_meeting,
        "council_date": item.council_date,
        "work_plan": item.work_plan,
        "regime_starts_on": item.regime_starts_on,
        "milestones": "\n".join(f"{m.target_date:%Y-%m-%d} {m.title}" for m in undone),
    }
    form = forms.KeyItemEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            d["suggestions"], d["leaders"] = list(d["suggestions"]), list(d["leaders"])
            if not d["committee"] and d["committee_ref"] is not None:
                d["committee"] = d["committee_ref"].name
            saved, status = _perform(request, form, lambda: edit(key_item=item, actor=request.user, **d))
            if saved is not None:
                messages.success(request, _("Key item saved."))
                return redirect("supervision:key_item", pk=item.pk)
    return render(request, "supervision/key_item_form.html", {"form": form, "item": item}, status=status)


@login_required
@require_POST
def key_item_regenerate(request, pk):
    item = _get(selectors.get_key_item_for, request.user, pk)
    try:
        created = services.regime_regenerate(key_item=item, actor=request.user)
    except ActionForbidden:
        raise PermissionDenied from None
    except ActionConflict as exc:
        messages.error(request, exc.message)
        return redirect("supervision:key_item", pk=item.pk)
    messages.success(request, _("%(n)s regime deadlines added.") % {"n": len(created)})
    return redirect("supervision:key_item", pk=item.pk)


@login_required
def campaign_edit(request, pk):
    if not request.user.is_office_staff:
        raise PermissionDenied
    campaign = _get(selectors.get_campaign_for, request.user, pk)
    initial = {
        "name": campaign.name,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        **reads.campaign_links(campaign),
        "outcome": campaign.outcome,
    }
    form = forms.CampaignEditForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        lambda d: services.campaign_save(
            actor=request.user,
            campaign=campaign,
            key_items=list(d.pop("key_items")),
            suggestions=list(d.pop("suggestions")),
            **d,
        ),
        done=_("Campaign saved."),
        then=reverse("supervision:campaigns"),
        template="supervision/campaign_form.html",
        context={"campaign": campaign},
    )
