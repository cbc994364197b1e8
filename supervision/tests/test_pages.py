"""The supervision pages for each role, their forms' errors, and pinned query counts on lists."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision import services
from supervision.models import Inspection, KeySuggestion, MonthlyReport, SuggestionSupervisor

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(drainage, sam, victor):
    return services.key_item_create(
        actor=sam, year=2026, topic="南冲电排站改造", suggestions=[drainage], leaders=[victor]
    )


def more_items(n, make_suggestion, sam, victor):
    for i in range(n):
        s = make_suggestion(title=f"关于第{i}件事的建议")
        it = services.key_item_create(actor=sam, year=2026, topic=f"事项{i}", suggestions=[s], leaders=[victor])
        services.inspection_create(actor=sam, kind="site_visit", held_on=dt.date.today(), key_item=it, report="r")


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_board_by_role(item, client, sam, victor, henry, alice):
    client.force_login(sam)
    page = client.get("/supervision/")
    assert page.status_code == 200 and "南冲电排站改造" in page.content.decode()
    assert "督办看板" in page.content.decode()  # Chinese by default
    client.force_login(victor)
    assert "南冲电排站改造" in client.get("/supervision/").content.decode()
    client.force_login(henry)
    assert client.get("/supervision/").url == "/supervision/unit/"
    client.force_login(alice)
    assert client.get("/supervision/").url == "/supervision/mine/"


def test_list_pages_and_endpoints_run_a_fixed_number_of_queries(
    item, drainage, session_2026, alice, sam, victor, water, henry, client, api, make_suggestion
):
    services.inspection_create(actor=sam, kind="site_visit", held_on=dt.date.today(), key_item=item, report="r")
    client.force_login(sam)
    urls = ["/supervision/", "/supervision/inspections/"]
    api_urls = ["/api/v1/key-items/", "/api/v1/inspections/", "/api/v1/follow-up-actions/", "/api/v1/monthly-reports/"]
    before = {u: count_queries(lambda u=u: client.get(u)) for u in urls}
    before_api = {u: count_queries(lambda u=u: api(sam).get(u)) for u in api_urls}
    more_items(3, make_suggestion, sam, victor)
    assert KeySuggestion.objects.count() == 4 and Inspection.objects.count() == 4
    for u in urls:
        assert count_queries(lambda u=u: client.get(u)) == before[u], u
    for u in api_urls:
        assert count_queries(lambda u=u: api(sam).get(u)) == before_api[u], u
    client.force_login(henry)
    n = count_queries(lambda: client.get("/supervision/unit/"))
    assert n <= 12


def test_key_item_page_by_role(item, client, sam, henry, ivan, oscar, alice, carol):
    for user in (sam, henry, ivan, alice):
        client.force_login(user)
        assert client.get(f"/supervision/key-items/{item.pk}/").status_code == 200
    for user in (oscar, carol):
        client.force_login(user)
        assert client.get(f"/supervision/key-items/{item.pk}/").status_code == 404
    client.force_login(henry)
    assert "报送本月情况" in client.get(f"/supervision/key-items/{item.pk}/").content.decode()


def test_key_item_form(drainage, client, sam, victor, henry):
    client.force_login(henry)
    assert client.get("/supervision/key-items/new/").status_code == 403
    client.force_login(sam)
    r = client.post("/supervision/key-items/new/", {"year": 2026, "topic": "", "suggestions": "abc"})
    assert r.status_code == 400 and r.context["form"].errors.keys() >= {"topic", "suggestions"}
    r = client.post(
        "/supervision/key-items/new/",
        {"year": 2026, "topic": "排涝", "suggestions": str(drainage.pk), "leaders": [victor.pk], "committee": "农工委"},
    )
    item = KeySuggestion.objects.get()
    assert r.status_code == 302 and r.url == f"/supervision/key-items/{item.pk}/"
    r = client.post("/supervision/key-items/new/", {"year": 2026, "topic": "排涝2", "suggestions": str(drainage.pk)})
    assert r.status_code == 409


def test_monthly_report_page(item, client, henry, ivan, oscar):
    url = f"/supervision/key-items/{item.pk}/monthly-report/"
    client.force_login(oscar)
    assert client.get(url).status_code == 404
    client.force_login(ivan)
    assert client.get(url).status_code == 403
    client.force_login(henry)
    assert client.get(url).status_code == 200
    month = dt.date.today().strftime("%Y-%m")
    r = client.post(url, {"period": month, "progress": ""})
    assert r.status_code == 400 and "progress" in r.context["form"].errors
    r = client.post(url, {"period": month, "progress": "完成设计"})
    assert r.status_code == 302 and MonthlyReport.objects.count() == 1
    r = client.post(url, {"period": month, "progress": "again"})
    assert r.status_code == 409 and MonthlyReport.objects.count() == 1


def test_inspection_pages(item, drainage, client, sam, victor, henry, water):
    client.force_login(henry)
    assert client.get(f"/supervision/inspections/new/?key_item={item.pk}").status_code == 403
    client.force_login(victor)
    url = f"/supervision/inspections/new/?key_item={item.pk}"
    assert client.get(url).status_code == 200
    r = client.post(url, {"kind": "unannounced", "held_on": "2026-03-20", "findings": "无人值守", "report": "暗访报告",
                          "follow_up_unit": water.pk, "follow_up_description": "落实值守", "follow_up_due": "2026-04-30"})  # fmt: skip
    inspection = Inspection.objects.get()
    assert r.status_code == 302 and inspection.created_by == victor
    client.force_login(henry)
    assert client.get(f"/supervision/inspections/{inspection.pk}/").status_code == 404
    client.force_login(victor)
    assert client.post(f"/supervision/inspections/{inspection.pk}/release/").status_code == 403
    client.force_login(sam)
    assert client.post(f"/supervision/inspections/{inspection.pk}/release/").status_code == 302
    assert client.post(f"/supervision/inspections/{inspection.pk}/release/").status_code == 409
    client.force_login(henry)
    assert "落实值守" in client.get(f"/supervision/inspections/{inspection.pk}/").content.decode()
    action = inspection.follow_up_actions.get()
    r = client.post(f"/supervision/follow-up-actions/{action.pk}/done/", {"note": ""})
    assert r.status_code == 400
    r = client.post(f"/supervision/follow-up-actions/{action.pk}/done/", {"note": "已落实"})
    assert r.status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None


def test_suggestion_supervision_page(drainage, client, sam, victor, henry):
    client.force_login(henry)
    assert client.get(f"/supervision/suggestions/{drainage.pk}/").status_code == 403
    assert client.post(f"/supervision/suggestions/{drainage.pk}/supervisors/", {"user": victor.pk}).status_code == 403
    client.force_login(victor)
    assert client.get(f"/supervision/suggestions/{drainage.pk}/").status_code == 404
    client.force_login(sam)
    assert client.get(f"/supervision/suggestions/{drainage.pk}/").status_code == 200
    r = client.post(f"/supervision/suggestions/{drainage.pk}/supervisors/", {"user": victor.pk})
    assert r.status_code == 302 and SuggestionSupervisor.objects.filter(user=victor).exists()
    assert client.post(f"/supervision/suggestions/{drainage.pk}/supervisors/", {"user": victor.pk}).status_code == 409
    client.force_login(victor)
    r = client.post(f"/supervision/suggestions/{drainage.pk}/instruct/", {"text": "抓紧办理"})
    assert r.status_code == 302 and drainage.events.filter(action="instruction", actor=victor).exists()
    assert "抓紧办理" in client.get(f"/supervision/suggestions/{drainage.pk}/").content.decode()


def test_deputy_page_lists_invitations(replied, client, sam, alice, carol, henry, hannah):
    from .conftest import close_unsatisfied

    close_unsatisfied(replied, alice=alice, sam=sam, henry=henry, hannah=hannah)
    look_back = services.inspection_create(
        actor=sam, kind="look_back", held_on=dt.date.today(), suggestion=replied, participants=[alice], findings="x"
    )
    link = f"/supervision/inspections/{look_back.pk}/"
    client.force_login(alice)
    assert link in client.get("/supervision/mine/").content.decode()
    client.force_login(carol)
    assert link not in client.get("/supervision/mine/").content.decode()
    client.force_login(henry)
    assert client.get("/supervision/mine/").status_code == 403


def test_campaign_pages(item, client, sam, henry):
    client.force_login(henry)
    assert client.get("/supervision/campaigns/").status_code == 403
    client.force_login(sam)
    r = client.post(
        "/supervision/campaigns/new/", {"name": "督办周", "starts_on": "2026-05-15", "ends_on": "2026-05-11"}
    )
    assert r.status_code == 400 and "ends_on" in r.context["form"].errors
    r = client.post("/supervision/campaigns/new/", {"name": "督办周", "starts_on": "2026-05-11", "ends_on": "2026-05-15",
                                                    "key_items": [item.pk], "outcome": "督办5件"})  # fmt: skip
    assert r.status_code == 302
    assert "督办5件" in client.get("/supervision/campaigns/").content.decode()


def test_staff_link_repeats_and_follow_ups_from_the_page(
    replied, client, sam, alice, henry, hannah, session_2026, make_suggestion
):
    """The page proposes the earlier suggestion with a one-click link, and offers the look-backs by
    date and title instead of asking for database ids."""
    from suggestions.models import CongressSession

    from .conftest import close_unsatisfied

    s2025 = CongressSession.objects.create(term=16, number=3, year=2025)
    earlier = make_suggestion(s2025, title=replied.title)
    client.force_login(sam)
    page = client.get(f"/supervision/suggestions/{replied.pk}/").content.decode()
    assert f'data-link-repeat="{earlier.pk}"' in page
    r = client.post(f"/supervision/suggestions/{replied.pk}/link-repeat/", {"repeat_of": earlier.pk})
    assert r.status_code == 302
    replied.refresh_from_db()
    assert replied.repeat_of_id == earlier.pk

    close_unsatisfied(replied, alice=alice, sam=sam, henry=henry, hannah=hannah)
    look_back = services.inspection_create(
        actor=sam, kind="look_back", held_on=dt.date.today(), suggestion=replied, findings="仍有积水"
    )
    new = make_suggestion(session_2026, title="关于南冲片区排涝的再建议", state="registered")
    page = client.get(f"/supervision/suggestions/{new.pk}/").content.decode()
    assert f'<option value="{look_back.pk}">' in page and replied.title in page
    r = client.post(f"/supervision/suggestions/{new.pk}/link-follow-up/", {"look_back": "999999"})
    assert r.status_code == 400 and "look_back" in r.context["follow_up_form"].errors
    r = client.post(f"/supervision/suggestions/{new.pk}/link-follow-up/", {"look_back": look_back.pk})
    assert r.status_code == 302
    new.refresh_from_db()
    assert new.follows_up_id == replied.pk


def test_a_refused_form_on_a_page_keeps_what_was_typed(item, client, sam):
    client.force_login(sam)
    r = client.post(
        f"/supervision/key-items/{item.pk}/half-year-report/",
        {"reported_on": "not a date", "summary": "上半年已完成征地"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "上半年已完成征地" in html  # the textarea is filled again
    assert 'id="half_reported_on"' in html and "invalid-feedback" in html
    # The page's other forms stay empty.
    assert r.context["instruction_form"].is_bound is False
