"""Pages and htmx panels of the text features: similar suggestions while drafting, 并案 and repeat
hints at intake, the routing proposal at 交办, the reply check before sign-off, drafting guidance,
chronic issues and the router's monthly accuracy. Panels are fragments; they advise, never block."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from common.text.checks import drafting_findings
from suggestions import selectors
from suggestions.views.common import not_found_as_404

from . import insights
from .replycheck import reply_check
from .routing import current_router, routing_suggest
from .similar import repeat_years, similar_suggestions, with_reply_classes

DRAFT_LIMIT = 5


def _staff(user) -> None:
    if not user.is_office_staff:
        raise PermissionDenied


@login_required
@require_POST
def draft_assist(request):
    """As a deputy types (debounced): up to five similar suggestions, the shape advice and a likely unit."""
    title, body = request.POST.get("title", "")[:200], request.POST.get("body", "")[:20000]
    exclude = request.POST.get("suggestion")
    rows = []
    if title.strip() or body.strip():
        rows = with_reply_classes(
            similar_suggestions(
                user=request.user, title=title, body=body, limit=DRAFT_LIMIT,
                exclude=int(exclude) if exclude and exclude.isdigit() else None,
            )
        )  # fmt: skip
    likely_unit = None
    if len(title.strip()) >= 4:
        ranked = current_router().rank(f"{title}\n{body}", history=0)
        likely_unit = insights.unit_name(ranked[0].unit) if ranked else None
    return render(
        request,
        "textanalysis/_draft_assist.html",
        {
            "rows": rows,
            "findings": drafting_findings(title, body),
            "likely_unit": likely_unit,
            "typed": bool(title or body),
        },
    )


@login_required
@not_found_as_404
def intake_hint(request, pk: int):
    """Staff at intake: earlier years' near-identical suggestions (repeat?) and this session's (并案?)."""
    _staff(request.user)
    suggestion = selectors.get_suggestion_for(request.user, pk)
    rows = with_reply_classes(
        similar_suggestions(user=request.user, title=suggestion.title, body=suggestion.body, exclude=suggestion.pk)
    )
    year = suggestion.session.year
    repeats = [r for r in repeat_years(rows) if r["year"] < year]
    merge = [r for r in rows if r["suggestion"].session_id == suggestion.session_id and r["score"] >= 0.3]
    return render(
        request,
        "textanalysis/_intake_hint.html",
        {
            "suggestion": suggestion,
            "repeats": repeats,
            "repeat_years": sorted({r["year"] for r in repeats}),
            "merge": merge,
        },
    )


@login_required
@not_found_as_404
def routing_panel(request, pk: int):
    """交办: the three likely lead units and likely co-units, with evidence; a person decides."""
    _staff(request.user)
    suggestion = selectors.get_suggestion_for(request.user, pk)
    proposal = routing_suggest(title=suggestion.title, body=suggestion.body, suggested_unit=suggestion.suggested_unit)
    return render(request, "textanalysis/_routing_panel.html", {"proposal": proposal, "suggestion": suggestion})


@login_required
@not_found_as_404
def reply_check_panel(request, pk: int):
    """Next to the draft reply, for the unit: boilerplate, uncovered points, copied text, dates."""
    assignment = selectors.get_assignment_for(request.user, pk)
    findings = reply_check(assignment=assignment, actor=request.user)
    return render(request, "textanalysis/_reply_check.html", {"findings": findings, "assignment": assignment})


@login_required
def chronic_issues(request):
    """Matters raised in three or more years, or answered C/D: candidates for key supervision."""
    if not (request.user.is_office_staff or request.user.is_supervisor):
        raise PermissionDenied
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), 1000)
    except ValueError:
        page = 1
    issues, has_next = insights.chronic_page(year=year, page=page, reader=request.user)
    return render(
        request,
        "textanalysis/chronic.html",
        {"year": year, "issues": issues, "page": page, "has_next": has_next},
    )


@login_required
def routing_accuracy(request):
    """The router's monthly top-1/top-3 accuracy against the final lead unit, beside the return rate."""
    if not (request.user.is_office_staff or request.user.is_supervisor):
        raise PermissionDenied
    return render(request, "textanalysis/accuracy.html", {"months": insights.routing_accuracy_by_month()})
