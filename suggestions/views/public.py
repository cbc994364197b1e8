"""Publication (SPEC section 8): non-confidential suggestions with their released public replies,
for anyone, signed in or not: a list with search and filters, and a detail page. Nothing about
deputies beyond their names (no phone, card number or delegation contact), no attachments, no
timeline, no contact log and no unit staff: only what the office would print in a public notice."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from suggestions import selectors
from suggestions.api.views import SuggestionFilter
from suggestions.forms import PublicFilterForm
from suggestions.models import Assignment, AssignmentStatus, CoSignerStatus, Reply, ReplyStatus

from .common import paginate, query_without_page


def _published():
    # Lead units first ("lead" sorts after "co").
    live = Assignment.objects.exclude(status=AssignmentStatus.RETURNED).select_related("unit").order_by("-role", "id")
    return (
        selectors.published_suggestions()
        .select_related("session", "category", "lead_deputy")
        .prefetch_related(Prefetch("assignments", queryset=live))
        .order_by("-session__year", "-session__term", "-session__number", "number", "id")
    )


def public_list(request):
    form = PublicFilterForm(request.GET or None)
    queryset = _published()
    params = form.filter_params()
    if params:
        queryset = SuggestionFilter(params, queryset=queryset, request=request).qs
    page = paginate(request, queryset)
    return render(
        request, "suggestions/public_list.html", {"form": form, "page": page, "query": query_without_page(request)}
    )


def public_detail(request, pk: int):
    suggestion = get_object_or_404(_published(), pk=pk)
    return render_public_detail(request, suggestion)


def render_public_detail(request, suggestion):
    """The public view of a published suggestion: what anyone who is not a participant sees."""
    replies = (
        Reply.objects.filter(assignment__suggestion=suggestion, status=ReplyStatus.RELEASED, public=True)
        .select_related("assignment__unit")
        .order_by("-assignment__role", "assignment_id", "round")
    )
    co_signers = [
        c.deputy for c in suggestion.cosignatures.filter(status=CoSignerStatus.CONFIRMED).select_related("deputy")
    ]
    return render(
        request,
        "suggestions/public_detail.html",
        {"suggestion": suggestion, "replies": replies, "co_signers": co_signers},
    )
