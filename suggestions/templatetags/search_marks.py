"""`{{ text|marked:query }}`: the text escaped, with the search words in `<mark>` (issue 14)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.safestring import SafeString, mark_safe

from common.text.highlight import highlight
from common.text.segment import query_terms

register = template.Library()


@lru_cache(maxsize=64)
def _terms(query: str) -> tuple[str, ...]:
    words, numbers = query_terms(query)
    return (*words, *(str(n) for n in numbers))


@register.filter
def marked(text: str, query: str | None) -> SafeString:
    # highlight() escapes every piece it does not wrap, so the result is safe to mark as such.
    return mark_safe(highlight(str(text or ""), _terms(query or "")))  # noqa: S308


@register.filter
def marked_excerpt(text: str, query: str | None) -> SafeString:
    return mark_safe(highlight(str(text or ""), _terms(query or ""), snippet=120))  # noqa: S308
