"""The consultation and plan panels on the suggestion page (the suggestions app does not import us)."""

from __future__ import annotations

from django import template

from suggestions.models import AssignmentRole, SuggestionStatus

from .. import selectors
from ..forms import ConsultForm
from ..services import PLAN_STATUSES

register = template.Library()


@register.inclusion_tag("handling/_panels.html", takes_context=True)
def handling_panels(context, suggestion, assignments=()):
    user = context["request"].user
    plans = list(selectors.plans_of(suggestion, user))
    plan_by_assignment = {p.assignment_id: p for p in plans}
    # The unit's own lead assignments it may plan for (recorded or not yet).
    plannable = [
        a
        for a in assignments
        if user.is_unit_user
        and a.unit_id == user.unit_id
        and a.role == AssignmentRole.LEAD
        and a.status in PLAN_STATUSES
    ]
    is_lead_draft = suggestion.status == SuggestionStatus.DRAFT and user.pk == suggestion.lead_deputy_id
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "suggestion": suggestion,
        "consultations": list(selectors.consultations_of(suggestion, user)),
        "consult_form": ConsultForm() if is_lead_draft else None,
        "plans": plans,
        "plannable": [(a, plan_by_assignment.get(a.pk)) for a in plannable],
        "can_complete_steps": {a.pk for a in plannable},
    }
