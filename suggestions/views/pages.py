"""Home, lists and queues: what each role needs to look at first."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render
from django.utils import timezone

from suggestions import selectors
from suggestions.api.views import SuggestionFilter
from suggestions.forms import DecisionForm, OptionalNoteForm, SuggestionFilterForm
from suggestions.models import (
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentStatus,
    CoSigner,
    CoSignerStatus,
    Deadline,
    DeadlineKind,
    Evaluation,
    RequestKind,
    RequestStatus,
    Suggestion,
    SuggestionStatus,
)

from .common import paginate, query_without_page

OPEN_ASSIGNMENT = [
    AssignmentStatus.PENDING,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.RETURN_REQUESTED,
    AssignmentStatus.AWAITING_SIGNOFF,
]
DONE_ASSIGNMENT = [AssignmentStatus.REPLIED, AssignmentStatus.OPINION_SENT]
HANDLING_KINDS = [DeadlineKind.SIGN, DeadlineKind.REPLY, DeadlineKind.REHANDLING_REPLY, DeadlineKind.OPINION]
SOON_DAYS = 7


def _require_staff(user) -> None:
    if not user.is_office_staff:
        raise PermissionDenied


def _annotate_rows(suggestions, today: dt.date) -> list[Suggestion]:
    """Units and the nearest open due date of each row, from the prefetched assignments (no query)."""
    rows = list(suggestions)
    for suggestion in rows:
        live = list(suggestion.assignments.all())
        suggestion.unit_names = [a.unit.name for a in live if a.role == AssignmentRole.LEAD] + [
            a.unit.name for a in live if a.role == AssignmentRole.CO
        ]
        open_due = [a.due_date for a in live if a.status in OPEN_ASSIGNMENT and a.role == AssignmentRole.LEAD]
        suggestion.next_due = min(open_due) if open_due else None
        suggestion.is_overdue = bool(suggestion.next_due and suggestion.next_due < today)
    return rows


# --------------------------------------------------------------------------------------------
# Home


@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    if user.is_deputy:
        context = _deputy_home(user, today)
        template = "suggestions/home_deputy.html"
    elif user.is_unit_user:
        context = {"counts": _inbox_counts(user, today), "to_sign": _inbox_rows(user, "to_sign", today)[:10]}
        if user.is_unit_head:
            context["awaiting"] = _inbox_rows(user, "awaiting_signoff", today)[:10]
        template = "suggestions/home_unit.html"
    elif user.is_office_staff:
        context = _staff_home(today)
        template = "suggestions/home_staff.html"
    else:
        rows = selectors.suggestion_list(user).exclude(status=SuggestionStatus.DRAFT)[:20]
        context = {"suggestions": _annotate_rows(rows, today)}
        template = "suggestions/home_supervisor.html"
    context["today"] = today
    return render(request, template, context)


def _mine(user):
    return selectors.suggestion_list(user).filter(pk__in=selectors.own_suggestion_ids(user))


def _deputy_home(user, today):
    invitations = (
        CoSigner.objects.filter(deputy=user, status=CoSignerStatus.INVITED, suggestion__status=SuggestionStatus.DRAFT)
        .select_related("suggestion__lead_deputy")
        .order_by("-suggestion__created_at")
    )
    rated = Evaluation.objects.filter(suggestion=OuterRef("pk"), deputy=user, round=OuterRef("round"))
    confirmed = CoSigner.objects.filter(suggestion=OuterRef("pk"), deputy=user, status=CoSignerStatus.CONFIRMED)
    to_rate = (
        Suggestion.objects.filter(status=SuggestionStatus.REPLIED)
        .filter(Q(lead_deputy=user) | Q(Exists(confirmed)))
        .exclude(Exists(rated))
        .select_related("session")
    )
    drafts = Suggestion.objects.filter(lead_deputy=user, status=SuggestionStatus.DRAFT).select_related("session")
    recent = _annotate_rows(_mine(user).exclude(status=SuggestionStatus.DRAFT)[:10], today)
    return {"invitations": list(invitations), "to_rate": list(to_rate), "drafts": list(drafts), "recent": recent}


def _staff_home(today):
    counts = Suggestion.objects.aggregate(
        intake=Count("pk", filter=Q(status=SuggestionStatus.SUBMITTED)),
        to_assign=Count("pk", filter=Q(status=SuggestionStatus.REGISTERED)),
        handling=Count("pk", filter=Q(status__in=[SuggestionStatus.ASSIGNED, SuggestionStatus.HANDLING])),
        rehandling=Count("pk", filter=Q(status=SuggestionStatus.REHANDLING)),
    )
    counts["requests"] = AssignmentRequest.objects.filter(status=RequestStatus.PENDING).count()
    counts["overdue"] = (
        Deadline.objects.filter(
            satisfied_at__isnull=True, cancelled_at__isnull=True, kind__in=HANDLING_KINDS, due_date__lt=today
        )
        .values("suggestion_id")
        .distinct()
        .count()
    )
    intake_rows = (
        Suggestion.objects.filter(status=SuggestionStatus.SUBMITTED)
        .select_related("lead_deputy", "session")
        .order_by("submitted_at", "id")[:10]
    )
    return {"counts": counts, "intake_rows": list(intake_rows)}


# --------------------------------------------------------------------------------------------
# Deputy: my suggestions


@login_required
def my_suggestions(request):
    user = request.user
    if not user.is_deputy:
        raise PermissionDenied
    today = timezone.localdate()
    page = paginate(request, _mine(user))
    rows = _annotate_rows(page.object_list, today)
    for row in rows:
        row.as_lead = row.lead_deputy_id == user.pk
    return render(
        request,
        "suggestions/mine.html",
        {"page": page, "rows": rows, "today": today, "query": query_without_page(request)},
    )


# --------------------------------------------------------------------------------------------
# Handling unit: inbox

INBOX_TABS = ["to_sign", "handling", "due_soon", "overdue", "replied", "awaiting_signoff"]


def _inbox_base(user):
    return (
        Assignment.objects.filter(unit_id=user.unit_id)
        .exclude(status=AssignmentStatus.RETURNED)
        .exclude(suggestion__status__in=[SuggestionStatus.WITHDRAWN, SuggestionStatus.MERGED])
    )


def _tab_q(tab: str, today: dt.date) -> Q:
    soon = today + dt.timedelta(days=SOON_DAYS)
    return {
        "to_sign": Q(status=AssignmentStatus.PENDING),
        "handling": Q(status__in=[AssignmentStatus.ACCEPTED, AssignmentStatus.RETURN_REQUESTED]),
        "due_soon": Q(status__in=OPEN_ASSIGNMENT, due_date__gte=today, due_date__lte=soon),
        "overdue": Q(status__in=OPEN_ASSIGNMENT, due_date__lt=today),
        "replied": Q(status__in=DONE_ASSIGNMENT),
        "awaiting_signoff": Q(status=AssignmentStatus.AWAITING_SIGNOFF),
    }[tab]


def _inbox_counts(user, today: dt.date) -> dict[str, int]:
    """Every tab's count in one query."""
    return _inbox_base(user).aggregate(**{tab: Count("pk", filter=_tab_q(tab, today)) for tab in INBOX_TABS})


def _inbox_rows(user, tab: str, today: dt.date):
    return (
        _inbox_base(user)
        .filter(_tab_q(tab, today))
        .select_related("suggestion__session", "suggestion__lead_deputy", "unit")
        .order_by("due_date", "id")
    )


@login_required
def inbox(request):
    user = request.user
    if not user.is_unit_user:
        raise PermissionDenied
    today = timezone.localdate()
    tab = request.GET.get("tab", "to_sign")
    if tab not in INBOX_TABS:
        tab = "to_sign"
    counts = _inbox_counts(user, today)
    page = paginate(request, _inbox_rows(user, tab, today))
    tabs = [(name, counts[name]) for name in INBOX_TABS]
    return render(
        request,
        "suggestions/inbox.html",
        {"tab": tab, "tabs": tabs, "page": page, "today": today, "soon": today + dt.timedelta(days=SOON_DAYS)},
    )


# --------------------------------------------------------------------------------------------
# Staff: intake, request queue, all suggestions, overview


@login_required
def intake(request):
    _require_staff(request.user)
    rows = (
        selectors.suggestion_list(request.user).filter(status=SuggestionStatus.SUBMITTED).order_by("submitted_at", "id")
    )
    page = paginate(request, rows)
    return render(request, "suggestions/intake.html", {"page": page, "rows": page.object_list})


@login_required
def request_queue(request):
    _require_staff(request.user)
    pending = (
        AssignmentRequest.objects.filter(status=RequestStatus.PENDING)
        .select_related("assignment__unit", "assignment__suggestion__session", "requested_by")
        .order_by("requested_at", "id")
    )
    page = paginate(request, pending)
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
        queryset = _mine(user)
    params = form.filter_params()
    if params:
        queryset = SuggestionFilter(params, queryset=queryset, request=request).qs
    today = timezone.localdate()
    page = paginate(request, queryset)
    rows = _annotate_rows(page.object_list, today)
    return render(
        request,
        "suggestions/list.html",
        {"form": form, "page": page, "rows": rows, "today": today, "query": query_without_page(request)},
    )


@login_required
def overview(request):
    """A first staff overview: counts by state and overdue by unit (the dashboards grow from here)."""
    user = request.user
    if not (user.is_office_staff or user.is_supervisor):
        raise PermissionDenied
    today = timezone.localdate()
    by_state = dict(Suggestion.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    states = [(value, label, by_state.get(value, 0)) for value, label in SuggestionStatus.choices]
    overdue_by_unit = list(
        Deadline.objects.filter(
            satisfied_at__isnull=True,
            cancelled_at__isnull=True,
            kind__in=HANDLING_KINDS,
            due_date__lt=today,
            unit__isnull=False,
        )
        .values("unit_id", "unit__name")
        .annotate(n=Count("pk"), suggestions=Count("suggestion_id", distinct=True))
        .order_by("-n", "unit__name")
    )
    return render(
        request,
        "suggestions/overview.html",
        {"states": states, "total": sum(by_state.values()), "overdue_by_unit": overdue_by_unit, "today": today},
    )
