"""Publication (SPEC section 8): non-confidential suggestions with their released public replies,
for anyone, signed in or not: a list with search and filters, and a detail page. Nothing about
deputies beyond their names (no phone, card number or delegation contact), no attachments, no
timeline, no contact log and no unit staff: only what the office would print in a public notice."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from common.pagination import FastPaginator
from suggestions import selectors
from suggestions.filters import SuggestionFilter
from suggestions.forms import PublicFilterForm
from suggestions.search import mark_reply_passages

from .common import PAGE_SIZE, paginate, query_without_page


class PublicPaginator(FastPaginator):
    """The public list's pages: counted on, and read session by session from, the published rows
    as filtered (`selectors.published_page_keys`); a page's rows are then loaded with what a row
    shows (`selectors.published_suggestion_list`)."""

    def page(self, number):
        number = self.validate_number(number)
        keys = selectors.published_page_keys(self.object_list, (number - 1) * self.per_page, self.per_page)
        return self._get_page(selectors.published_suggestion_list().filter(pk__in=keys), number, self)


def public_list(request):
    form = PublicFilterForm(request.GET or None)
    params = form.filter_params()
    if params.get("search"):
        # Ranked by relevance (suggestions.search), a page read as the other lists are.
        queryset = SuggestionFilter(params, queryset=selectors.published_suggestion_list(), request=request).qs
        page = paginate(request, queryset)
        mark_reply_passages(page.object_list, params["search"], user=request.user)
    else:
        queryset = selectors.published_suggestions()
        if params:
            queryset = SuggestionFilter(params, queryset=queryset, request=request).qs
        page = PublicPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
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
