"""Publication (SPEC section 8): anyone can list, search and read non-confidential suggestions with
their released public replies; nothing else, and no deputy's contact details."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import DeputyProfile
from suggestions import services
from suggestions.models import AssignmentRole, Suggestion

from .web_helpers import make_suggestion  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def replied_privately(make, title: str, henry, hannah) -> Suggestion:
    """Handled up to a signed reply that the unit did not release for publication."""
    suggestion = make("handling", title=title)
    lead = suggestion.assignments.get(role=AssignmentRole.LEAD)
    services.contact_log(
        assignment=lead, actor=henry, phase="before", method="phone", met_by="staff",
        contacted_at=lead.assigned_at, summary="电话沟通。",
    )  # fmt: skip
    services.reply_draft(
        assignment=lead, actor=henry, body="内部答复内容。", result_class="D", adoption="explained", public=False
    )
    services.reply_approve(assignment=lead, actor=hannah)
    return suggestion


@pytest.fixture
def published(make_suggestion, alice, henry, hannah):  # noqa: F811
    DeputyProfile.objects.update_or_create(user=alice, defaults={"phone": "13800000001", "card_number": "JM-0042"})
    shown = make_suggestion("replied", title="关于尽快建设南冲电排站的建议")
    lead = shown.assignments.get(role=AssignmentRole.LEAD)
    reply = lead.replies.get()
    reply.contact_person, reply.contact_phone = "王科长", "0750-3999999"
    reply.save(update_fields=["contact_person", "contact_phone"])
    confidential = make_suggestion("replied", title="关于涉密事项的建议")
    Suggestion.objects.filter(pk=confidential.pk).update(confidential=True)
    return {
        "shown": shown,
        "confidential": confidential,
        "private_reply": replied_privately(make_suggestion, "关于内部事项的建议", henry, hannah),
        "handling": make_suggestion("handling", title="关于正在办理事项的建议"),
        "draft": make_suggestion("draft", title="关于草稿事项的建议"),
    }


def test_anyone_lists_only_published_suggestions(published):
    html = Client().get(reverse("public_list")).content.decode()
    assert published["shown"].title in html
    for hidden in ("confidential", "private_reply", "handling", "draft"):
        assert published[hidden].title not in html, hidden
    found = Client().get(reverse("public_list"), {"q": "电排站"}).content.decode()
    assert reverse("public_detail", args=[published["shown"].pk]) in found and "<mark>电排站</mark>" in found
    assert published["shown"].title not in Client().get(reverse("public_list"), {"q": "不存在"}).content.decode()


def test_the_public_page_shows_the_reply_but_no_contact_details(published):
    shown = published["shown"]
    response = Client().get(reverse("public_detail", args=[shown.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert shown.title in html and "已列入年度计划。" in html and shown.display_number in html
    for private in ("13800000001", "JM-0042", "0750-3999999", "王科长", "电话沟通办理思路"):
        assert private not in html, private


def test_what_is_not_published_is_a_404_even_for_the_curious(published):
    for hidden in ("confidential", "private_reply", "handling", "draft"):
        assert Client().get(reverse("public_detail", args=[published[hidden].pk])).status_code == 404, hidden


def test_the_login_page_leads_to_the_published_list(published):
    assert reverse("public_list") in Client().get(reverse("login")).content.decode()


def test_public_list_queries_do_not_grow_with_the_page(make_suggestion):  # noqa: F811
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(reverse("public_list")).status_code == 200
        return len(queries)

    make_suggestion("replied", title="关于第一件事的建议")
    one = count()
    for i in range(4):
        make_suggestion("replied", title=f"关于第{i + 2}件事的建议")
    assert count() == one
