"""Reads for consultations and plans, each through the reader's visibility."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ActionNotFound
from suggestions.models import Assignment
from suggestions.selectors import suggestions_visible_to

from .models import Consultation, HandlingPlan, PlanStep


def consultations_visible_to(user: User | None) -> QuerySet[Consultation]:
    """The asking deputy, the consulted unit and staff; nobody else (a draft is private)."""
    qs = Consultation.objects.select_related("unit", "suggestion", "asked_by", "answered_by")
    if user is None or not user.is_authenticated:
        return qs.none()
    if user.is_office_staff:
        return qs
    if user.is_unit_user:
        return qs.filter(unit_id=user.unit_id)
    if user.is_deputy:
        return qs.filter(Q(asked_by=user) | Q(suggestion__lead_deputy=user))
    return qs.none()


def consultation_list(user: User | None, *, open_only: bool = False, pk: int | None = None) -> QuerySet[Consultation]:
    """The consultations page's rows: the visible ones, optionally only unanswered or only one."""
    qs = consultations_visible_to(user)
    if open_only:
        qs = qs.filter(answered_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs


def get_consultation_for(user: User | None, pk) -> Consultation:
    try:
        return consultations_visible_to(user).get(pk=int(pk))
    except (Consultation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise ActionNotFound(_("Not found.")) from None


def consultations_of(suggestion, user: User | None) -> QuerySet[Consultation]:
    return consultations_visible_to(user).filter(suggestion=suggestion)


def plans_of(suggestion, user: User | None, *, visible: bool | None = None) -> QuerySet[HandlingPlan]:
    """Plans of the suggestion's lead assignments, for anyone who may see the suggestion's record;
    `visible` is whether `user` may, where the caller knows it already (the detail page)."""
    if visible is None:
        visible = suggestions_visible_to(user).filter(pk=suggestion.pk).exists()
    if not visible:
        return HandlingPlan.objects.none()
    return (
        HandlingPlan.objects.filter(assignment__suggestion=suggestion)
        .select_related("assignment__unit", "recorded_by")
        .prefetch_related("steps")
    )


def plan_for_assignment(assignment: Assignment) -> HandlingPlan | None:
    return HandlingPlan.objects.filter(assignment=assignment).prefetch_related("steps").first()


def get_plan_step_for(user: User | None, pk) -> PlanStep:
    from suggestions.selectors import assignments_visible_to

    try:
        return PlanStep.objects.select_related("plan__assignment__unit", "plan__assignment__suggestion").get(
            pk=int(pk), plan__assignment__in=assignments_visible_to(user)
        )
    except (PlanStep.DoesNotExist, ValueError, TypeError, OverflowError):
        raise ActionNotFound(_("Not found.")) from None
