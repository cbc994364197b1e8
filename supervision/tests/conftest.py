"""Fixtures for supervision tests: a suggestion of alice assigned to water (lead) and finance (co)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from suggestions.models import Assignment, AssignmentRole, AssignmentStatus, CoSigner, CoSignerStatus, Suggestion


def make_suggestion(session, lead_deputy, *, title="关于南冲电排站改造的建议", status="handling", number=None, **kw):
    return Suggestion.objects.create(
        title=title,
        body=kw.pop("body", "南冲电排站年久失修，汛期排涝能力不足。建议尽快改造。"),
        session=session,
        lead_deputy=lead_deputy,
        status=status,
        number=number,
        **kw,
    )


def assign(suggestion, unit, role, by, status=AssignmentStatus.ACCEPTED):
    return Assignment.objects.create(
        suggestion=suggestion,
        unit=unit,
        role=role,
        status=status,
        assigned_at=timezone.now(),
        assigned_by=by,
        due_date=dt.date(2026, 6, 30),
        original_due_date=dt.date(2026, 6, 30),
    )


@pytest.fixture
def drainage(session_2026, category, alice, bob, water, finance, sam):
    """alice's suggestion, co-signed by bob, led by water (henry/hannah), co-handled by finance."""
    s = make_suggestion(session_2026, alice, category=category, number=1)
    CoSigner.objects.create(suggestion=s, deputy=bob, status=CoSignerStatus.CONFIRMED)
    assign(s, water, AssignmentRole.LEAD, sam)
    assign(s, finance, AssignmentRole.CO, sam)
    return s
