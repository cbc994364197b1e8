"""The HTML pages: who sees what, what is offered, what is refused, and fixed query counts on lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from suggestions import services
from suggestions.models import AssignmentRole, AssignmentStatus, Suggestion, SuggestionStatus
from suggestions.views.actions import ASSIGNMENT_ACTIONS, SUGGESTION_ACTIONS

from . import web_helpers
from .web_helpers import client_for

make_suggestion = web_helpers.make_suggestion  # the fixture, used by name below

pytestmark = pytest.mark.django_db


def detail_url(s):
    return reverse("suggestion_detail", args=[s.pk])


def act_url(s, action):
    return reverse("suggestion_action", args=[s.pk, action])


def assignment_url(a, action):
    return reverse("assignment_action", args=[a.pk, action])


# --- every role's home page ----------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_home_shows_each_role_what_needs_attention(make_suggestion, alice, bob, henry, hannah, sam, victor):
    draft = make_suggestion("draft")
    assert draft.title in client_for(bob).get("/").content.decode()  # invitation to co-sign
    replied = make_suggestion("replied", title="关于整治河涌的建议")
    page = client_for(alice).get("/").content.decode()
    assert replied.title in page and f"{detail_url(replied)}#evaluate" in page
    assigned = make_suggestion("assigned", title="关于修缮校舍的建议")
    unit_page = client_for(henry).get("/")
    assert unit_page.status_code == 200 and assigned.title in unit_page.content.decode()
    assert client_for(hannah).get("/").status_code == 200
    make_suggestion("submitted", title="关于增设公交线路的建议")
    staff_page = client_for(sam).get("/").content.decode()
    assert "关于增设公交线路的建议" in staff_page and 'data-count="intake">1<' in staff_page
    assert client_for(victor).get("/").status_code == 200


# --- visibility ------------------------------------------------------------------------------


def test_a_unit_cannot_open_another_units_suggestion(make_suggestion, oscar, henry, carol):
    s = make_suggestion("assigned")
    assert client_for(henry).get(detail_url(s)).status_code == 200
    assert client_for(oscar).get(detail_url(s)).status_code == 404
    assert client_for(carol).get(detail_url(s)).status_code == 404
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    assert client_for(oscar).post(assignment_url(lead, "sign")).status_code == 404
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.PENDING


# --- actions offered only when allowed, refused when posted anyway ----------------------------


def test_staff_sees_intake_actions_only_while_submitted(make_suggestion, sam):
    s = make_suggestion("submitted")
    page = client_for(sam).get(detail_url(s)).content.decode()
    for action in ("accept", "reject", "return", "merge"):
        assert f'data-action="{action}"' in page
    s = make_suggestion("registered", title="另一条建议")
    page = client_for(sam).get(detail_url(s)).content.decode()
    assert 'data-action="accept"' not in page and 'data-action="assign"' in page


def test_posting_an_action_that_is_not_offered_is_refused(make_suggestion, sam, alice):
    s = make_suggestion("registered")
    response = client_for(sam).post(act_url(s, "accept"), follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("registered" in m.lower() or "已立案" in m or "Registered" in m for m in messages), messages
    s.refresh_from_db()
    assert s.status == SuggestionStatus.REGISTERED and s.number == 1
    # A deputy posting a staff action gets 403, and nothing changes.
    other = make_suggestion("submitted", title="第二条")
    assert client_for(alice).post(act_url(other, "accept")).status_code == 403
    other.refresh_from_db()
    assert other.status == SuggestionStatus.SUBMITTED


def test_unknown_action_is_404(make_suggestion, sam):
    s = make_suggestion("submitted")
    assert client_for(sam).post(act_url(s, "teleport")).status_code == 404


def test_handler_is_not_offered_sign_off_but_head_is(make_suggestion, henry, hannah):
    s = make_suggestion("handling")
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    services.contact_log(assignment=lead, actor=henry, phase="before", method="phone", met_by="staff",
                         contacted_at=timezone.now(), summary="电话")  # fmt: skip
    services.reply_draft(assignment=lead, actor=henry, body="答复正文", result_class="A", adoption="adopted")
    assert 'data-action="approve_reply"' not in client_for(henry).get(detail_url(s)).content.decode()
    assert 'data-action="approve_reply"' in client_for(hannah).get(detail_url(s)).content.decode()
    assert client_for(henry).post(assignment_url(lead, "approve_reply")).status_code == 403
    response = client_for(hannah).post(assignment_url(lead, "approve_reply"))
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == SuggestionStatus.REPLIED


# --- forms keep input and show errors next to the field -------------------------------------


def test_new_suggestion_form_keeps_input_and_marks_the_field(alice, session_2026, category):
    response = client_for(alice).post(
        reverse("suggestion_create"), {"title": "", "body": "保留的正文", "session": session_2026.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "保留的正文" in html
    assert 'data-field-error="title"' in html and 'data-field-error="body"' not in html
    assert not Suggestion.objects.exists()


def test_new_suggestion_with_cosigner_and_attachment(alice, bob, session_2026, category, water):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(alice).post(
        reverse("suggestion_create"),
        {
            "title": "关于加强河道保洁的建议",
            "body": "正文",
            "session": session_2026.pk,
            "category": category.pk,
            "co_signers": [bob.pk],
            "suggested_unit": water.pk,
            "during_session": "on",
            "attachments": [SimpleUploadedFile("现场照片.png", b"\x89PNG....", content_type="image/png")],
            "save": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    s = Suggestion.objects.get()
    assert response.url == detail_url(s)
    assert s.status == SuggestionStatus.DRAFT and s.suggested_unit == water
    assert list(s.co_signers.all()) == [bob] and s.attachments.get().name == "现场照片.png"


def test_attachment_of_wrong_type_is_an_error_next_to_the_field(alice, session_2026):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(alice).post(
        reverse("suggestion_create"),
        {"title": "标题", "body": "正文", "session": session_2026.pk,
         "attachments": [SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")]},
    )  # fmt: skip
    assert response.status_code == 400
    assert 'data-field-error="attachments"' in response.content.decode()
    assert not Suggestion.objects.exists()


def test_reject_without_reason_reopens_the_form_with_the_error(make_suggestion, sam):
    s = make_suggestion("submitted")
    response = client_for(sam).post(act_url(s, "reject"), {"reject-reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-action-panel="reject" open' in html and 'data-field-error="reject-reason"' in html
    s.refresh_from_db()
    assert s.status == SuggestionStatus.SUBMITTED


def test_unsatisfied_rating_needs_a_comment(make_suggestion, alice):
    s = make_suggestion("replied")
    response = client_for(alice).post(
        act_url(s, "evaluate"), {"evaluate-attitude": "satisfied", "evaluate-result": "unsatisfied"}
    )
    assert response.status_code == 400 and 'data-field-error="evaluate-comment"' in response.content.decode()
    response = client_for(alice).post(
        act_url(s, "evaluate"),
        {"evaluate-attitude": "satisfied", "evaluate-result": "unsatisfied", "evaluate-comment": "未解决"},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == SuggestionStatus.REHANDLING


def test_extension_beyond_six_months_is_a_field_error(make_suggestion, henry):
    s = make_suggestion("handling")
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    far = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    prefix = f"request_extension-{lead.pk}"
    response = client_for(henry).post(
        assignment_url(lead, "request_extension"), {f"{prefix}-reason": "需要更多时间", f"{prefix}-due_date": far}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-field-error="{prefix}-due_date"' in html and "需要更多时间" in html


def test_assign_form_type_ahead_and_errors(make_suggestion, sam, water, finance):
    s = make_suggestion("registered")
    url = reverse("suggestion_assign", args=[s.pk])
    page = client_for(sam).get(url).content.decode()
    assert 'data-filter-for="id_lead_units"' in page
    response = client_for(sam).post(url, {"lead_units": [water.pk], "co_units": [water.pk]})
    assert response.status_code == 400 and 'data-field-error="co_units"' in response.content.decode()
    response = client_for(sam).post(url, {"co_units": [finance.pk]})
    assert response.status_code == 400 and 'data-field-error="lead_units"' in response.content.decode()
    response = client_for(sam).post(
        url, {"lead_units": [water.pk], "co_units": [finance.pk], "complex": "on", "due_date": "2026-01-05"}
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == SuggestionStatus.ASSIGNED and s.complex
    assert s.assignments.get(role=AssignmentRole.LEAD).due_date == dt.date(2026, 1, 5)


def test_deputy_disputes_a_contact(make_suggestion, alice, henry):
    s = make_suggestion("replied")
    contact = s.assignments.get(role=AssignmentRole.LEAD).contacts.get()
    page = client_for(alice).get(detail_url(s)).content.decode()
    assert reverse("contact_dispute", args=[contact.pk]) in page
    response = client_for(alice).post(
        reverse("contact_dispute", args=[contact.pk]), {f"dispute-{contact.pk}-note": "没有接到电话"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.disputed and contact.dispute_note == "没有接到电话"
    assert (
        client_for(henry)
        .post(reverse("contact_dispute", args=[contact.pk]), {f"dispute-{contact.pk}-note": "x"})
        .status_code
        == 403
    )


def test_staff_decide_an_extension_from_the_queue(make_suggestion, henry, sam):
    s = make_suggestion("handling")
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    new_due = lead.due_date + dt.timedelta(days=20)
    services.assignment_request_extension(assignment=lead, actor=henry, reason="需协调", due_date=new_due)
    page = client_for(sam).get(reverse("request_queue")).content.decode()
    assert "需协调" in page and 'data-action="approve_extension"' in page
    response = client_for(sam).post(
        assignment_url(lead, "approve_extension"), {"next": "requests", f"approve_extension-{lead.pk}-note": ""}
    )
    assert response.status_code == 302 and response.url == reverse("request_queue")
    lead.refresh_from_db()
    assert lead.due_date == new_due


def test_reply_letter_prints_the_released_reply(make_suggestion, alice, oscar):
    s = make_suggestion("replied")
    reply = s.assignments.get(role=AssignmentRole.LEAD).replies.get()
    url = reverse("reply_letter", args=[s.pk, reply.pk])
    response = client_for(alice).get(url)
    assert response.status_code == 200 and "已列入年度计划。" in response.content.decode()
    assert client_for(oscar).get(url).status_code == 404


def test_language_switch_renders_english(alice):
    client = client_for(alice)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "My suggestions" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_password_change(alice):
    from conftest import PASSWORD

    client = client_for(alice)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Longer-pass-2026", "new_password2": "Longer-pass-2026"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Longer-pass-2026")


# --- query counts on list pages: fixed whatever the number of rows -------------------------


def _count(client, url, django_assert_num_queries, n):
    with django_assert_num_queries(n):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("rows", [1, 4])
def test_list_pages_have_fixed_query_counts(rows, make_suggestion, alice, henry, sam, django_assert_num_queries):
    for i in range(rows):
        make_suggestion("handling", title=f"建议{i}")
        make_suggestion("submitted", title=f"待审{i}")
    s = Suggestion.objects.filter(status=SuggestionStatus.HANDLING).first()
    services.assignment_request_extension(
        assignment=s.assignments.get(role=AssignmentRole.LEAD), actor=henry, reason="r",
        due_date=s.assignments.get(role=AssignmentRole.LEAD).due_date + dt.timedelta(days=5),
    )  # fmt: skip
    deputy, unit, staff = client_for(alice), client_for(henry), client_for(sam)
    # Each count includes session, user and the notification bell; the rest is the page's own
    # (count, rows, one prefetch per relation, and the filter form's choice lists).
    # (A deputy's and a unit's visibility first reads their committees' categories: one small query.)
    _count(deputy, "/", django_assert_num_queries, 10)
    _count(deputy, reverse("my_suggestions"), django_assert_num_queries, 8)
    _count(unit, "/", django_assert_num_queries, 6)
    # The inbox page: 6, was 7 before the page took its count from the tab counts.
    _count(unit, reverse("inbox") + "?tab=handling", django_assert_num_queries, 6)
    _count(staff, "/", django_assert_num_queries, 7)
    _count(staff, reverse("suggestion_list"), django_assert_num_queries, 10)
    _count(staff, reverse("suggestion_list") + "?status=handling&q=建议", django_assert_num_queries, 10)
    _count(staff, reverse("intake"), django_assert_num_queries, 7)
    _count(staff, reverse("request_queue"), django_assert_num_queries, 5)
    # The old overview address leads to the dashboards, which pin their own counts.
    assert staff.get(reverse("overview")).url == reverse("dashboards:overview")


def test_lead_unit_reads_the_co_units_opinion_but_the_co_unit_sees_only_its_share(make_suggestion, henry, ivan):
    s = make_suggestion("handling")
    co = s.assignments.get(role=AssignmentRole.CO)
    services.opinion_send(assignment=co, actor=ivan, body="财政局同意安排配套资金。")
    assert "财政局同意安排配套资金。" in client_for(henry).get(detail_url(s)).content.decode()
    page = client_for(ivan).get(detail_url(s)).content.decode()
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    assert f'data-assignment="{lead.pk}"' not in page and f'data-assignment="{co.pk}"' in page


@pytest.mark.parametrize("action", sorted(SUGGESTION_ACTIONS))
def test_outsiders_get_404_for_every_suggestion_action(action, make_suggestion, carol, oscar):
    s = make_suggestion("handling")
    for outsider in (carol, oscar):
        assert client_for(outsider).post(act_url(s, action), {}).status_code == 404


@pytest.mark.parametrize("action", sorted(ASSIGNMENT_ACTIONS))
def test_outsiders_get_404_for_every_assignment_action(action, make_suggestion, carol, oscar):
    s = make_suggestion("handling")
    lead = s.assignments.get(role=AssignmentRole.LEAD)
    before = list(s.events.values_list("pk", flat=True))
    for outsider in (carol, oscar):
        assert client_for(outsider).post(assignment_url(lead, action), {}).status_code == 404
    assert list(s.events.values_list("pk", flat=True)) == before


def test_staff_return_merge_and_deputy_withdraw_through_the_pages(make_suggestion, sam, alice, bob):
    first = make_suggestion("registered", title="先提出的建议")
    s = make_suggestion("submitted")
    staff = client_for(sam)
    assert staff.post(act_url(s, "return"), {"return-reason": "请补充具体措施。"}).status_code == 302
    s.refresh_from_db()
    assert s.status == SuggestionStatus.DRAFT and s.reason == "请补充具体措施。"
    assert "请补充具体措施。" in client_for(alice).get(detail_url(s)).content.decode()
    services.suggestion_submit(suggestion=s, actor=alice)
    assert staff.post(act_url(s, "merge"), {"merge-into": first.pk}).status_code == 302
    s.refresh_from_db()
    assert s.status == SuggestionStatus.MERGED and s.merged_into == first
    # A joint suggestion is withdrawn once the co-signer consents; the button was offered all along.
    third = make_suggestion("registered", title="第三条")
    assert 'data-action="withdraw"' in client_for(alice).get(detail_url(third)).content.decode()
    client_for(alice).post(act_url(third, "withdraw"))
    third.refresh_from_db()
    assert third.status == SuggestionStatus.REGISTERED  # refused: bob has not consented
    assert client_for(bob).post(act_url(third, "consent_withdraw")).status_code == 302
    assert client_for(alice).post(act_url(third, "withdraw")).status_code == 302
    third.refresh_from_db()
    assert third.status == SuggestionStatus.WITHDRAWN
    # Repeating it is refused with a message, not an error page.
    response = client_for(alice).post(act_url(third, "withdraw"), follow=True)
    assert response.status_code == 200 and len(list(response.context["messages"])) == 1


def test_cosigner_declines(make_suggestion, bob, alice):
    s = make_suggestion("draft")
    assert client_for(bob).post(act_url(s, "cosign"), {"cosign-accept": "no"}).status_code == 302
    assert s.cosignatures.get().status == "declined"
    assert client_for(alice).post(act_url(s, "submit")).status_code == 302
    s.refresh_from_db()
    assert s.status == SuggestionStatus.SUBMITTED


def test_detail_shows_the_repeat_chain_when_the_matter_was_raised_before(make_suggestion, sam, session_2026):
    from suggestions.models import CongressSession

    earlier_session = CongressSession.objects.create(term=16, number=3, year=2025)
    earlier = make_suggestion("registered", title="关于南冲电排站的建议", session=earlier_session)
    later = make_suggestion("submitted", title="再次关于南冲电排站的建议")
    Suggestion.objects.filter(pk=later.pk).update(repeat_of=earlier)  # the link the supervision app records
    page = client_for(sam).get(detail_url(later)).content.decode()
    assert f'id="repeat-chain-{later.pk}"' in page and "2025" in page
    assert (
        f'id="repeat-chain-{earlier.pk}"'
        not in client_for(sam).get(detail_url(make_suggestion("draft"))).content.decode()
    )


def test_staff_are_offered_an_urge_notice_for_open_assignments_only(make_suggestion, sam, henry):
    s = make_suggestion("assigned")
    pending = s.assignments.get(role=AssignmentRole.LEAD)
    urge_url = f"/notifications/urge/{pending.pk}/"
    assert urge_url in client_for(sam).get(detail_url(s)).content.decode()
    assert urge_url not in client_for(henry).get(detail_url(s)).content.decode()
    replied = make_suggestion("replied", title="已答复的建议")
    lead = replied.assignments.get(role=AssignmentRole.LEAD)
    assert f"/notifications/urge/{lead.pk}/" not in client_for(sam).get(detail_url(replied)).content.decode()


# Pinned (issue 13): session, user, the reader's committees' categories (not for staff or units) and
# the suggestion with the reader's participation and supervision decided in the same query, then the
# page's own reads and the notification bell. Was 29 for a deputy, 25 for a unit and 19 for staff:
# the participation check ran four times per request and the deputy's committees' categories were
# read five times; the supervision panel asked again whether a unit takes part.
DETAIL_QUERIES = {"alice": 20, "henry": 20, "sam": 18}


@pytest.mark.parametrize("who", sorted(DETAIL_QUERIES))
def test_detail_page_decides_access_once_in_a_fixed_number_of_queries(
    who, make_suggestion, request, django_assert_num_queries
):
    s = make_suggestion("handling", title="关于整治河涌的建议")
    reader = client_for(request.getfixturevalue(who))
    reader.get(detail_url(s))
    response = _count(reader, detail_url(s), django_assert_num_queries, DETAIL_QUERIES[who])
    assert s.title in response.content.decode()
