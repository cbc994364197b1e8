"""Fixtures for supervision tests: a suggestion of alice assigned to water (lead) and finance (co)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from suggestions.models import Suggestion
from testing.factories import suggestion_in_state


@pytest.fixture
def make_suggestion(cast):
    """alice's suggestion in `state` (handling by default, water the only unit), reached through the
    services like every other state; `session` defaults to 2026."""

    def make(session=None, *, title="关于南冲电排站改造的建议", state="handling", repeat_of=None) -> Suggestion:
        return suggestion_in_state(state, cast=cast, session=session, title=title, co_unit=False, repeat_of=repeat_of)

    return make


@pytest.fixture
def drainage(cast):
    """alice's suggestion, co-signed by bob, led by water (henry/hannah), co-handled by finance, in handling:
    reached through the services like every other state."""
    return suggestion_in_state("handling", cast=cast, co_signers=[cast.bob], title="关于南冲电排站改造的建议")


def replied_suggestion(*, alice, sam, henry, hannah, water, session, title="关于南冲电排站改造的建议"):
    """A suggestion driven through the core services to `replied` with water as its only lead unit."""
    from suggestions import services as core

    s = core.suggestion_create(
        author=alice, title=title, body="南冲电排站年久失修，汛期排涝能力不足。", session=session
    )
    core.suggestion_submit(suggestion=s, actor=alice)
    core.suggestion_accept(suggestion=s, actor=sam)
    core.suggestion_assign(suggestion=s, actor=sam, lead_units=[water])
    a = s.assignments.get()
    core.assignment_sign(assignment=a, actor=henry)
    core.contact_log(
        assignment=a, actor=henry, phase="before", method="meeting", met_by="head",
        contacted_at=timezone.now(), summary="上门沟通",
    )  # fmt: skip
    reply_again(s, henry=henry, hannah=hannah)
    s.refresh_from_db()
    return s


def reply_again(suggestion, *, henry, hannah, result_class="A"):
    from suggestions import services as core

    a = suggestion.assignments.get(unit=henry.unit)
    core.reply_draft(assignment=a, actor=henry, body="已完成改造。", result_class=result_class, adoption="adopted")
    core.reply_approve(assignment=a, actor=hannah)
    suggestion.refresh_from_db()


def close_unsatisfied(suggestion, *, alice, sam, henry, hannah):
    """Two rounds rated unsatisfied, then staff close after the face-to-face meeting."""
    from suggestions import services as core

    core.suggestion_evaluate(
        suggestion=suggestion, actor=alice, attitude="satisfied", result="unsatisfied", comment="没解决"
    )
    suggestion.refresh_from_db()
    reply_again(suggestion, henry=henry, hannah=hannah)
    core.suggestion_evaluate(
        suggestion=suggestion, actor=alice, attitude="satisfied", result="unsatisfied", comment="仍未解决"
    )
    suggestion.refresh_from_db()
    core.suggestion_close(suggestion=suggestion, actor=sam, note="已面对面沟通")
    suggestion.refresh_from_db()


@pytest.fixture
def replied(alice, sam, henry, hannah, water, session_2026):
    return replied_suggestion(alice=alice, sam=sam, henry=henry, hannah=hannah, water=water, session=session_2026)
