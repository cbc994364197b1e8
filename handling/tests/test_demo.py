"""The demo shows each of issue 15's practices filled in."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from handling.models import Consultation, HandlingPlan
from suggestions.models import Commitment, Deadline, DeadlineKind, Delivery, SuggestionStatus

pytestmark = pytest.mark.django_db


def test_demo_has_an_answered_consultation_a_plan_with_an_overdue_milestone_and_both_deliveries():
    call_command("load_demo", verbosity=0)
    assert Consultation.objects.filter(answered_at__isnull=False).exists()
    plan = HandlingPlan.objects.get(assignment__suggestion__title="关于扩宽礼睦路全路段工程的建议")
    assert plan.meeting_on is not None
    overdue = Deadline.objects.overdue(timezone.localdate()).filter(kind=DeadlineKind.PLAN_MILESTONE)
    assert overdue.filter(assignment=plan.assignment).count() == 1
    assert Commitment.objects.filter(delivery=Delivery.DELIVERED).count() == 1
    not_delivered = Commitment.objects.get(delivery=Delivery.NOT_DELIVERED)
    assert not_delivered.reply.assignment.suggestion.status == SuggestionStatus.FOLLOW_UP
    counts = (Consultation.objects.count(), HandlingPlan.objects.count(), Commitment.objects.count())
    call_command("load_demo", verbosity=0)
    assert (Consultation.objects.count(), HandlingPlan.objects.count(), Commitment.objects.count()) == counts
