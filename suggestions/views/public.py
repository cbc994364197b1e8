"""Publication (SPEC section 8): non-confidential suggestions with their released public replies,
for anyone, signed in or not: a list with search and filters, and a detail page. Nothing about
deputies beyond their names (no phone, card number or delegation contact), no attachments, no
timeline, no contact log and no unit staff: only what the office would print in a public notice."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from suggestions import selectors
from suggestions.filters import SuggestionFilter
from suggestions.forms import PublicFilterForm
from suggestions.search import mark_reply_passages

from .common import paginate, query_without_page


def public_list(request):
    form = PublicFilterForm(request.GET or None)
    queryset = selectors.published_suggestion_list()
    params = form.filter_params()
    if params:
        queryset = SuggestionFilter(params, queryset=queryset, request=request).qs
    page = paginate(request, queryset)
    if params.get("search"):
        mark_reply_passages(page.object_list, params["search"], user=request.user)
    return render(
        request, "suggestions/public_list.html", {"form": form, "page": page, "query": query_without_page(request)}
    )


def public_detail(request, pk: int):
    suggestion = get_object_or_404(selectors.published_suggestion_list(), pk=pk)
    return render_public_detail(request, suggestion)


def render_public_detail(request, suggestion):
    """The public view of a published suggestion: what anyone who is not a participant sees."""
    return render(
        request,
        "suggestions/public_detail.html",
        {
            "suggestion": suggestion,
            "replies": selectors.published_replies(suggestion),
            "co_signers": selectors.confirmed_co_signers(suggestion),
        },
    )
