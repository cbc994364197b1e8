"""The consultation and plan panels on the suggestion page (the suggestions app does not import us)."""

from __future__ import annotations

from django import template

from suggestions.models import AssignmentRole, Commitment, ReplyStatus, SuggestionStatus
from suggestions.services import commitment_due_for_confirmation

from .. import selectors
from ..forms import ConsultForm, DeliveryForm
from ..services import PLAN_STATUSES

register = template.Library()


@register.inclusion_tag("handling/_panels.html", takes_context=True)
def handling_panels(context, suggestion, assignments=()):
    user = context["request"].user
    # The suggestion page decided once whether the reader takes part (and so may see it).
    access = context.get("page_access")
    plans = list(selectors.plans_of(suggestion, user, visible=True if access and access.participated else None))
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
    # The service has the last word; a supervisor who may read the record is offered the form too.
    may_confirm = user.pk == suggestion.lead_deputy_id or user.is_supervisor
    to_confirm = []
    if may_confirm and suggestion.status in (SuggestionStatus.FOLLOW_UP, SuggestionStatus.CLOSED):
        commitments = Commitment.objects.filter(
            reply__assignment__suggestion=suggestion, reply__status=ReplyStatus.RELEASED
        ).select_related("reply__assignment__unit", "reply")
        to_confirm = [c for c in commitments if commitment_due_for_confirmation(c)]
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
        "to_confirm": to_confirm,
        "delivery_form": DeliveryForm() if to_confirm else None,
    }
