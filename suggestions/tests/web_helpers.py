"""Shared helpers for the web UI tests (view tests and browser tests).

Fixtures are imported into the test modules that use them, so this app's tests need no conftest
of their own next to the core's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from suggestions import services
from suggestions.models import AssignmentRole, Suggestion

STAGES = ["draft", "submitted", "registered", "assigned", "handling", "replied"]


def client_for(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        from django.conf import settings

        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def build(stage: str, *, lead, cosigner, staff, session, category, lead_unit=None, co_unit=None,
          handler=None, co_handler=None, head=None, title="关于尽快建设南冲电排站的建议") -> Suggestion:  # fmt: skip
    """A suggestion taken through the services up to `stage` (one of STAGES)."""
    upto = STAGES.index(stage)
    suggestion = services.suggestion_create(
        author=lead,
        title=title,
        body="礼乐农户长期受水浸困扰，建议尽快立项建设电排站。",
        session=session,
        category=category,
        co_signers=[cosigner.pk] if cosigner else [],
    )
    if upto >= 1:
        if cosigner:
            services.suggestion_cosign(suggestion=suggestion, actor=cosigner, accept=True)
        services.suggestion_submit(suggestion=suggestion, actor=lead)
    if upto >= 2:
        services.suggestion_accept(suggestion=suggestion, actor=staff)
    if upto >= 3:
        services.suggestion_assign(
            suggestion=suggestion, actor=staff, lead_units=[lead_unit], co_units=[co_unit] if co_unit else []
        )
    if upto >= 4:
        for assignment in suggestion.assignments.all():
            actor = handler if assignment.role == AssignmentRole.LEAD else co_handler
            services.assignment_sign(assignment=assignment, actor=actor)
    if upto >= 5:
        lead_assignment = suggestion.assignments.get(role=AssignmentRole.LEAD)
        services.contact_log(
            assignment=lead_assignment, actor=handler, phase="before", method="phone", met_by="staff",
            contacted_at=timezone.now() - dt.timedelta(hours=2), summary="电话沟通办理思路",
        )  # fmt: skip
        services.reply_draft(
            assignment=lead_assignment, actor=handler, body="已列入年度计划。", result_class="A", adoption="adopted"
        )
        services.reply_approve(assignment=lead_assignment, actor=head)
    suggestion.refresh_from_db()
    return suggestion


@pytest.fixture
def make_suggestion(alice, bob, sam, session_2026, category, water, finance, henry, ivan, hannah):
    def make(stage: str = "draft", **kw) -> Suggestion:
        params = {
            "lead": alice, "cosigner": bob, "staff": sam, "session": session_2026, "category": category,
            "lead_unit": water, "co_unit": finance, "handler": henry, "co_handler": ivan, "head": hannah,
        }  # fmt: skip
        params.update(kw)
        return build(stage, **params)

    return make
