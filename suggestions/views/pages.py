"""Home, lists and queues: what each role needs to look at first."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from suggestions import selectors, worklists
from suggestions.filters import SuggestionFilter
from suggestions.forms import DecisionForm, OptionalNoteForm, SuggestionFilterForm
from suggestions.models import (
    DUE_SOON_DAYS,
    RequestKind,
)
from suggestions.search import mark_reply_passages

from .common import PAGE_SIZE, paginate, query_without_page


def _require_staff(user) -> None:
    if not user.is_office_staff:
        raise PermissionDenied


# --------------------------------------------------------------------------------------------
# Home


@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    if user.is_deputy:
        context = worklists.deputy_home(user, today)
        template = "suggestions/home_deputy.html"
    elif user.is_unit_user:
        context = worklists.unit_home(user, today)
        template = "suggestions/home_unit.html"
    elif user.is_office_staff:
        context = worklists.staff_home(today)
        template = "suggestions/home_staff.html"
    else:
        context = worklists.supervisor_home(user, today)
        template = "suggestions/home_supervisor.html"
    context["today"] = today
    return render(request, template, context)


# --------------------------------------------------------------------------------------------
# Deputy: my suggestions


@login_required
def my_suggestions(request):
    user = request.user
    if not user.is_deputy:
        raise PermissionDenied
    today = timezone.localdate()
    page = paginate(request, worklists.suggestions_of_deputy(user))
    rows = worklists.annotate_rows(page.object_list, today)
    for row in rows:
        row.as_lead = row.lead_deputy_id == user.pk
    return render(
        request,
        "suggestions/mine.html",
        {"page": page, "rows": rows, "today": today, "query": query_without_page(request)},
    )


# --------------------------------------------------------------------------------------------
# Handling unit: inbox


@login_required
def inbox(request):
    user = request.user
    if not user.is_unit_user:
        raise PermissionDenied
    today = timezone.localdate()
    tab = request.GET.get("tab", "to_sign")
    if tab not in worklists.INBOX_TABS:
        tab = "to_sign"
    counts = worklists.inbox_counts(user, today)
    rows = worklists.inbox_rows(user, tab, today)
    page = worklists.InboxPaginator(rows, PAGE_SIZE, counts[tab]).get_page(request.GET.get("page"))
    tabs = [(name, counts[name]) for name in worklists.INBOX_TABS]
    return render(
        request,
        "suggestions/inbox.html",
        {"tab": tab, "tabs": tabs, "page": page, "today": today, "soon": today + dt.timedelta(days=DUE_SOON_DAYS)},
    )


# --------------------------------------------------------------------------------------------
# Staff: intake, request queue, all suggestions, overview


@login_required
def intake(request):
    _require_staff(request.user)
    page = paginate(request, worklists.intake_list(request.user))
    return render(request, "suggestions/intake.html", {"page": page, "rows": page.object_list})


@login_required
def request_queue(request):
    _require_staff(request.user)
    page = paginate(request, worklists.pending_requests())
    rows = []
    for item in page.object_list:
        # Prefixes match the ones the assignment action view binds with.
        aid = item.assignment_id
        if item.kind == RequestKind.EXTENSION:
            approve, refuse = "approve_extension", "refuse_extension"
            approve_form = DecisionForm(prefix=f"{approve}-{aid}")
        else:
            approve, refuse = "approve_return", "refuse_return"
            approve_form = OptionalNoteForm(prefix=f"{approve}-{aid}")
        rows.append(
            {
                "request": item,
                "approve": approve,
                "refuse": refuse,
                "approve_form": approve_form,
                "refuse_form": OptionalNoteForm(prefix=f"{refuse}-{aid}"),
            }
        )
    return render(request, "suggestions/requests.html", {"page": page, "rows": rows})


@login_required
def suggestion_list(request):
    user = request.user
    form = SuggestionFilterForm(request.GET or None)
    queryset = selectors.suggestion_list(user)
    if user.is_deputy:
        # A deputy's list is the drafts and papers they are part of, not every published one.
        queryset = worklists.suggestions_of_deputy(user)
    params = form.filter_params()
    if params:
        queryset = SuggestionFilter(params, queryset=queryset, request=request).qs
    today = timezone.localdate()
    page = paginate(request, queryset)
    rows = worklists.annotate_rows(page.object_list, today)
    if params.get("search"):
        mark_reply_passages(rows, params["search"], user=user)
    return render(
        request,
        "suggestions/list.html",
        {"form": form, "page": page, "rows": rows, "today": today, "query": query_without_page(request)},
    )


def overview(request):
    """The first staff overview grew into the dashboards app; the old address leads there."""
    return redirect("dashboards:overview", permanent=True)
