"""Small helpers for the dashboard templates: percentages, dict lookups, drill-down links."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def pct(value: Any) -> str:
    """A fraction as a percentage with one decimal; an empty rate as a dash."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag
def drill_url(metric: str, dim: str | None, key: Any, params: dict[str, str]) -> str:
    query = {"metric": metric, **params}
    if dim:
        query["dim"] = dim
        query["key"] = "none" if key is None else str(key)
    return f"{reverse('dashboards:drill')}?{urlencode(query)}"


@register.simple_tag(takes_context=True)
def with_params(context, **changes: Any) -> str:
    """The current query string with some parameters replaced (for sort links and exports)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode()
