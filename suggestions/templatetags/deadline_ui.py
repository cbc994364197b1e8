"""The suggestion page's deadlines, each with a readable account of how its date was computed
(the `Deadline.explanation` facts: the rule, the day it counts from, the rest days skipped, the
extensions), in the reader's language."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suggestions.deadlines import deadline_status
from suggestions.models import DeadlineUnit
from suggestions.selectors import deadlines_visible_to

from .suggestion_ui import EVENT_LABELS

register = template.Library()

# chinese_calendar names holidays in English; the page names them in the reader's language.
HOLIDAY_NAMES = {
    "New Year's Day": gettext_lazy("New Year's Day"),
    "Spring Festival": gettext_lazy("Spring Festival"),
    "Tomb-sweeping Day": gettext_lazy("Tomb-sweeping Day"),
    "Labour Day": gettext_lazy("Labour Day"),
    "Dragon Boat Festival": gettext_lazy("Dragon Boat Festival"),
    "National Day": gettext_lazy("National Day"),
    "Mid-autumn Festival": gettext_lazy("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": gettext_lazy("Anti-Fascist 70th Day"),
    "weekend": gettext_lazy("weekend"),
    "holiday": gettext_lazy("holiday"),
}
UNIT_NAMES = dict(DeadlineUnit.choices)


def _why(why: str) -> str:
    return str(HOLIDAY_NAMES.get(why, why)) if why else str(HOLIDAY_NAMES["holiday"])


def _skipped(days: list) -> str:
    parts = [f"{d.get('date', '')} ({_why(d.get('why', ''))})" for d in days if isinstance(d, dict)]
    return _(", ").join(parts)


def explain(explanation: dict) -> list[str]:
    """Sentences that say how a due date came about; unknown keys are left out, never an error."""
    if not isinstance(explanation, dict):
        return []
    lines = []
    event = explanation.get("from_event")
    start = explanation.get("starts_on")
    event_name = str(EVENT_LABELS.get(event, event)) if event else ""
    if explanation.get("explicit"):
        lines.append(_("Due date set by hand when it was opened."))
    rule = explanation.get("rule")
    if isinstance(rule, dict):
        lines.append(
            _("Rule: %(amount)s %(unit)s, counted from %(start)s (%(event)s).")
            % {
                "amount": rule.get("amount", ""),
                "unit": UNIT_NAMES.get(str(rule.get("unit", "")), rule.get("unit", "")),
                "start": start or "—",
                "event": event_name or "—",
            }
        )
        if rule.get("complex"):
            lines.append(_("A complex suggestion: the longer reply period applies."))
    elif rule == "last working day of the period":  # the 五个一 regime's deadlines
        lines.append(_("Rule: the last working day of the period."))
    elif start:
        lines.append(_("Counted from %(start)s (%(event)s).") % {"start": start, "event": event_name or "—"})
    if explanation.get("skipped"):
        lines.append(_("Rest days not counted: %(days)s.") % {"days": _skipped(explanation["skipped"])})
    if explanation.get("rolled_forward"):
        lines.append(
            _("The period ended on %(nominal)s, a rest day, so it runs to the next working day (skipped: %(days)s).")
            % {"nominal": explanation.get("nominal_due", "—"), "days": _skipped(explanation["rolled_forward"])}
        )
    for ext in explanation.get("extensions") or []:
        if isinstance(ext, dict):
            lines.append(
                _("Extended from %(from)s to %(to)s on %(at)s: %(reason)s")
                % {
                    "from": ext.get("from", ""),
                    "to": ext.get("to", ""),
                    "at": str(ext.get("at", ""))[:10],
                    "reason": ext.get("reason", ""),
                }
            )
    if explanation.get("period"):
        lines.append(_("Period: %(period)s") % {"period": explanation["period"]})
    return lines


@register.inclusion_tag("suggestions/_deadlines.html", takes_context=True)
def deadline_panel(context, suggestion):
    request = context["request"]
    today: dt.date = timezone.localdate()
    rows = list(deadlines_visible_to(request.user).filter(suggestion=suggestion).order_by("due_date", "id"))
    for d in rows:
        d.state = deadline_status(d, today)
        d.explained = explain(d.explanation or {})
    return {"deadlines": rows}
