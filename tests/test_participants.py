"""Issue 12, finding 3 (and the declined co-signer of finding 7): only a suggestion's participants
read its internal record; anyone else sees exactly the public view of a published suggestion.

Participants (SPEC section 8): the lead deputy, co-signers who did not decline, units with a live
assignment, staff, supervisors attached to it (or leading a key item holding it). Others: its
public page and public representation; every sub-resource is a 404.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from conftest import make_user
from suggestions import selectors, services
from suggestions.models import Assignment, AssignmentRole
from supervision import services as supervision

pytestmark = pytest.mark.django_db

PHONE = "13800001234"
EVALUATION_COMMENT = "答复内容空泛未落实"
EXTENSION_REASON = "涉及征地须延期处理"
CONTACT_SUMMARY = "电话沟通办理思路细节"


@pytest.fixture
def dora(db):
    return make_user("dora", Role.DEPUTY, full_name="窦拉")


@pytest.fixture
def vera(db):
    return make_user("vera", Role.SUPERVISOR, full_name="韦拉")


@pytest.fixture
def published(alice, bob, carol, sam, henry, hannah, ivan, water, finance, vera, session_2026, category):
    """alice's suggestion, bob confirmed, carol declined; water leads, finance co-handles; vera
    supervises it; released public reply with a contact phone, an evaluation, a file, a request."""
    s = services.suggestion_create(
        author=alice, title="关于改造南冲电排站的建议", body="南冲电排站年久失修。", session=session_2026,
        category=category, co_signers=[bob.pk, carol.pk],
        attachments=[SimpleUploadedFile("现场照片.pdf", b"%PDF-1.4 test", content_type="application/pdf")],
    )  # fmt: skip
    services.suggestion_cosign(suggestion=s, actor=bob, accept=True)
    services.suggestion_cosign(suggestion=s, actor=carol, accept=False)
    services.suggestion_submit(suggestion=s, actor=alice)
    services.suggestion_accept(suggestion=s, actor=sam)
    services.suggestion_assign(suggestion=s, actor=sam, lead_units=[water], co_units=[finance])
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    co = s.assignments.get(role=AssignmentRole.CO)
    services.assignment_sign(assignment=lead, actor=henry)
    services.assignment_sign(assignment=co, actor=ivan)
    services.contact_log(
        assignment=lead, actor=henry, phase="before", method="phone", met_by="division",
        contacted_at=timezone.now(), summary=CONTACT_SUMMARY,
    )  # fmt: skip
    services.assignment_request_return(assignment=co, actor=ivan, reason=EXTENSION_REASON)
    services.reply_draft(
        assignment=lead, actor=henry, body="已列入年度计划。", result_class="A", adoption="adopted", public=True,
        contact_person="王科长", contact_phone=PHONE,
    )  # fmt: skip
    services.reply_approve(assignment=lead, actor=hannah)
    s.refresh_from_db()
    services.suggestion_evaluate(
        suggestion=s, actor=alice, attitude="satisfied", result="unsatisfied", comment=EVALUATION_COMMENT
    )
    supervision.supervisor_attach(suggestion=s, user=vera, actor=sam)
    s.refresh_from_db()
    assert selectors.published_suggestions().filter(pk=s.pk).exists()
    return s


def sub_resources(s) -> list[str]:
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    co = s.assignments.get(role=AssignmentRole.CO)
    return [
        f"/api/v1/suggestions/{s.pk}/timeline/",
        f"/api/v1/suggestions/{s.pk}/evaluations/",
        f"/api/v1/suggestions/{s.pk}/replies/",
        f"/api/v1/suggestions/{s.pk}/attachments/",
        f"/api/v1/suggestions/{s.pk}/repeat-chain/",
        f"/api/v1/assignments/{lead.pk}/",
        f"/api/v1/assignments/{lead.pk}/requests/",
        f"/api/v1/assignments/{lead.pk}/contacts/",
        f"/api/v1/assignments/{co.pk}/requests/",
    ]


def pages(s) -> list[str]:
    reply = s.assignments.get(role=AssignmentRole.LEAD).replies.get()
    attachment = s.attachments.first()
    return [
        f"/suggestions/{s.pk}/replies/{reply.pk}/",
        f"/attachments/{attachment.pk}/",
        f"/suggestions/{s.pk}/edit/",
        f"/suggestions/{s.pk}/assign/",
        f"/supervision/suggestions/{s.pk}/",
    ]


SECRETS = (PHONE, EVALUATION_COMMENT, EXTENSION_REASON, CONTACT_SUMMARY, "现场照片")


@pytest.mark.parametrize("who", ["dora", "carol", "victor"])
def test_non_participant_sees_only_the_public_view(who, published, api, client, request):
    user = request.getfixturevalue(who)
    c = api(user)
    for url in sub_resources(published):
        assert c.get(url).status_code == 404, (who, url)
    # The suggestion itself: the public representation, nothing internal in it.
    data = c.get(f"/api/v1/suggestions/{published.pk}/").json()
    assert data["title"] == published.title
    assert [x["status"] for x in data["co_signer_status"]] == ["confirmed"]
    text = c.get(f"/api/v1/suggestions/{published.pk}/").content.decode()
    assert not any(secret in text for secret in SECRETS)
    # The list gives the same public representation of it.
    listed = [r for r in c.get("/api/v1/suggestions/").json()["results"] if r["id"] == published.pk]
    assert listed and [x["status"] for x in listed[0]["co_signer_status"]] == ["confirmed"]
    # Lists of the internal record do not carry it either.
    assert c.get("/api/v1/assignments/").json()["results"] == []
    assert c.get(f"/api/v1/suggestion-supervisors/?suggestion={published.pk}").json()["results"] == []

    client.force_login(user)
    response = client.get(f"/suggestions/{published.pk}/")
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "suggestions/public_detail.html"
    html = response.content.decode()
    assert published.title in html
    assert not any(secret in html for secret in SECRETS), who
    for url in pages(published):
        assert client.get(url).status_code in (403, 404), (who, url)
    # Acting on it is a 404 too (an outsider learns nothing more by posting).
    assert c.post(f"/api/v1/suggestions/{published.pk}/evaluate/", {}, format="json").status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob", "sam", "henry", "ivan", "vera"])
def test_participants_read_the_whole_record(who, published, api, client, request):
    user = request.getfixturevalue(who)
    c = api(user)
    for url in (f"/api/v1/suggestions/{published.pk}/timeline/", f"/api/v1/suggestions/{published.pk}/evaluations/"):
        assert c.get(url).status_code == 200, (who, url)
    client.force_login(user)
    response = client.get(f"/suggestions/{published.pk}/")
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "suggestions/detail.html"


def test_declined_co_signer_is_not_a_participant(published, carol, bob):
    assert not selectors.suggestions_participated_by(carol).filter(pk=published.pk).exists()
    assert selectors.suggestions_participated_by(bob).filter(pk=published.pk).exists()


def test_declined_co_signer_loses_an_unpublished_suggestion(alice, carol, session_2026, api, client):
    s = services.suggestion_create(
        author=alice, title="关于修缮祠堂的建议", body="祠堂年久失修。", session=session_2026, co_signers=[carol.pk]
    )
    services.suggestion_cosign(suggestion=s, actor=carol, accept=False)
    assert api(carol).get(f"/api/v1/suggestions/{s.pk}/").status_code == 404
    client.force_login(carol)
    assert client.get(f"/suggestions/{s.pk}/").status_code == 404


def test_unit_whose_return_was_approved_is_not_a_participant(published, ivan, sam, api):
    co = published.assignments.get(role=AssignmentRole.CO)
    services.assignment_approve_return(assignment=co, actor=sam, note="")
    assert Assignment.objects.get(pk=co.pk).status == "returned"
    assert api(ivan).get(f"/api/v1/suggestions/{published.pk}/timeline/").status_code == 404
    assert api(ivan).get(f"/api/v1/assignments/{co.pk}/requests/").status_code == 404


def test_anonymous_sees_the_public_page_only(published, client, api):
    assert client.get(f"/public/{published.pk}/").status_code == 200
    assert client.get(f"/suggestions/{published.pk}/").status_code == 302
    assert api().get(f"/api/v1/suggestions/{published.pk}/timeline/").status_code in (401, 403)
