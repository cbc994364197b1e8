"""Issue 12, findings 7 (part) and 9 (part): links only to suggestions the caller may see, no
commitment fulfilled before its reply is signed off, and API user creation runs every password
validator, the similarity one included."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from suggestions import services
from suggestions.models import AssignmentRole, Commitment, Suggestion
from testing.factories import draft, suggestion_in_state

pytestmark = pytest.mark.django_db


def _draft(author, session, **kw):
    return services.suggestion_create(
        author=author, title="关于整治河道的建议", body="河道淤塞。", session=session, **kw
    )


@pytest.mark.parametrize("field", ["repeat_of", "follows_up"])
def test_links_to_a_hidden_suggestion_answer_like_a_missing_id(field, alice, bob, session_2026, api):
    hidden = _draft(bob, session_2026)  # bob's draft: alice may not see it
    missing = Suggestion.objects.order_by("-pk").first().pk + 1000
    c = api(alice)
    body = {"title": "关于整治河道的建议", "body": "河道淤塞。", "session": session_2026.pk}
    answers = []
    for target in (hidden.pk, missing):
        response = c.post("/api/v1/suggestions/", {**body, field: target}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {field}
        answers.append(response.json()[field])
    assert answers[0] == answers[1], "a hidden id must be indistinguishable from a missing one"
    assert not Suggestion.objects.filter(lead_deputy=alice).exists()

    own = _draft(alice, session_2026)
    response = c.patch(f"/api/v1/suggestions/{own.pk}/", {field: hidden.pk}, format="json")
    assert response.status_code == 400 and response.json()[field] == answers[0]
    assert getattr(Suggestion.objects.get(pk=own.pk), f"{field}_id") is None


def test_links_to_own_earlier_suggestion_are_accepted(alice, session_2026, api):
    earlier = _draft(alice, session_2026)
    body = {"title": "关于整治河道的建议", "body": "河道淤塞。", "session": session_2026.pk, "repeat_of": earlier.pk}
    response = api(alice).post("/api/v1/suggestions/", body, format="json")
    assert response.status_code == 201
    assert response.json()["repeat_of"] == earlier.pk


def test_service_refuses_a_hidden_link_too(alice, bob, session_2026):
    from common.errors import ActionInvalid

    hidden = _draft(bob, session_2026)
    with pytest.raises(ActionInvalid):
        _draft(alice, session_2026, repeat_of=hidden)


def test_commitment_cannot_be_fulfilled_before_sign_off(alice, sam, henry, water, session_2026, api):
    s = _draft(alice, session_2026)
    services.suggestion_submit(suggestion=s, actor=alice)
    services.suggestion_accept(suggestion=s, actor=sam)
    services.suggestion_assign(suggestion=s, actor=sam, lead_units=[water])
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    services.assignment_sign(assignment=lead, actor=henry)
    services.contact_log(
        assignment=lead, actor=henry, phase="before", method="phone", met_by="division",
        contacted_at=timezone.now(), summary="电话沟通",
    )  # fmt: skip
    services.reply_draft(
        assignment=lead, actor=henry, body="正在推进。", result_class="B", adoption="adopted",
        commitments=[{"description": "年底前完成清淤", "target_date": timezone.localdate() + dt.timedelta(days=90)}],
    )  # fmt: skip
    commitment = Commitment.objects.get(reply__assignment=lead)
    response = api(henry).post(f"/api/v1/commitments/{commitment.pk}/fulfil/", {"note": "已完成"}, format="json")
    assert response.status_code == 409
    commitment.refresh_from_db()
    assert commitment.fulfilled_at is None
    assert not s.events.filter(action="commitment_fulfilled").exists()


@pytest.mark.parametrize(
    ("username", "full_name", "password"),
    [("wangxiaoming", "王小明", "wangxiaoming1"), ("lijun", "lijun2026abc", "lijun2026abc!")],
)
def test_user_creation_refuses_a_password_like_the_user(username, full_name, password, sam, api):
    response = api(sam).post(
        "/api/v1/users/",
        {"username": username, "password": password, "full_name": full_name, "role": "deputy"},
        format="json",
    )
    assert response.status_code == 400
    assert "password" in response.json()
    from accounts.models import User

    assert not User.objects.filter(username=username).exists()


def test_user_creation_accepts_a_strong_password(sam, api):
    response = api(sam).post(
        "/api/v1/users/",
        {"username": "wangxiaoming", "password": "Tq7#vL9pRz2w", "full_name": "王小明", "role": "deputy"},
        format="json",
    )
    assert response.status_code == 201


@time_machine.travel(dt.datetime(2026, 3, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_key_item_page_lists_only_the_suggestions_its_reader_may_open(cast, client):
    """A key item groups suggestions of several units; each unit sees its own, not the others' titles."""
    from suggestions import services as core
    from supervision import services as supervision

    ours = suggestion_in_state("handling", cast=cast, title="关于改造南冲电排站的建议")
    theirs = draft(cast, title="关于保密事项的建议", lead=cast.carol, confidential=True)
    core.suggestion_submit(suggestion=theirs, actor=cast.carol)
    core.suggestion_accept(suggestion=theirs, actor=cast.sam)
    core.suggestion_assign(suggestion=theirs, actor=cast.sam, lead_units=[cast.education])
    item = supervision.key_item_create(
        actor=cast.sam, year=2026, topic="排涝设施", suggestions=[ours, theirs], leaders=[cast.victor]
    )
    client.force_login(cast.henry)
    page = client.get(f"/supervision/key-items/{item.pk}/").content.decode()
    assert "关于改造南冲电排站的建议" in page
    assert "关于保密事项的建议" not in page
    client.force_login(cast.sam)
    assert "关于保密事项的建议" in client.get(f"/supervision/key-items/{item.pk}/").content.decode()
