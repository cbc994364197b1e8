"""Listeners on the suggestion's timeline: they run inside the transaction that wrote the event."""

from __future__ import annotations

from django.utils import timezone

from suggestions.models import Assignment, AssignmentRole


def open_plan_deadline_on_sign(sender, event, **kwargs) -> None:
    if event.action != "sign":
        return
    assignment = (
        Assignment.objects.select_related("unit", "suggestion").filter(pk=event.detail.get("assignment")).first()
    )
    if assignment is None or assignment.role != AssignmentRole.LEAD:
        return
    from .services import plan_deadline_open

    plan_deadline_open(assignment=assignment, signed_on=timezone.localdate(event.at))
