from __future__ import annotations

from django import template

from suggestions.selectors import suggestions_visible_to

from .. import selectors

register = template.Library()

FLAG_CLASSES = {"red": "danger", "amber": "warning", "green": "success"}
STATE_CLASSES = {
    "overdue": "danger",
    "due_today": "warning",
    "due_soon": "warning",
    "met": "success",
    "cancelled": "secondary",
    "open": "light",
}


@register.simple_tag(takes_context=True)
def repeat_summary(context, suggestion):
    """{"count", "since_year", "chain"}; each chain entry says whether the viewer may open it."""
    summary = selectors.repeat_summary(suggestion)
    request = context.get("request")
    user = getattr(request, "user", None)
    ids = [s.pk for s in summary["chain"]]
    visible = set(suggestions_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    summary["entries"] = [{"suggestion": s, "visible": s.pk in visible} for s in summary["chain"]]
    return summary


@register.filter
def flag_class(flag: str) -> str:
    return FLAG_CLASSES.get(flag, "secondary")


@register.filter
def state_class(state: str) -> str:
    return STATE_CLASSES.get(state, "light")
