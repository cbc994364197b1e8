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


@register.inclusion_tag("supervision/_suggestion_panel.html", takes_context=True)
def supervision_panel(context, suggestion):
    """On the suggestion page: the leaders' instructions (批示) for everyone taking part in it, the
    handling units included, and for a committee member the way to the supervision page."""
    user = context["request"].user
    access = context.get("page_access")
    if access is not None and (user.is_supervisor or user.is_deputy):
        # Decided once by the suggestion page from the same providers (`visibility.supervised_q`).
        may_supervise = access.supervised
    else:
        may_supervise = selectors.can_supervise_suggestion(user, suggestion)
    if access is not None and user.is_unit_user:
        # A unit takes part exactly where it participates (a live assignment: units sit on no
        # committee and supervise nothing), which the page decided already.
        takes_part = access.participated
    else:
        takes_part = user.is_office_staff or may_supervise or selectors.takes_part_in(user, suggestion)
    instructions = list(selectors.instructions_on(suggestion)) if takes_part else []
    return {
        "suggestion": suggestion,
        "instructions": instructions,
        # Staff and supervisors have the button in the page header already.
        "supervision_link": may_supervise and not (user.is_office_staff or user.is_supervisor),
    }
